package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.KeepAliveConnection;
import io.gatehouse.node.testing.TestNodes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client idle timeout (here 2 s): a connection must send a complete request head within it
 * of opening and of the end of its previous exchange, so idle keep-alive connections and clients
 * trickling their headers cannot hold a node's file descriptors for ever. An exchange in progress
 * is bounded by the route's own idle timeout instead, however long it runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientIdleTimeoutTest {
  private static final long TIMEOUT_MS = 2_000;

  @TempDir static Path dataDir;
  private Gateway gw;
  private Gateway.Token token;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dataDir)
        .withValue("gatehouse.data-plane.client-idle-timeout", ConfigValueFactory.fromAnyRef("2s")));
    String team = gw.group();
    String project = gw.project(List.of(team), List.of());
    token = gw.userToken(gw.user(team));
    ProbeServer llm = gw.probe("llm-instance");
    assertThat(gw.admin.post("/api/v1/routes", json(
        "{'name':'llm','match':{'pathPrefix':'/llm'},'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}}",
        team)).status()).isEqualTo(201);
    gw.register("llm", llm.port(), project);
    gw.awaitHealthy("llm", 1);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws IOException {
    try (KeepAliveConnection c = new KeepAliveConnection(gw.node.httpPort())) {
      long t0 = System.nanoTime();
      assertThat(c.closedByPeer()).as("end of stream").isTrue();
      assertThat(millisSince(t0)).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + 2_000);
    }
  }

  @Test
  void aGatewayRequestWhoseBodyNeverComesIsClosedAtTheSameDeadline() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.node.httpPort())) {
      s.setSoTimeout(10_000);
      long t0 = System.nanoTime();
      s.getOutputStream().write(("POST /_gatehouse/signin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n"
          + "Content-Type: application/x-www-form-urlencoded\r\n\r\ntoken=").getBytes(StandardCharsets.US_ASCII));
      assertThat(s.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
      assertThat(millisSince(t0)).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + 2_000);
    }
  }

  @Test
  void aClientTricklingItsHeadersIsClosedAtTheSameDeadline() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gw.node.httpPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      long t0 = System.nanoTime();
      out.write("GET /llm/ HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      boolean closed = false;
      for (int i = 0; i < 20 && !closed; i++) {
        Thread.sleep(300);
        try {
          out.write(("X-Slow-" + i + ": x\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          closed = true;
        }
        closed |= ended(s);
      }
      assertThat(closed).as("closed while still trickling").isTrue();
      assertThat(millisSince(t0)).isLessThan(TIMEOUT_MS + 2_000);
    }
  }

  @Test
  void aKeptAliveConnectionServesRequestsWithinTheTimeoutAndIsClosedWhenIdle() throws Exception {
    try (KeepAliveConnection c = new KeepAliveConnection(gw.node.httpPort())) {
      // Five requests 1 s apart: 4 s in all, longer than the timeout, which restarts after each.
      for (int i = 0; i < 5; i++) {
        assertThat(c.get("/llm/", token.secret(), "").status()).isEqualTo(200);
        Thread.sleep(1_000);
      }
      assertThat(c.get("/llm/", token.secret(), "").status()).isEqualTo(200);
      long t0 = System.nanoTime();
      assertThat(c.closedByPeer()).as("end of stream after idling").isTrue();
      assertThat(millisSince(t0)).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + 2_000);
    }
  }

  // ---- with h2c on: the timeout holds before the protocol is known, and over HTTP/2 ----------

  private Gateway h2c;

  private int h2cPort(@TempDir Path dir) {
    if (h2c == null) {
      h2c = new Gateway(TestNodes.h2(dir)
          .withValue("gatehouse.data-plane.client-idle-timeout", ConfigValueFactory.fromAnyRef("2s"))
          .withValue("gatehouse.data-plane.h2c", ConfigValueFactory.fromAnyRef(true)));
    }
    return h2c.node.httpPort();
  }

  @AfterAll
  void stopH2c() {
    if (h2c != null) {
      h2c.close();
    }
  }

  @Test
  void withH2cAConnectionThatSendsNothingOrPartOfThePrefaceIsClosed(@TempDir Path dir) throws Exception {
    int port = h2cPort(dir);
    for (String sent : List.of("", "PRI * HTTP/2.0\r\n")) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(10_000);
        long t0 = System.nanoTime();
        s.getOutputStream().write(sent.getBytes(StandardCharsets.US_ASCII));
        assertThat(s.getInputStream().read()).as("closed: '%s'", sent).isEqualTo(-1);
        assertThat(millisSince(t0)).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + 2_000);
      }
    }
  }

  @Test
  void anHttp2ConnectionWithNoStreamIsClosedWhateverPingsItsClientSends(@TempDir Path dir) throws Exception {
    int port = h2cPort(dir);
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      out.flush();
      long t0 = System.nanoTime();
      Thread pinger = new Thread(() -> {
        try {
          for (int i = 0; i < 40; i++) {
            out.write(new byte[] {0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8});
            out.flush();
            Thread.sleep(250);
          }
        } catch (IOException | InterruptedException e) {
          // The connection was closed: what the test waits for.
        }
      });
      pinger.start();
      byte[] buffer = new byte[4096];
      int n;
      try {
        do {
          n = s.getInputStream().read(buffer);
        } while (n >= 0 && millisSince(t0) < 8_000);
      } catch (java.net.SocketException reset) {
        n = -1; // a reset after the GOAWAY (the pings still coming) is a close too
      }
      pinger.interrupt();
      assertThat(n).as("closed").isEqualTo(-1);
      assertThat(millisSince(t0)).isBetween(TIMEOUT_MS - 100, TIMEOUT_MS + 2_000);
    }
  }

  @Test
  void anAnswerSlowerThanTheClientTimeoutIsNotCut() throws Exception {
    try (KeepAliveConnection c = new KeepAliveConnection(gw.node.httpPort())) {
      assertThat(c.get("/llm/slow?delayMs=3500", token.secret(), "").status()).isEqualTo(200);
      assertThat(c.get("/llm/", token.secret(), "").status()).as("and the connection stays usable").isEqualTo(200);
    }
  }

  private static boolean ended(Socket s) throws IOException {
    int before = s.getSoTimeout();
    s.setSoTimeout(1);
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    } finally {
      s.setSoTimeout(before);
    }
  }

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
