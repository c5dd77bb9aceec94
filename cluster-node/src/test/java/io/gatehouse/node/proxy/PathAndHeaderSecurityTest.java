package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.RawHttp;
import io.gatehouse.node.testing.TestNodes;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Crafted requests that try to leave their route or to speak for the gateway. The caller may use
 * {@code /llm} and the subdomain route {@code chat}, never {@code /secret}. Every request must be
 * refused by the gateway or reach the {@code llm} (or {@code chat}) instance on a path inside it,
 * with the gateway's own {@code X-Gatehouse-*} headers only. The {@code /secret} instance must see
 * no request at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PathAndHeaderSecurityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;
  private Gateway gw;
  private ProbeServer llm;
  private ProbeServer chat;
  private ProbeServer secret;
  private Gateway.Token token;
  private String user;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dataDir).withValue("gatehouse.base-domain", ConfigValueFactory.fromAnyRef("gw.test")));
    String team = gw.group();
    String vault = gw.group();
    String project = gw.project(List.of(team), List.of());
    user = gw.user(team);
    token = gw.userToken(user);
    llm = gw.probe("llm-instance");
    chat = gw.probe("chat-instance");
    secret = gw.probe("secret-instance");
    create(json("{'name':'llm','match':{'pathPrefix':'/llm'},'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}}", team));
    create(json("{'name':'chat','match':{'subdomain':'chat'},'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}}", team));
    create(json("{'name':'secret','match':{'pathPrefix':'/secret'},'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}}", vault));
    gw.register("llm", llm.port(), project);
    gw.register("chat", chat.port(), project);
    gw.register("secret", secret.port(), project);
    gw.awaitHealthy("llm", 1);
    gw.awaitHealthy("chat", 1);
    gw.awaitHealthy("secret", 1);
  }

  private void create(String body) {
    assertThat(gw.admin.post("/api/v1/routes", body).status()).isEqualTo(201);
  }

  @AfterAll
  void stop() {
    assertThat(secret.requests()).as("requests that reached the /secret instance").isZero();
    gw.close();
  }

  /** Request line target, extra header lines, and the statuses acceptable for it. */
  static Stream<Arguments> craftedRequests() {
    return Stream.of(
        Arguments.of("/llm/../secret/x", "", List.of(400)),
        Arguments.of("/llm/%2e%2e/secret/x", "", List.of(400)),
        Arguments.of("/llm/%2E%2E/secret/x", "", List.of(400)),
        Arguments.of("/llm/.%2e/secret/x", "", List.of(400)),
        Arguments.of("/llm/%2e./secret/x", "", List.of(400)),
        Arguments.of("/llm/..%2fsecret/x", "", List.of(400)),
        Arguments.of("/llm%2f..%2fsecret/x", "", List.of(400)),
        Arguments.of("/llm/%2F../secret", "", List.of(400)),
        Arguments.of("/llm/..%5csecret", "", List.of(400)),
        Arguments.of("/llm/..%5Csecret", "", List.of(400)),
        Arguments.of("/llm\\..\\secret", "", List.of(400)),
        Arguments.of("/llm/..\\secret", "", List.of(400)),
        Arguments.of("/llm//../secret", "", List.of(400)),
        Arguments.of("/llm/%252e%252e/secret", "", List.of(400)),
        Arguments.of("/llm/%252f/secret", "", List.of(400)),
        Arguments.of("/llm/%00/x", "", List.of(400)),
        Arguments.of("/llm/x%00", "", List.of(400)),
        Arguments.of("/llm/%zz/x", "", List.of(400)),
        Arguments.of("/llm/./x", "", List.of(400)),
        Arguments.of("/llm/x/..", "", List.of(400)),
        Arguments.of("/llm;/../secret", "", List.of(400)),
        Arguments.of("/llm/%2e", "", List.of(400)),
        Arguments.of("http://127.0.0.1/secret/x", "", List.of(400)),
        Arguments.of("secret/x", "", List.of(400)),
        Arguments.of("//secret/x", "", List.of(403)),
        Arguments.of("/secret/x", "", List.of(403)),
        Arguments.of("/SECRET/x", "", List.of(404)),
        Arguments.of("/llmx/y", "", List.of(404)),
        Arguments.of("/secret", "Host: llm.gw.test", List.of(403)),
        Arguments.of("/secret/x", "Host: chat.gw.test", List.of(200)),
        Arguments.of("/x", "Host: chat.gw.test.evil.example", List.of(404)),
        // RFC 9112 section 3.2: one Host, and one a host can have.
        Arguments.of("/llm/x", "Host: 127.0.0.1\r\nHost: chat.gw.test", List.of(400)),
        Arguments.of("/secret/x", "Host: chat.gw.test\r\nHost: chat.gw.test", List.of(400)),
        Arguments.of("/llm/x", "Host: chat.gw.test/x", List.of(400)),
        Arguments.of("/llm/x", "Host: user@chat.gw.test", List.of(400)),
        Arguments.of("/llm/x", "Host: chat.gw.test:80:80", List.of(400)),
        Arguments.of("/llm/x?../../secret", "", List.of(200)),
        Arguments.of("//llm//x", "", List.of(200)),
        Arguments.of("/llm/x", "X-Gatehouse-Principal: user:root", List.of(200)),
        Arguments.of("/llm/x", "x-gatehouse-token-id: tok_forged000\r\nX-GATEHOUSE-ROUTE: secret", List.of(200)),
        Arguments.of("/llm/x", "Connection: keep-alive, X-Gatehouse-Principal\r\nX-Gatehouse-Principal: user:root", List.of(200)),
        Arguments.of("/llm/x", "X-Forwarded-For: 6.6.6.6\r\nForwarded: for=6.6.6.6;host=secret", List.of(200)),
        Arguments.of("/llm/x", "X-Gatehouse-Instance: secret.0000000000", List.of(200)),
        // Spelled with '_', which CGI, WSGI, Rack and PHP read as the same header.
        Arguments.of("/llm/x", "X_Gatehouse_Principal: user:admin", List.of(200)),
        Arguments.of("/llm/x", "x_gatehouse_token_id: tok_forged000\r\nX-Gatehouse_Token-Id: tok_forged000", List.of(200)),
        Arguments.of("/llm/x", "X_Forwarded_For: 6.6.6.6\r\nX-Forwarded_Host: secret.gw.test", List.of(200)),
        Arguments.of("/llm/x", "FORWARDED: for=6.6.6.6\r\nX_Request_Id: forged-id", List.of(200)),
        Arguments.of("/llm/x", "Authorization: Bearer gth_Forged0000_" + "x".repeat(43), List.of(401)),
        Arguments.of("/llm/x", "Proxy-Authorization: Bearer x\r\nTE: trailers\r\nUpgrade: h2c", List.of(200)),
        // Header names must be tokens; the gateway's own names skip the check only when it adds them.
        Arguments.of("/llm/x", "Bad(Name: 1", List.of(400)),
        Arguments.of("/llm/x", "X-Forwarded-For : 6.6.6.6", List.of(400)),
        Arguments.of("/llm/x", "X-Request-Id\u0001: 1", List.of(400)));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @MethodSource("craftedRequests")
  void noCraftedRequestLeavesItsRouteOrSpeaksForTheGateway(String target, String extraHeaders, List<Integer> allowed)
      throws Exception {
    String host = extraHeaders.startsWith("Host:") ? "" : "Host: 127.0.0.1:" + gw.node.httpPort() + "\r\n";
    String head = "GET " + target + " HTTP/1.1\r\n" + host + "Authorization: Bearer " + token.secret()
        + (extraHeaders.isEmpty() ? "" : "\r\n" + extraHeaders);

    RawHttp.Response r = RawHttp.send(gw.node.httpPort(), head);

    assertThat(r.status()).as("%s -> %s", target, r.body()).isIn(allowed);
    if (r.status() == 200) {
      JsonNode seen = JSON.readTree(r.body());
      assertThat(seen.path("instance").asText()).isIn("llm-instance", "chat-instance");
      assertThat(seen.path("path").asText()).doesNotContain("..").doesNotContainIgnoringCase("%2e")
          .doesNotContain("\\").doesNotContain("secret/..");
      JsonNode headers = seen.path("headers");
      assertThat(headers.path("x-gatehouse-principal").asText()).isEqualTo("user:" + user);
      assertThat(headers.path("x-gatehouse-token-id").asText()).isEqualTo(token.id());
      assertThat(headers.has("x-gatehouse-route")).isFalse();
      assertThat(headers.has("x-gatehouse-instance")).isFalse();
      assertThat(headers.has("authorization")).isFalse();
      assertThat(headers.path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
      assertThat(headers.fieldNames()).toIterable().allSatisfy(name -> assertThat(name.replace('_', '-'))
          .as("a client header passing for the gateway's").satisfiesAnyOf(
              n -> assertThat(n).doesNotStartWith("x-gatehouse-").doesNotStartWith("x-forwarded-")
                  .isNotEqualTo("forwarded"),
              n -> assertThat(name).doesNotContain("_")));
      assertThat(r.body()).doesNotContain(token.secret()).doesNotContain("6.6.6.6").doesNotContain("user:admin")
          .doesNotContain("tok_forged000").doesNotContain("forged-id");
    } else {
      assertThat(JSON.readTree(r.body()).path("error").asText()).isNotBlank();
    }
  }

  @Test
  void twoAuthorizationHeadersAreRefused() {
    RawHttp.Response r = RawHttp.send(gw.node.httpPort(), "GET /llm/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + token.secret() + "\r\nAuthorization: Bearer gth_Other0000_" + "y".repeat(43));
    assertThat(r.status()).isEqualTo(401);
  }

  @Test
  void theTokenNeverReachesTheInstanceNorTheRequestLog() throws Exception {
    long before = llm.requests();
    RawHttp.Response r = RawHttp.send(gw.node.httpPort(), "GET /llm/leak?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + token.secret());
    assertThat(r.status()).isEqualTo(200);
    assertThat(llm.requests()).isEqualTo(before + 1);
    assertThat(r.body()).doesNotContain(token.secret());
    assertThat(io.gatehouse.node.testing.LogRecorder.lines())
        .anySatisfy(line -> assertThat(line).contains("\"path\":\"/llm/leak\"").contains(token.id()))
        .noneSatisfy(line -> assertThat(line).contains(token.secret().substring(20)));
  }
}
