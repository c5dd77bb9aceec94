package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB upload and a 1 GiB download through a node whose heap is capped at 96 MiB (direct
 * buffers capped as well): bodies stream through with backpressure and are never held whole.
 */
class LargeBodiesIT {
  private static final long GIB = 1024L * 1024 * 1024;
  private static final Path JAR = Path.of("target/gatehouse-node.jar").toAbsolutePath();

  @TempDir Path work;

  @Test
  void oneGibibyteEachWayThroughA96MibHeap() throws Exception {
    int[] ports = FreePorts.allocate(4);
    ProcessBuilder pb = new ProcessBuilder("java", "-Xmx96m", "-XX:MaxDirectMemorySize=64m", "-jar", JAR.toString())
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("node.log").toFile());
    pb.environment().put("GATEHOUSE_DATA_DIR", work.resolve("data").toString());
    pb.environment().put("GATEHOUSE_ADMIN_PORT", String.valueOf(ports[0]));
    pb.environment().put("GATEHOUSE_MANAGEMENT_PORT", String.valueOf(ports[1]));
    pb.environment().put("GATEHOUSE_REMOTE_PORT", String.valueOf(ports[2]));
    pb.environment().put("GATEHOUSE_HTTP_PORT", String.valueOf(ports[3]));
    pb.environment().put("GATEHOUSE_NAMESPACE", "test");
    pb.environment().put("GATEHOUSE_BOOTSTRAP_TOKEN", TestNodes.ADMIN_TOKEN);
    pb.environment().put("GATEHOUSE_ACCESS_LOG", "off");
    Process node = pb.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (ProbeServer probe = ProbeServer.start("127.0.0.1", 0, "bulk")) {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
        try {
          return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[1] + "/ready")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
          return false;
        }
      });
      AdminClient admin = new AdminClient(ports[0], TestNodes.ADMIN_TOKEN);
      admin.post("/api/v1/groups", "{\"name\":\"bulk\"}");
      admin.post("/api/v1/users", "{\"name\":\"mover\",\"groups\":[\"bulk\"]}");
      admin.post("/api/v1/projects", "{\"name\":\"bulk\",\"groups\":[\"bulk\"]}");
      assertThat(admin.post("/api/v1/routes", json("{'name':'bulk','match':{'pathPrefix':'/bulk'},'allowedGroups':['bulk'],"
          + "'healthCheck':{'intervalSeconds':1},'maxRequestBodyBytes':%d}", 2 * GIB)).status()).isEqualTo(201);
      assertThat(admin.post("/api/v1/registrations", json("{'deployment':'bulk','project':'bulk','route':'bulk',"
          + "'address':'127.0.0.1:%d','namespace':'test','leaseSeconds':3600}", probe.port())).status()).isEqualTo(201);
      String token = admin.post("/api/v1/tokens",
          "{\"label\":\"bulk\",\"expiresInDays\":1,\"principal\":{\"type\":\"user\",\"name\":\"mover\"}}").json()
          .path("token").asText();
      String base = "http://127.0.0.1:" + ports[3] + "/bulk";
      await().atMost(Duration.ofSeconds(20)).until(() -> http.send(HttpRequest.newBuilder(URI.create(base + "/ping"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

      long started = System.nanoTime();
      HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create(base + "/upload"))
          .header("Authorization", "Bearer " + token)
          .POST(HttpRequest.BodyPublishers.fromPublisher(
              HttpRequest.BodyPublishers.ofInputStream(() -> new PatternStream(GIB)), GIB))
          .build(), HttpResponse.BodyHandlers.ofString());
      double upSeconds = (System.nanoTime() - started) / 1e9;
      assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
      assertThat(up.body()).contains("\"bodyBytes\":" + GIB, "\"bodyCrc32\":" + PatternStream.crcOf(GIB));

      started = System.nanoTime();
      HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(URI.create(base + "/bytes?n=" + GIB))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofInputStream());
      long received = 0;
      boolean intact = true;
      byte[] buffer = new byte[1 << 16];
      try (InputStream in = down.body()) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          for (int i = 0; i < n && intact; i++) {
            intact = (buffer[i] & 0xff) == ProbeServer.patternByte(received + i);
          }
          received += n;
        }
      }
      double downSeconds = (System.nanoTime() - started) / 1e9;
      assertThat(received).isEqualTo(GIB);
      assertThat(intact).as("every byte as sent").isTrue();

      long rssKib = Files.readAllLines(Path.of("/proc/" + node.pid() + "/status")).stream()
          .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
      System.out.printf("1 GiB up in %.1f s, 1 GiB down in %.1f s through a 96 MiB heap; node RSS %d MiB%n",
          upSeconds, downSeconds, rssKib / 1024);
      assertThat(node.isAlive()).as("the node survived").isTrue();
    } finally {
      node.toHandle().destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  /** {@code length} bytes of the probe's pattern, generated on the fly. */
  static final class PatternStream extends InputStream {
    private final long length;
    private long position;

    PatternStream(long length) {
      this.length = length;
    }

    @Override
    public int read() {
      return position < length ? ProbeServer.patternByte(position++) : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= length) {
        return -1;
      }
      int n = (int) Math.min(len, length - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) ProbeServer.patternByte(position + i);
      }
      position += n;
      return n;
    }

    static long crcOf(long length) {
      CRC32 crc = new CRC32();
      byte[] buffer = new byte[1 << 16];
      PatternStream s = new PatternStream(length);
      for (int n = s.read(buffer, 0, buffer.length); n > 0; n = s.read(buffer, 0, buffer.length)) {
        crc.update(buffer, 0, n);
      }
      return crc.getValue();
    }
  }
}
