package io.gatehouse.node.cluster;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** All three nodes stopped and started again: tokens, revocations, routes and directory are intact. */
class ClusterRestartTest {

  private static List<JsonNode> snapshot(Gateway g) {
    List<JsonNode> all = new ArrayList<>();
    for (String path : List.of("/api/v1/users", "/api/v1/groups", "/api/v1/service-accounts", "/api/v1/projects",
        "/api/v1/tokens?limit=500")) {
      JsonNode items = g.admin.get(path).json().path("items");
      for (JsonNode item : items) {
        ObjectNode copy = item.deepCopy();
        copy.remove("lastUsedAt");
        all.add(copy);
      }
    }
    for (JsonNode route : g.admin.get("/api/v1/routes").json().path("items")) {
      ObjectNode copy = route.deepCopy();
      copy.remove("healthyInstances");
      // Built on each node's public URL, which here is each node's own (free) port.
      copy.remove("url");
      all.add(copy);
    }
    return all;
  }

  @Test
  void theWholeClusterStopsAndStartsWithNothingLost() throws Exception {
    try (TestCluster cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase());
        ProbeServer probe = ProbeServer.start("127.0.0.1", 0, "survivor")) {
      Gateway a = cluster.a();
      String team = a.group();
      String project = a.project(List.of(team), List.of(a.serviceAccount()));
      String user = a.user(team);
      String route = a.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
      a.register(route, probe.port(), project);
      Gateway.Token active = a.userToken(user);
      Gateway.Token revoked = cluster.b().userToken(user);
      assertThat(cluster.c().admin.post("/api/v1/tokens/" + revoked.id() + "/revoke", null).status()).isEqualTo(200);
      List<JsonNode> before = snapshot(a);

      cluster.stop();
      cluster.start();

      for (Gateway g : cluster.nodes) {
        assertThat(snapshot(g)).isEqualTo(before);
        g.awaitHealthy(route, 1);
        HttpResponse<String> ok = g.get("/" + route + "/", active.secret());
        assertThat(ok.statusCode()).isEqualTo(200);
        HttpResponse<String> refused = g.get("/" + route + "/", revoked.secret());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).contains("token revoked"));
      }
    }
  }
}
