package io.gatehouse.node.connectivity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The connectivity test on three nodes sharing one PostgreSQL: through every node, and a node
 * that fails (a fourth, which joins for that test and leaves after it). Either test runs alone or
 * in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectivityTestClusterTest {
  private TestCluster cluster;

  @BeforeAll
  void start() {
    cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase());
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static List<String> names(JsonNode result) {
    List<String> names = new ArrayList<>();
    result.path("steps").forEach(s -> names.add(s.path("name").asText()));
    return names;
  }

  private static String run(JsonNode result) {
    return result.path("steps").get(1).path("detail").asText().replaceAll(".*'(conntest-[a-z0-9]+)'.*", "$1");
  }

  @Test
  void aRequestReachesTheProbeThroughEveryNodeOfTheCluster() {
    // The node that runs the test asks the members it knows of: wait until it knows all three.
    await().atMost(Duration.ofSeconds(30)).until(() ->
        cluster.b().admin.get("/api/v1/routers").json().path("items").size() == 3);
    AdminClient.Reply r = cluster.b().admin.post("/api/v1/routers/connectivity-test", "");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().path("ok").asBoolean()).as(r.body()).isTrue();
    assertThat(names(r.json())).hasSize(8).contains(
        "through " + cluster.b().node.nodeAddress() + " (this node)",
        "through " + cluster.a().node.nodeAddress(),
        "through " + cluster.c().node.nodeAddress());
    assertThat(names(r.json()).get(4)).endsWith("(this node)");
    Leftovers.noneOf(cluster.a(), run(r.json()));

    // Every node shows b's last test (announced), the one just run.
    String time = r.json().path("time").asText();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode routers = cluster.c().admin.get("/api/v1/routers").json().path("items");
      for (JsonNode n : routers) {
        if (n.path("address").asText().equals(cluster.b().node.nodeAddress())) {
          assertThat(n.path("lastTest").path("ok").asBoolean()).isTrue();
          assertThat(n.path("lastTest").path("time").asText()).isEqualTo(time);
        }
      }
    });
  }

  @Test
  void aNodeWhoseDataPlaneDoesNotAnswerFailsItsStepByNameAndTheRestIsRemoved() {
    try (var d = cluster.join()) {
      await().atMost(Duration.ofSeconds(30)).until(() ->
          cluster.a().admin.get("/api/v1/routers").json().path("items").size() == 4);
      d.node.dataPlane().stopListening();
      failsThrough(d);
    }
    await().atMost(Duration.ofSeconds(30)).until(() ->
        cluster.a().admin.get("/api/v1/routers").json().path("items").size() == 3);
  }

  private void failsThrough(io.gatehouse.node.testing.Gateway broken) {
    AdminClient.Reply r = cluster.a().admin.post("/api/v1/routers/connectivity-test", "");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode result = r.json();
    assertThat(result.path("ok").asBoolean()).as(r.body()).isFalse();
    JsonNode failed = null;
    for (JsonNode s : result.path("steps")) {
      if (!s.path("ok").asBoolean()) {
        assertThat(failed).as("one failed step").isNull();
        failed = s;
      }
    }
    assertThat(failed).isNotNull();
    assertThat(failed.path("name").asText()).isEqualTo("through " + broken.node.nodeAddress());
    assertThat(failed.path("detail").asText()).contains("connection refused");
    assertThat(names(result).get(names(result).size() - 1)).isEqualTo("clean up");
    Leftovers.noneOf(cluster.b(), run(result));
    JsonNode self = cluster.a().admin.get("/api/v1/routers").json().path("items");
    for (JsonNode n : self) {
      if (n.path("self").asBoolean()) {
        assertThat(n.path("lastTest").path("ok").asBoolean()).isFalse();
      }
    }
  }
}
