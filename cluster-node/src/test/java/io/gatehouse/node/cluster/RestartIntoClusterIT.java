package io.gatehouse.node.cluster;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.testing.NodeProcess;
import io.gatehouse.node.testing.ProcessCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes on one PostgreSQL, a route with three instances. One node is killed with
 * SIGKILL and started again at once, as a supervisor restarts a crashed process: first the seed
 * node (which would form a cluster of its own if it joined its seed list, itself), then another.
 * Once the restarted node's {@code /ready} answers 200, every request through it is answered by
 * an instance, from the first, and all three nodes are one cluster again.
 */
class RestartIntoClusterIT {
  @TempDir Path work;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private int status(NodeProcess n, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.http + "/llm/v1/models"))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int upMembers(NodeProcess n) {
    int up = 0;
    for (JsonNode r : n.adminClient().get("/api/v1/routers").json().path("items")) {
      up += r.path("status").asText().equals("Up") ? 1 : 0;
    }
    return up;
  }

  @Test
  void aKilledNodeStartedAgainServesFromItsFirstRequestAfterReadyAndRejoinsTheOneCluster() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(work, 3, Map.of())) {
      List<NodeProcess> nodes = cluster.nodes;
      cluster.llmRoute();
      String token = cluster.token("load");
      for (NodeProcess n : nodes) {
        await().atMost(Duration.ofSeconds(20)).until(() -> status(n, token) == 200);
      }

      for (NodeProcess victim : List.of(nodes.get(0), nodes.get(2))) {
        long killed = System.nanoTime();
        victim.kill();
        victim.restart().awaitReady();
        double readyAfter = (System.nanoTime() - killed) / 1e9;
        List<Integer> statuses = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < until) {
          statuses.add(status(victim, token));
        }
        System.out.printf("node %d killed and started again: ready after %.1f s, then %d requests through it%n",
            victim.index, readyAfter, statuses.size());
        assertThat(statuses).as("answers through node %d after its /ready said 200", victim.index).containsOnly(200);
        for (NodeProcess n : nodes) {
          await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
              .untilAsserted(() -> assertThat(upMembers(n)).as("members up, seen by node %d", n.index).isEqualTo(3));
        }
      }
    }
  }
}
