package io.gatehouse.node.cluster;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import io.gatehouse.persistence.testing.FreePorts;
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
  private static final Path JAR = Path.of("target/gatehouse-node.jar").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CONSUMERS = 30;

  @TempDir Path work;

  /** One node process and its ports. */
  record Node(int index, int admin, int management, int remote, int http) {}

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Process start(Node n, StoreSettings.Postgres pg, int seedRemote) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("java", "-Xmx256m", "-jar", JAR.toString())
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("node-" + n.index() + ".log").toFile()));
    Map<String, String> env = pb.environment();
    env.put("GATEHOUSE_DB_URL", pg.jdbcUrl());
    env.put("GATEHOUSE_DB_USER", pg.user());
    env.put("GATEHOUSE_DB_PASSWORD", pg.password());
    env.put("GATEHOUSE_NAMESPACE", "test");
    env.put("GATEHOUSE_ADMIN_PORT", String.valueOf(n.admin()));
    env.put("GATEHOUSE_MANAGEMENT_PORT", String.valueOf(n.management()));
    env.put("GATEHOUSE_REMOTE_PORT", String.valueOf(n.remote()));
    env.put("GATEHOUSE_HTTP_PORT", String.valueOf(n.http()));
    env.put("GATEHOUSE_SEED_NODES", "127.0.0.1:" + seedRemote);
    env.put("GATEHOUSE_BOOTSTRAP_TOKEN", TestNodes.ADMIN_TOKEN);
    env.put("GATEHOUSE_ACCESS_LOG", "off");
    return pb.start();
  }

  private void awaitReady(Node n) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.management() + "/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private String instanceOf(Node n, String token) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.http() + "/llm/x"))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).path("instance").asText();
  }

  @Test
  void killingANodeCostsOnlyItsRequestsInFlightAndMovesNoConsumer() throws Exception {
    StoreSettings.Postgres pg = EmbeddedPostgresFixture.newDatabase();
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int[] p = FreePorts.allocate(4);
      nodes.add(new Node(i, p[0], p[1], p[2], p[3]));
    }
    int seed = nodes.get(0).remote();
    Process[] processes = new Process[3];
    List<ProbeServer> probes = new ArrayList<>();
    try {
      for (Node n : nodes) {
        processes[n.index()] = start(n, pg, seed);
        awaitReady(n);
      }
      AdminClient admin = new AdminClient(nodes.get(0).admin(), TestNodes.ADMIN_TOKEN);
      admin.post("/api/v1/groups", "{\"name\":\"ml\"}");
      admin.post("/api/v1/users", "{\"name\":\"load\",\"groups\":[\"ml\"]}");
      admin.post("/api/v1/projects", "{\"name\":\"llm\",\"groups\":[\"ml\"]}");
      assertThat(admin.post("/api/v1/routes", "{\"name\":\"llm\",\"match\":{\"pathPrefix\":\"/llm\"},"
          + "\"allowedGroups\":[\"ml\"],\"healthCheck\":{\"intervalSeconds\":1}}").status()).isEqualTo(201);
      for (String id : List.of("gpu-a", "gpu-b", "gpu-c")) {
        ProbeServer p = ProbeServer.start("127.0.0.1", 0, id);
        probes.add(p);
        assertThat(admin.post("/api/v1/registrations", json("{'deployment':'llm','project':'llm','route':'llm',"
            + "'address':'127.0.0.1:%d','namespace':'test','leaseSeconds':3600}", p.port())).status()).isEqualTo(201);
      }
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < CONSUMERS; i++) {
        tokens.add(admin.post("/api/v1/tokens", "{\"label\":\"c" + i + "\",\"expiresInDays\":1,"
            + "\"principal\":{\"type\":\"user\",\"name\":\"load\"}}").json().path("token").asText());
      }
      for (Node n : nodes) {
        AdminClient a = new AdminClient(n.admin(), TestNodes.ADMIN_TOKEN);
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
      Node victim = nodes.get(2);
      AtomicInteger survivorErrors = new AtomicInteger();
      AtomicInteger victimErrors = new AtomicInteger();
      AtomicInteger moved = new AtomicInteger();
      AtomicInteger served = new AtomicInteger();
      AtomicLong killedAt = new AtomicLong();
      AtomicLong firstGoodAfterKill = new AtomicLong();
      List<Thread> load = new ArrayList<>();
      boolean[] stop = {false};
      for (Node n : nodes) {
        Thread t = new Thread(() -> {
          boolean failedOver = false;
          int turn = 0;
          while (!stop[0]) {
            for (int c = n.index(); c < CONSUMERS && !stop[0]; c += 3) {
              Node via = failedOver ? nodes.get(turn++ % 2) : n;
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
                  System.out.println("survivor error via node " + via.index() + ": " + e);
                }
              }
            }
          }
        }, "load-" + n.index());
        t.start();
        load.add(t);
      }

      TimeUnit.SECONDS.sleep(5);
      killedAt.set(System.nanoTime());
      processes[2].destroyForcibly();
      processes[2].waitFor(10, TimeUnit.SECONDS);

      AdminClient survivor = new AdminClient(nodes.get(0).admin(), TestNodes.ADMIN_TOKEN);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
          survivor.get("/api/v1/routers").json().path("items").size() == 2);
      double downedAfter = (System.nanoTime() - killedAt.get()) / 1e9;
      TimeUnit.SECONDS.sleep(3);
      int servedBeforeRestart = served.get();

      processes[2] = start(victim, pg, seed);
      awaitReady(victim);
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
    } finally {
      for (Process p : processes) {
        if (p != null) {
          p.destroyForcibly();
        }
      }
      probes.forEach(ProbeServer::close);
    }
  }
}
