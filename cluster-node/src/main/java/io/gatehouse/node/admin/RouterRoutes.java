package io.gatehouse.node.admin;

import io.gatehouse.node.cluster.Routers;
import io.gatehouse.node.connectivity.ConnectivityTest;
import io.gatehouse.protocol.api.DirectoryJson;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/routers}: the gateway nodes of the cluster; {@code POST
 * /api/v1/routers/connectivity-test}: the end-to-end test of routing through every one of them.
 */
final class RouterRoutes extends AdminDirectives {
  private final Routers routers;
  private final ConnectivityTest test;

  RouterRoutes(Routers routers, ConnectivityTest test) {
    this.routers = routers;
    this.test = test;
  }

  Route route(AdminCaller caller) {
    return pathPrefix("routers", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> complete(Responses.ok(new DirectoryJson.Items<>(routers.list()))))),
        path("connectivity-test", () -> post(() -> respond(() ->
            test.run(caller.principal()).thenApply(Responses::ok))))));
  }
}
