package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that sends a whole body too large before it reads (Python's http.client, as requests
 * does) reads the refusal, on every door that refuses a body: the data plane's routes (413), the
 * gateway's own endpoints (413) and the admin API (400). Closing at once, as before, gave it a
 * broken pipe instead of the answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TooLargeBodiesTest {
  private static final int TWENTY_MIB = 20 * 1024 * 1024;
  @TempDir static Path dataDir;
  private Gateway gw;
  private String route;
  private Gateway.Token token;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dataDir));
    String team = gw.group();
    token = gw.userToken(gw.user(team));
    route = gw.route(json("'allowedGroups':['%s'],'maxRequestBodyBytes':1048576,'healthCheck':{'intervalSeconds':1}",
        team));
    gw.register(route, gw.probe("upload").port(), gw.project(List.of(team), List.of()));
    gw.awaitHealthy(route, 1);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  private static String python(int port, String path, String token) throws Exception {
    Process p = new ProcessBuilder("python3", Path.of("src/test/resources/clients/big_body.py").toAbsolutePath().toString(),
        String.valueOf(port), path, token, String.valueOf(TWENTY_MIB)).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.trim();
  }

  @Test
  void aRouteRefusesTheBodyWithA413TheClientReads() throws Exception {
    assertThat(python(gw.node.httpPort(), "/" + route + "/upload", token.secret()))
        .startsWith("413 {\"error\":\"payload_too_large\"");
  }

  @Test
  void aGatewayEndpointRefusesTheBodyWithA413TheClientReads() throws Exception {
    assertThat(python(gw.node.httpPort(), "/_gatehouse/browser-links", token.secret()))
        .startsWith("413 {\"error\":\"payload_too_large\"");
  }

  @Test
  void theAdminApiRefusesTheBodyWithA400TheClientReads() throws Exception {
    assertThat(python(gw.node.adminPort(), "/api/v1/users", TestNodes.ADMIN_TOKEN))
        .startsWith("400 {\"error\":\"invalid_request\",\"message\":\"body: is larger than 1 MiB\"");
  }
}
