package io.gatehouse.node.cluster;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.NodeProcess;
import io.gatehouse.node.testing.ProcessCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes from the built jar on one PostgreSQL, under steady load through all
 * three; one is killed with SIGKILL. Only the request in flight on the dead node may fail, every
 * consumer keeps its instance, the survivors down the dead node and keep serving, and the node
 * restarts and rejoins. Prints the failover window and the error counts.
 */
class ClusterFailoverIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONSUMERS = 30;

  @TempDir Path work;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private String instanceOf(NodeProcess n, String token) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.http + "/llm/x"))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).path("instance").asText();
  }

  @Test
  void killingANodeCostsOnlyItsRequestsInFlightAndMovesNoConsumer() throws Exception {
    try (ProcessCluster cluster = new ProcessCluster(work, 3, Map.of())) {
      List<NodeProcess> nodes = cluster.nodes;
      cluster.llmRoute();
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < CONSUMERS; i++) {
        tokens.add(cluster.token("c" + i));
      }
      for (NodeProcess n : nodes) {
        AdminClient a = n.adminClient();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          int healthy = 0;
          for (JsonNode i : a.get("/api/v1/routes/llm/instances").json().path("items")) {
            healthy += i.path("healthy").asBoolean() ? 1 : 0;
          }
          assertThat(healthy).isEqualTo(3);
        });
      }

      // Every consumer talks to "its" node; its pin is made on its first request.
      Map<Integer, String> pinned = new ConcurrentHashMap<>();
      for (int c = 0; c < CONSUMERS; c++) {
        pinned.put(c, instanceOf(nodes.get(c % 3), tokens.get(c)));
      }
      NodeProcess victim = nodes.get(2);
      AtomicInteger survivorErrors = new AtomicInteger();
      AtomicInteger victimErrors = new AtomicInteger();
      AtomicInteger moved = new AtomicInteger();
      AtomicInteger served = new AtomicInteger();
      AtomicLong killedAt = new AtomicLong();
      AtomicLong firstGoodAfterKill = new AtomicLong();
      List<Thread> load = new ArrayList<>();
      boolean[] stop = {false};
      for (NodeProcess n : nodes) {
        Thread t = new Thread(() -> {
          boolean failedOver = false;
          int turn = 0;
          while (!stop[0]) {
            for (int c = n.index; c < CONSUMERS && !stop[0]; c += 3) {
              NodeProcess via = failedOver ? nodes.get(turn++ % 2) : n;
              try {
                String instance = instanceOf(via, tokens.get(c));
                served.incrementAndGet();
                if (!instance.equals(pinned.get(c))) {
                  moved.incrementAndGet();
                }
                if (failedOver && firstGoodAfterKill.get() == 0) {
                  firstGoodAfterKill.set(System.nanoTime());
                }
              } catch (IOException | InterruptedException e) {
                if (n == victim && killedAt.get() != 0) {
                  // The dead node's client notices and sends its consumers to the survivors,
                  // as a load balancer would.
                  victimErrors.incrementAndGet();
                  failedOver = true;
                } else {
                  survivorErrors.incrementAndGet();
                  System.out.println("survivor error via node " + via.index + ": " + e);
                }
              }
            }
          }
        }, "load-" + n.index);
        t.start();
        load.add(t);
      }

      TimeUnit.SECONDS.sleep(5);
      killedAt.set(System.nanoTime());
      victim.kill();

      AdminClient survivor = nodes.get(0).adminClient();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
          survivor.get("/api/v1/routers").json().path("items").size() == 2);
      double downedAfter = (System.nanoTime() - killedAt.get()) / 1e9;
      TimeUnit.SECONDS.sleep(3);
      int servedBeforeRestart = served.get();

      victim.restart().awaitReady();
      double rejoinedAfter = (System.nanoTime() - killedAt.get()) / 1e9;
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        JsonNode items = survivor.get("/api/v1/routers").json().path("items");
        int up = 0;
        for (JsonNode r : items) {
          up += r.path("status").asText().equals("Up") ? 1 : 0;
        }
        return up == 3;
      });
      stop[0] = true;
      for (Thread t : load) {
        t.join(15_000);
      }
      for (int c = 2; c < CONSUMERS; c += 3) {
        assertThat(instanceOf(victim, tokens.get(c))).as("consumer %d through the rejoined node", c)
            .isEqualTo(pinned.get(c));
      }

      double failover = (firstGoodAfterKill.get() - killedAt.get()) / 1e9;
      System.out.printf("failover: %d requests served, %d failed on survivors, %d failed on the killed node, "
              + "%d served by another instance; the killed node's consumers were served again %.2f s after the kill; "
              + "survivors downed it after %.1f s; it was back and ready after %.1f s%n",
          served.get(), survivorErrors.get(), victimErrors.get(), moved.get(), failover, downedAfter, rejoinedAfter);
      assertThat(survivorErrors.get()).as("requests failed through surviving nodes").isZero();
      assertThat(victimErrors.get()).as("requests failed through the killed node").isLessThanOrEqualTo(2);
      assertThat(moved.get()).as("answers from an instance other than the consumer's pin").isZero();
      assertThat(firstGoodAfterKill.get()).as("the killed node's consumers were served again").isPositive();
      assertThat(servedBeforeRestart).isPositive();
    }
  }
}
