package io.gatehouse.node.tcp;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.gatehouse.node.testing.EchoServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.node.testing.TunnelClient;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * API.md "TCP routes" on two nodes, against a TCP echo server: registration with connect health
 * checks, the WebSocket tunnel, session ports (allowFrom, DELETE through the other node), access
 * that ends (revocation through the other node closes within a second), bad input on the new
 * doors, and the connections in the endpoints API with their bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpRoutesTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private TestCluster cluster;
  private Gateway a;
  private Gateway b;
  private String team;
  private String project;
  private EchoServer echo;
  private String route;
  private int firstPort;

  @BeforeAll
  void start() throws IOException {
    firstPort = 20000 + ThreadLocalRandom.current().nextInt(900) * 10;
    cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase(), 2, Clock.systemUTC(), ConfigFactory.parseMap(
        Map.of("gatehouse.tcp.ports", firstPort + "-" + (firstPort + 9))));
    a = cluster.a();
    b = cluster.b();
    team = a.group();
    project = a.project(List.of(team), List.of());
    echo = new EchoServer();
    route = tcpRoute(echo.port());
  }

  @AfterAll
  void stop() throws IOException {
    cluster.close();
    echo.close();
  }

  private String tcpRoute(int port) {
    String name = Gateway.unique("echo");
    var made = a.admin.post("/api/v1/routes", json("{'name':'%s','protocol':'tcp','allowedGroups':['%s'],"
        + "'healthCheck':{'intervalSeconds':1}}", name, team));
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    assertThat(made.json().path("url").asText()).isEqualTo(a.base().replace("http:", "ws:") + "/_gatehouse/tunnel/" + name);
    assertThat(made.json().path("match").isNull()).isTrue();
    var reg = a.admin.post("/api/v1/registrations", json("{'deployment':'dep-%s','project':'%s','route':'%s',"
        + "'address':'127.0.0.1:%d','protocol':'tcp','namespace':'test','leaseSeconds':3600}", name, project, name, port));
    assertThat(reg.status()).as(reg.body()).isEqualTo(201);
    a.awaitHealthy(name, 1);
    b.awaitHealthy(name, 1);
    return name;
  }

  private String userToken() {
    return a.userToken(a.user(team)).secret();
  }

  @Test
  void bytesGoBothWaysThroughTheTunnelWithBackpressure() throws Exception {
    TunnelClient t = TunnelClient.open(b.base(), route, userToken());
    t.send("hello".getBytes(StandardCharsets.UTF_8));
    await().atMost(Duration.ofSeconds(5)).until(() -> t.receivedCount() == 5);
    assertThat(new String(t.received(), StandardCharsets.UTF_8)).isEqualTo("hello");

    // 8 MiB in 64 KiB messages: more than every buffer on the way holds, so backpressure must work.
    byte[] big = new byte[8 * 1024 * 1024];
    new Random(7).nextBytes(big);
    for (int off = 0; off < big.length; off += 65536) {
      t.send(Arrays.copyOfRange(big, off, off + 65536));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> t.receivedCount() == 5 + big.length);
    assertThat(Arrays.copyOfRange(t.received(), 5, 5 + big.length)).isEqualTo(big);
    t.close();
    assertThat(t.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
  }

  @Test
  void aTunnelIsAdmittedLikeARequestAndARefusedOneSendsNothing() throws Exception {
    long before = echo.received();
    assertThatThrownBy(() -> TunnelClient.open(a.base(), route, null))
        .isInstanceOfSatisfying(TunnelClient.Refused.class, r -> assertThat(r.status).isEqualTo(401));
    String outsider = a.userToken(a.user(a.group())).secret();
    assertThatThrownBy(() -> TunnelClient.open(a.base(), route, outsider))
        .isInstanceOfSatisfying(TunnelClient.Refused.class, r -> assertThat(r.status).isEqualTo(403));
    assertThatThrownBy(() -> TunnelClient.open(a.base(), "no-such-route", userToken()))
        .isInstanceOfSatisfying(TunnelClient.Refused.class, r -> assertThat(r.status).isEqualTo(404));
    String httpRoute = a.route("'allowedGroups':['" + team + "']");
    assertThatThrownBy(() -> TunnelClient.open(a.base(), httpRoute, userToken()))
        .isInstanceOfSatisfying(TunnelClient.Refused.class, r -> assertThat(r.status).isEqualTo(404));
    // Not a WebSocket, or not its subprotocol: 400.
    HttpResponse<String> plain = a.get("/_gatehouse/tunnel/" + route, userToken());
    assertThat(plain.statusCode()).isEqualTo(400);
    assertThat(plain.body()).contains("invalid_request");
    assertThat(echo.received()).isEqualTo(before);
  }

  @Test
  void revokingTheTokenThroughTheOtherNodeClosesTheTunnelWithin1s() throws Exception {
    Gateway.Token token = a.userToken(a.user(team));
    TunnelClient t = TunnelClient.open(b.base(), route, token.secret());
    t.send(new byte[] {1, 2, 3});
    await().atMost(Duration.ofSeconds(5)).until(() -> t.receivedCount() == 3);

    assertThat(a.admin.post("/api/v1/tokens/" + token.id() + "/revoke", "").status()).isEqualTo(200);
    long revokedAt = System.nanoTime();
    assertThat(t.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1008);
    assertThat(t.closedAtNanos - revokedAt).isLessThan(SECOND);
    assertThat(t.closeReason).contains("revoked");
  }

  @Test
  void garbageAndOversizedFramesCloseTheTunnelAndTheNodeServesOthers() throws Exception {
    String token = userToken();
    // Unmasked frames are a protocol violation from a client: 1002, closed.
    try (Socket s = upgraded(a, token)) {
      s.getOutputStream().write(new byte[] {(byte) 0x82, 0x03, 1, 2, 3});
      assertThat(closedAfterCloseFrame(s)).isEqualTo(1002);
    }
    // A frame past 1 MiB: 1009.
    try (Socket s = upgraded(a, token)) {
      OutputStream out = s.getOutputStream();
      out.write(new byte[] {(byte) 0x82, (byte) (0x80 | 127), 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4});
      assertThat(closedAfterCloseFrame(s)).isEqualTo(1009);
    }
    // Text messages are not what the tunnel carries: 1003.
    TunnelClient text = TunnelClient.open(a.base(), route, token);
    text.socket().sendText("hi", true).join();
    assertThat(text.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1003);

    TunnelClient fine = TunnelClient.open(a.base(), route, token);
    fine.send(new byte[] {9});
    await().atMost(Duration.ofSeconds(5)).until(() -> fine.receivedCount() == 1);
    fine.close();
  }

  /** A raw socket with its tunnel upgraded (the 101 read). */
  private Socket upgraded(Gateway g, String token) throws IOException {
    Socket s = new Socket("127.0.0.1", g.node.httpPort());
    s.setSoTimeout(5000);
    s.getOutputStream().write(("GET /_gatehouse/tunnel/" + route + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Protocol: gatehouse-tcp\r\nAuthorization: Bearer " + token + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    InputStream in = s.getInputStream();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).as("head so far: " + head).isNotNegative();
      head.append((char) c);
    }
    assertThat(head).startsWith("HTTP/1.1 101").contains("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    return s;
  }

  /** Reads the server's close frame and then the end of the connection; answers the close code. */
  private static int closedAfterCloseFrame(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    int op = in.read();
    assertThat(op & 0x0f).isEqualTo(0x8);
    int len = in.read() & 0x7f;
    byte[] payload = in.readNBytes(len);
    assertThat(in.read()).isEqualTo(-1);
    return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
  }

  @Test
  void aSessionPortTakesConnectionsFromAllowFromOnlyAndEndsWhenDeletedThroughTheOtherNode() throws Exception {
    String token = userToken();
    HttpResponse<String> made = a.send("POST", "/_gatehouse/tcp-sessions", token,
        json("{'route':'%s','ttlMinutes':5}", route));
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    JsonNode session = Gateway.body(made);
    assertThat(session.path("host").asText()).isEqualTo("127.0.0.1");
    int port = session.path("port").asInt();
    assertThat(port).isBetween(firstPort, firstPort + 9);
    assertThat(session.path("allowFrom").asText()).isEqualTo("127.0.0.1");
    assertThat(Instant.parse(session.path("expiresAt").asText()))
        .isBetween(Instant.now().plusSeconds(4 * 60), Instant.now().plusSeconds(5 * 60));

    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(5000);
    s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
    assertThat(new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");

    // From another address than allowFrom: reset at once, and nothing reaches the instance.
    long before = echo.received();
    assertThat(connectWriteThenReadOrReset("127.0.0.2", port, "nope")).isEqualTo(-1);
    assertThat(echo.received()).isEqualTo(before);

    // DELETE through node B (the session lives on A): the open connection and the port close.
    HttpResponse<String> deleted = b.send("DELETE", "/_gatehouse/tcp-sessions/" + session.path("id").asText(), token, null);
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
    assertThat(readOrReset(s)).isEqualTo(-1);
    s.close();
    await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class));
    assertThat(b.send("DELETE", "/_gatehouse/tcp-sessions/" + session.path("id").asText(), token, null).statusCode())
        .isEqualTo(404);
  }

  @Test
  void aSessionPortClosesWithin1sOfItsTokensRevocationThroughTheOtherNode() throws Exception {
    Gateway.Token token = a.userToken(a.user(team));
    JsonNode session = Gateway.body(a.send("POST", "/_gatehouse/tcp-sessions", token.secret(),
        json("{'route':'%s','allowFrom':'127.0.0.0/24'}", route)));
    assertThat(session.path("allowFrom").asText()).isEqualTo("127.0.0.0/24");
    Socket s = new Socket("127.0.0.1", session.path("port").asInt());
    s.setSoTimeout(5000);
    s.getOutputStream().write(1);
    assertThat(s.getInputStream().read()).isEqualTo(1);

    assertThat(b.admin.post("/api/v1/tokens/" + token.id() + "/revoke", "").status()).isEqualTo(200);
    long revokedAt = System.nanoTime();
    assertThat(readOrReset(s)).isEqualTo(-1);
    assertThat(System.nanoTime() - revokedAt).isLessThan(SECOND);
    s.close();
  }

  @Test
  void badSessionRequestsAreRefusedWithTheErrorBody() {
    String token = userToken();
    HttpResponse<String> none = a.send("POST", "/_gatehouse/tcp-sessions", null, json("{'route':'%s'}", route));
    assertThat(none.statusCode()).isEqualTo(401);
    HttpResponse<String> cidr = a.send("POST", "/_gatehouse/tcp-sessions", token,
        json("{'route':'%s','allowFrom':'example.com'}", route));
    assertThat(cidr.statusCode()).isEqualTo(400);
    assertThat(cidr.body()).contains("allowFrom");
    HttpResponse<String> ttl = a.send("POST", "/_gatehouse/tcp-sessions", token,
        json("{'route':'%s','ttlMinutes':0}", route));
    assertThat(ttl.statusCode()).isEqualTo(400);
    assertThat(a.send("POST", "/_gatehouse/tcp-sessions", token, json("{'route':'nope'}")).statusCode()).isEqualTo(404);
    assertThat(a.send("POST", "/_gatehouse/tcp-sessions", token, "{").statusCode()).isEqualTo(400);
  }

  @Test
  void anAllowFromWiderThanTheWidestAllowedIsRefused() {
    String token = userToken();
    for (String wide : java.util.List.of("0.0.0.0/0", "10.0.0.0/8", "::/0", "fd00::/48")) {
      HttpResponse<String> r = a.send("POST", "/_gatehouse/tcp-sessions", token,
          json("{'route':'%s','allowFrom':'%s'}", route, wide));
      assertThat(r.statusCode()).as(wide).isEqualTo(400);
      assertThat(Gateway.body(r).path("message").asText()).startsWith("allowFrom: may be at most a /");
    }
  }

  @Test
  void onePrincipalHoldsAtMostASetNumberOfSessionPorts() {
    String token = userToken();
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = a.send("POST", "/_gatehouse/tcp-sessions", token, json("{'route':'%s'}", route));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      ids.add(Gateway.body(r).path("id").asText());
    }

    HttpResponse<String> sixth = a.send("POST", "/_gatehouse/tcp-sessions", token, json("{'route':'%s'}", route));
    HttpResponse<String> otherPrincipal = a.send("POST", "/_gatehouse/tcp-sessions", userToken(),
        json("{'route':'%s'}", route));

    assertThat(sixth.statusCode()).isEqualTo(429);
    assertThat(Gateway.body(sixth).path("error").asText()).isEqualTo("limit_reached");
    assertThat(otherPrincipal.statusCode()).as(otherPrincipal.body()).isEqualTo(201);
    a.send("DELETE", "/_gatehouse/tcp-sessions/" + Gateway.body(otherPrincipal).path("id").asText(), token, null);
    for (String id : ids) {
      assertThat(a.send("DELETE", "/_gatehouse/tcp-sessions/" + id, token, null).statusCode()).isEqualTo(204);
    }
  }

  @Test
  void aConnectionCountsAsOneRequestWithItsBytesPerRouteAndToken() throws Exception {
    String name = tcpRoute(echo.port());
    Gateway.Token token = a.userToken(a.user(team));
    TunnelClient t = TunnelClient.open(a.base(), name, token.secret());
    t.send(new byte[1000]);
    await().atMost(Duration.ofSeconds(5)).until(() -> t.receivedCount() == 1000);
    t.close();
    t.closed.get(5, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode item = null;
      for (JsonNode e : b.admin.get("/api/v1/endpoints").json().path("items")) {
        if (e.path("route").asText().equals(name)) {
          item = e;
        }
      }
      assertThat(item).isNotNull();
      assertThat(item.path("protocol").asText()).isEqualTo("tcp");
      assertThat(item.path("totalRequests").asLong()).isEqualTo(1);
      assertThat(item.path("bytesIn").asLong()).isEqualTo(1000);
      assertThat(item.path("bytesOut").asLong()).isEqualTo(1000);
      JsonNode series = b.admin.get("/api/v1/endpoints/" + name + "/requests?by=token").json().path("series");
      assertThat(series).hasSize(1);
      assertThat(series.get(0).path("tokenId").asText()).isEqualTo(token.id());
      assertThat(series.get(0).path("bytesIn").asLong()).isEqualTo(1000);
    });
  }

  /**
   * Connects from {@code from}, writes and reads one byte; a reset counts as the end (-1), on the
   * connect (it may come before {@code connect} returns), the write or the read.
   */
  private static int connectWriteThenReadOrReset(String from, int port, String text) throws IOException {
    try (Socket other = new Socket()) {
      other.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      other.setSoTimeout(5000);
      try {
        other.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      } catch (java.net.SocketException e) {
        return -1;
      }
      return writeThenReadOrReset(other, text);
    }
  }

  /** Writes and reads one byte; a reset (which may already come on the write) counts as the end. */
  private static int writeThenReadOrReset(Socket s, String text) {
    try {
      s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    } catch (java.net.SocketException e) {
      return -1;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return readOrReset(s);
  }

  /** Reads one byte; a reset reads as the end (-1). */
  private static int readOrReset(Socket s) {
    try {
      return s.getInputStream().read();
    } catch (java.net.SocketException e) {
      return -1;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
