package io.gatehouse.node.admin;

import io.gatehouse.node.cluster.Routers;
import io.gatehouse.protocol.api.DirectoryJson;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/v1/routers}: the gateway nodes of the cluster. */
final class RouterRoutes extends AdminDirectives {
  private final Routers routers;

  RouterRoutes(Routers routers) {
    this.routers = routers;
  }

  Route route() {
    return path("routers", () -> get(() -> complete(Responses.ok(new DirectoryJson.Items<>(routers.list())))));
  }
}
