package io.gatehouse.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.testing.NodeProcess;
import io.gatehouse.node.testing.ProcessCluster;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling restart behind a real load balancer, as a Kubernetes Service or an operator's HAProxy
 * would do it: Debian's HAProxy in front of three node processes, checking each node's
 * {@code /ready} the usual way ({@code option httpchk GET /ready}, HTTP/1.0 without a Host) and
 * retrying nothing ({@code retries 0}). Under steady load, each node in turn gets SIGTERM, is
 * started again, and the next is taken once HAProxy has it back. Not one request may fail.
 */
class RollingRestartIT {
  private static final String HAPROXY = Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy"
      : "haproxy";

  @TempDir Path work;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Process haproxy(List<NodeProcess> nodes, int port, int statsPort) throws IOException {
    StringBuilder cfg = new StringBuilder("""
        global
          maxconn 2000
        defaults
          mode http
          timeout connect 2s
          timeout client 30s
          timeout server 30s
          retries 0
        listen stats
          bind 127.0.0.1:%d
          stats enable
          stats uri /stats
        frontend gateway
          bind 127.0.0.1:%d
          default_backend nodes
        backend nodes
          balance roundrobin
          option httpchk GET /ready
          default-server inter 500ms fall 2 rise 2
        """.formatted(statsPort, port));
    for (NodeProcess n : nodes) {
      cfg.append("  server n").append(n.index).append(" 127.0.0.1:").append(n.http).append(" check port ")
          .append(n.management).append('\n');
    }
    Path file = work.resolve("haproxy.cfg");
    Files.writeString(file, cfg);
    return new ProcessBuilder(HAPROXY, "-db", "-f", file.toString()).redirectErrorStream(true)
        .redirectOutput(work.resolve("haproxy.log").toFile()).start();
  }

  /** The servers HAProxy has UP now (its statistics as CSV). */
  private int serversUp(int statsPort) {
    try {
      String csv = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statsPort + "/stats;csv"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      int up = 0;
      for (String line : csv.split("\n")) {
        String[] f = line.split(",");
        if (f.length > 17 && f[0].equals("nodes") && f[1].startsWith("n") && f[17].equals("UP")) {
          up++;
        }
      }
      return up;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  @Test
  void aRollingRestartBehindHaproxyFailsNoRequest() throws Exception {
    int[] ports = FreePorts.allocate(2);
    Process lb = null;
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> load = new ArrayList<>();
    try (ProcessCluster cluster = new ProcessCluster(work, 3, Map.of("GATEHOUSE_DRAIN_PERIOD", "3s"))) {
      List<NodeProcess> nodes = cluster.nodes;
      cluster.llmRoute();
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        tokens.add(cluster.token("c" + i));
      }
      lb = haproxy(nodes, ports[0], ports[1]);
      await().atMost(Duration.ofSeconds(20)).until(() -> serversUp(ports[1]) == 3);

      AtomicInteger served = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      for (String token : tokens) {
        Thread t = new Thread(() -> {
          HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[0] + "/llm/v1/models"))
              .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(15)).build();
          while (!stop.get()) {
            try {
              HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 200) {
                served.incrementAndGet();
              } else {
                failures.add(r.statusCode() + " " + r.body().trim());
              }
              TimeUnit.MILLISECONDS.sleep(10);
            } catch (IOException e) {
              failures.add(e.toString());
            } catch (InterruptedException e) {
              return;
            }
          }
        });
        t.start();
        load.add(t);
      }
      TimeUnit.SECONDS.sleep(2);
      for (NodeProcess n : nodes) {
        n.stop();
        n.restart().awaitReady();
        await().atMost(Duration.ofSeconds(30)).until(() -> serversUp(ports[1]) == 3);
        System.out.printf("node %d restarted: %d served, %d failed so far%n", n.index, served.get(), failures.size());
      }
      TimeUnit.SECONDS.sleep(2);
      stop.set(true);
      for (Thread t : load) {
        t.join(20_000);
      }

      System.out.printf("rolling restart of 3 nodes behind HAProxy: %d requests served, %d failed %s%n",
          served.get(), failures.size(), failures.stream().limit(5).toList());
      assertThat(served.get()).isGreaterThan(500);
      assertThat(failures).as("failed requests").isEmpty();
    } finally {
      stop.set(true);
      if (lb != null) {
        lb.destroyForcibly();
      }
    }
  }
}
