package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.RawHttp;
import io.gatehouse.node.testing.TestNodes;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Streaming answers pass chunk by chunk, WebSockets pass end to end, bodies stream both ways. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingTest {
  @TempDir static Path dataDir;
  private Gateway gw;
  private ProbeServer probe;
  private String team;
  private String project;
  private Gateway.Token token;
  private String route;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dataDir));
    probe = gw.probe("stream-probe");
    team = gw.group();
    project = gw.project(List.of(team), List.of());
    token = gw.userToken(gw.user(team));
    route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1},'maxRequestBodyBytes':1000000000", team));
    gw.register(route, probe.port(), project);
    gw.awaitHealthy(route, 1);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  @Test
  void serverSentEventsReachTheClientBeforeTheNextOneIsSent() throws Exception {
    CountDownLatch sendSecond = new CountDownLatch(1);
    HttpServer sse = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sse.createContext("/health", x -> {
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    sse.createContext("/events", x -> {
      x.getResponseHeaders().set("Content-Type", "text/event-stream");
      x.sendResponseHeaders(200, 0);
      try (OutputStream out = x.getResponseBody()) {
        out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        // The second event is written only after the test has seen the first one through the gateway.
        if (sendSecond.await(20, TimeUnit.SECONDS)) {
          out.write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    sse.setExecutor(Executors.newCachedThreadPool());
    sse.start();
    try {
      String sseRoute = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
      gw.register(sseRoute, sse.getAddress().getPort(), project);
      gw.awaitHealthy(sseRoute, 1);

      HttpResponse<InputStream> r = gw.http().send(HttpRequest.newBuilder(URI.create(gw.base() + "/" + sseRoute + "/events"))
          .header("Authorization", "Bearer " + token.secret()).build(), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).contains("text/event-stream");
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
        assertThat(lines.readLine()).isEqualTo("data: one");
        assertThat(lines.readLine()).isEmpty();
        sendSecond.countDown();
        assertThat(lines.readLine()).isEqualTo("data: two");
        assertThat(lines.readLine()).isEmpty();
        assertThat(lines.readLine()).isNull();
      }
    } finally {
      sendSecond.countDown();
      sse.stop(0);
    }
  }

  @Test
  void aWebSocketEchoesThroughTheGateway() throws Exception {
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket ws = gw.http().newWebSocketBuilder()
        .header("Authorization", "Bearer " + token.secret())
        .buildAsync(URI.create("ws://127.0.0.1:" + gw.node.httpPort() + "/" + route + "/ws"), new WebSocket.Listener() {
          private final StringBuilder text = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              received.add(text.toString());
              text.setLength(0);
            }
            socket.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
            received.add("binary:" + data.remaining());
            socket.request(1);
            return null;
          }
        })
        .get(10, TimeUnit.SECONDS);

    ws.sendText("hello through the gateway", true).get(5, TimeUnit.SECONDS);
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("hello through the gateway");
    ws.sendBinary(ByteBuffer.wrap(new byte[1000]), true).get(5, TimeUnit.SECONDS);
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("binary:1000");
    String big = "x".repeat(200_000);
    ws.sendText(big, true).get(5, TimeUnit.SECONDS);
    assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(big);
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
  }

  @Test
  void anUpgradeWithoutAValidTokenIs401AndNeverReachesTheInstance() {
    long before = probe.requests();
    String upgrade = "GET /" + route + "/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13";

    RawHttp.Response none = RawHttp.send(gw.node.httpPort(), upgrade);
    RawHttp.Response bad = RawHttp.send(gw.node.httpPort(), upgrade + "\r\nAuthorization: Bearer gth_Nobody123_" + "z".repeat(43));
    Gateway.Token revoked = gw.userToken(gw.user(team));
    gw.admin.post("/api/v1/tokens/" + revoked.id() + "/revoke", null);
    RawHttp.Response old = RawHttp.send(gw.node.httpPort(), upgrade + "\r\nAuthorization: Bearer " + revoked.secret());

    assertThat(List.of(none.status(), bad.status(), old.status())).containsOnly(401);
    assertThat(none.headers().get("www-authenticate")).startsWith("Bearer realm=\"gatehouse\"");
    assertThat(probe.requests()).isEqualTo(before);
  }

  @Test
  void requestAndResponseBodiesStreamBothWays() throws Exception {
    int size = 64 * 1024 * 1024;
    byte[] upload = new byte[size];
    new java.util.Random(42).nextBytes(upload);
    CRC32 crc = new CRC32();
    crc.update(upload);

    HttpResponse<String> up = gw.http().send(HttpRequest.newBuilder(URI.create(gw.base() + "/" + route + "/upload"))
        .header("Authorization", "Bearer " + token.secret())
        .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(Gateway.body(up).path("bodyBytes").asLong()).isEqualTo(size);
    assertThat(Gateway.body(up).path("bodyCrc32").asLong()).isEqualTo(crc.getValue());

    HttpResponse<InputStream> down = gw.http().send(HttpRequest.newBuilder(
            URI.create(gw.base() + "/" + route + "/bytes?n=" + size))
        .header("Authorization", "Bearer " + token.secret()).build(), HttpResponse.BodyHandlers.ofInputStream());
    long count = 0;
    MessageDigest got = MessageDigest.getInstance("SHA-256");
    MessageDigest want = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[65536];
    try (InputStream in = down.body()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        got.update(buffer, 0, n);
        for (int i = 0; i < n; i++) {
          want.update((byte) ProbeServer.patternByte(count + i));
        }
        count += n;
      }
    }
    assertThat(count).isEqualTo(size);
    assertThat(HexFormat.of().formatHex(got.digest())).isEqualTo(HexFormat.of().formatHex(want.digest()));
  }

  @Test
  void chunkedUploadsPassAndABodyOverTheRouteLimitIs413() throws Exception {
    String small = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1},'maxRequestBodyBytes':1000", team));
    gw.register(small, probe.port(), project);
    gw.awaitHealthy(small, 1);

    HttpResponse<String> declared = gw.send("POST", "/" + small + "/", token.secret(), "y".repeat(1001));
    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(Gateway.body(declared).path("error").asText()).isEqualTo("payload_too_large");

    // Without Content-Length the limit is enforced as the chunks arrive.
    HttpResponse<String> chunked = gw.http().send(HttpRequest.newBuilder(URI.create(gw.base() + "/" + small + "/"))
        .header("Authorization", "Bearer " + token.secret())
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[5000])))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(chunked.statusCode()).isEqualTo(413);

    HttpResponse<String> fits = gw.http().send(HttpRequest.newBuilder(URI.create(gw.base() + "/" + route + "/"))
        .header("Authorization", "Bearer " + token.secret())
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[300_000])))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(Gateway.body(fits).path("bodyBytes").asLong()).isEqualTo(300_000);
  }

  @Test
  void manyRequestsShareKeepAliveConnectionsCorrectly() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(gw.http().sendAsync(HttpRequest.newBuilder(URI.create(gw.base() + "/" + route + "/n/" + i))
          .header("Authorization", "Bearer " + token.secret()).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (int i = 0; i < 200; i++) {
      HttpResponse<String> r = all.get(i).get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Gateway.body(r).path("path").asText()).isEqualTo("/n/" + i);
    }
  }
}
