package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * API.md "Open exchanges end with their access", on two nodes: what is revoked, deleted, taken
 * out of a group, or disabled through node A ends what is open through node B within a second:
 * a streamed answer is cut, a WebSocket is closed with 1008. Exchanges that keep their access go on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessEndsExchangesTest {
  private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(1);

  private TestCluster cluster;
  private Gateway a;
  private Gateway b;
  private String team;
  private String project;

  @BeforeAll
  void start() {
    cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase(), 2, Clock.systemUTC());
    a = cluster.a();
    b = cluster.b();
    team = a.group();
    project = a.project(List.of(team), List.of());
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** A route with one probe instance, in rotation on both nodes. */
  private String route() {
    String route = a.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
    ProbeServer p = a.probe(Gateway.unique("probe"));
    a.register(route, p.port(), project);
    a.awaitHealthy(route, 1);
    b.awaitHealthy(route, 1);
    return route;
  }

  /** An SSE stream read on a thread of its own: its events, and when it ended (nanoTime, 0 while open). */
  static final class Stream {
    final AtomicInteger events = new AtomicInteger();
    final AtomicLong endedAt = new AtomicLong();
    private final Socket socket;

    Stream(int port, String route, String token) throws Exception {
      socket = new Socket("127.0.0.1", port);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /" + route + "/sse?events=100000&intervalMs=50 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + token + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      Thread t = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith("data:")) {
              events.incrementAndGet();
            }
          }
        } catch (Exception e) {
          // A reset is an end too.
        }
        endedAt.set(System.nanoTime());
      });
      t.setDaemon(true);
      t.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> events.get() >= 2);
    }

    void close() throws Exception {
      socket.close();
    }
  }

  /** A WebSocket to the probe's echo: when and how it was closed. */
  static final class Socketed implements WebSocket.Listener {
    final AtomicLong closedAt = new AtomicLong();
    final AtomicInteger code = new AtomicInteger();
    final CompletableFuture<String> reason = new CompletableFuture<>();

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String why) {
      closedAt.set(System.nanoTime());
      code.set(statusCode);
      reason.complete(why);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closedAt.compareAndSet(0, System.nanoTime());
      reason.complete("error: " + error);
    }
  }

  private Socketed webSocket(Gateway node, String route, String token) throws Exception {
    Socketed listener = new Socketed();
    WebSocket ws = node.http().newWebSocketBuilder().header("Authorization", "Bearer " + token)
        .buildAsync(URI.create("ws://127.0.0.1:" + node.node.httpPort() + "/" + route + "/ws"), listener)
        .get(10, TimeUnit.SECONDS);
    ws.sendText("still here", true).get(5, TimeUnit.SECONDS);
    return listener;
  }

  private static void endsWithin(Stream s, long since) {
    await().atMost(Duration.ofSeconds(3)).until(() -> s.endedAt.get() != 0);
    assertThat((s.endedAt.get() - since) / 1e6).as("milliseconds until the stream was cut")
        .isLessThan(BOUND_NANOS / 1e6);
  }

  @Test
  void revokingThroughOneNodeEndsTheTokensStreamAndWebSocketOnTheOtherAndNothingElse() throws Exception {
    String route = route();
    String alice = a.user(team);
    Gateway.Token revoked = a.userToken(alice);
    Gateway.Token kept = a.userToken(a.user(team));
    Stream stream = new Stream(b.node.httpPort(), route, revoked.secret());
    Socketed ws = webSocket(b, route, revoked.secret());
    Stream other = new Stream(b.node.httpPort(), route, kept.secret());

    assertThat(a.admin.post("/api/v1/tokens/" + revoked.id() + "/revoke", "").status()).isEqualTo(200);
    long revokedAt = System.nanoTime();

    endsWithin(stream, revokedAt);
    await().atMost(Duration.ofSeconds(3)).until(() -> ws.closedAt.get() != 0);
    assertThat((ws.closedAt.get() - revokedAt) / 1e6).as("milliseconds until the WebSocket closed")
        .isLessThan(BOUND_NANOS / 1e6);
    assertThat(ws.code.get()).isEqualTo(1008);
    assertThat(ws.reason.get(1, TimeUnit.SECONDS)).contains("revoked");
    int before = other.events.get();
    await().atMost(Duration.ofSeconds(5)).until(() -> other.events.get() >= before + 20);
    assertThat(other.endedAt.get()).as("the other token's stream").isZero();
    other.close();
  }

  @Test
  void deletingThePrincipalEndsItsStreams() throws Exception {
    String route = route();
    String dave = a.user(team);
    Stream stream = new Stream(b.node.httpPort(), route, a.userToken(dave).secret());

    assertThat(a.admin.delete("/api/v1/users/" + dave).status()).isEqualTo(204);

    endsWithin(stream, System.nanoTime());
  }

  @Test
  void takingThePrincipalOutOfTheRoutesGroupEndsItsStreams() throws Exception {
    String route = route();
    String erin = a.user(team);
    Stream stream = new Stream(b.node.httpPort(), route, a.userToken(erin).secret());

    assertThat(a.admin.put("/api/v1/users/" + erin, "{\"groups\":[]}").status()).isEqualTo(200);

    endsWithin(stream, System.nanoTime());
  }

  @Test
  void deletingTheRouteEndsItsStreams() throws Exception {
    String route = route();
    Stream stream = new Stream(b.node.httpPort(), route, a.userToken(a.user(team)).secret());

    assertThat(a.admin.delete("/api/v1/routes/" + route).status()).isEqualTo(204);

    endsWithin(stream, System.nanoTime());
  }

  @Test
  void disablingTheRouteEndsItsStreamsAndAnswers503UntilItIsEnabledAgain() throws Exception {
    String route = route();
    Gateway.Token token = a.userToken(a.user(team));
    Stream stream = new Stream(b.node.httpPort(), route, token.secret());
    String definition = "{'match':{'pathPrefix':'/%s'},'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1},"
        + "'enabled':%s}";

    assertThat(a.admin.put("/api/v1/routes/" + route, json(definition, route, team, false)).status()).isEqualTo(200);
    endsWithin(stream, System.nanoTime());

    var refused = b.get("/" + route + "/x", token.secret());
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(Gateway.body(refused).path("error").asText()).isEqualTo("unavailable");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();

    assertThat(a.admin.put("/api/v1/routes/" + route, json(definition, route, team, true)).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(3)).until(() -> b.get("/" + route + "/x", token.secret()).statusCode() == 200);
  }
}
