package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static io.gatehouse.node.testing.Gateway.answeredBy;
import static io.gatehouse.node.testing.Gateway.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import io.gatehouse.persistence.testing.MutableClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** API.md "Data plane": the order of checks, the answers and headers, and the route lifecycle. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DataPlaneTest {
  private static final String CHALLENGE = "Bearer realm=\"gatehouse\", error=\"invalid_token\"";

  @TempDir static Path dataDir;
  private final MutableClock clock = MutableClock.ticking();
  private Gateway gw;
  private ProbeServer probe;
  private String team;
  private String project;
  private String member;
  private Gateway.Token memberToken;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dataDir), clock);
    probe = gw.probe("probe-1");
    team = gw.group();
    project = gw.project(List.of(team), List.of());
    member = gw.user(team);
    memberToken = gw.userToken(member);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  /** A static route for the team, served by the shared probe. */
  private String servedRoute(String extraFields) {
    String route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'path':'/health','intervalSeconds':1}%s",
        team, extraFields));
    gw.register(route, probe.port(), project);
    gw.awaitHealthy(route, 1);
    return route;
  }

  private static void assertError(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(body(r).path("error").asText()).isEqualTo(code);
    assertThat(body(r).path("message").asText()).isNotBlank();
  }

  @Nested
  class TheOrderOfChecks {
    @Test
    void noTokenIs401BeforeAnyRouteIsLookedAt() {
      HttpResponse<String> r = gw.get("/no-such-route/x", null);
      assertError(r, 401, "invalid_token");
      assertThat(r.headers().firstValue("WWW-Authenticate")).contains(CHALLENGE);
    }

    @Test
    void malformedAndUnknownTokensAre401() {
      assertError(gw.get("/x", "not-a-token"), 401, "invalid_token");
      assertError(gw.get("/x", "gth_Unknown123_" + "a".repeat(43)), 401, "invalid_token");
      HttpResponse<String> basic = gw.get("/x", null, "Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l");
      assertError(basic, 401, "invalid_token");
    }

    @Test
    void aRevokedTokenIs401AndSaysSo() {
      String route = servedRoute("");
      Gateway.Token t = gw.userToken(member);
      assertThat(gw.get("/" + route + "/", t.secret()).statusCode()).isEqualTo(200);

      gw.admin.post("/api/v1/tokens/" + t.id() + "/revoke", null);

      HttpResponse<String> r = gw.get("/" + route + "/", t.secret());
      assertError(r, 401, "invalid_token");
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .contains(CHALLENGE + ", error_description=\"token revoked\"");
    }

    @Test
    void anExpiredTokenIs401AndSaysSo() {
      String route = servedRoute("");
      AdminClient.Reply issued = gw.admin.post("/api/v1/tokens", json(
          "{'label':'short','expiresInHours':1,'principal':{'type':'user','name':'%s'}}", member));
      String token = issued.json().path("token").asText();
      assertThat(gw.get("/" + route + "/", token).statusCode()).isEqualTo(200);

      clock.advance(Duration.ofMinutes(61));

      HttpResponse<String> r = gw.get("/" + route + "/", token);
      assertError(r, 401, "invalid_token");
      assertThat(r.headers().firstValue("WWW-Authenticate"))
          .contains(CHALLENGE + ", error_description=\"token expired\"");
    }

    @Test
    void aValidTokenForNoRouteIs404() {
      assertError(gw.get("/no-such-route/v1", memberToken.secret()), 404, "not_found");
    }

    @Test
    void aPrincipalOutsideTheRouteIs403() {
      String route = servedRoute("");
      String outsider = gw.user();
      assertError(gw.get("/" + route + "/", gw.userToken(outsider).secret()), 403, "forbidden");
    }

    @Test
    void aTokenScopedToOtherRoutesIs403() {
      String route = servedRoute("");
      String other = servedRoute("");
      Gateway.Token scoped = gw.token("user", member, json(",'routes':['%s']", other));

      assertError(gw.get("/" + route + "/", scoped.secret()), 403, "forbidden");
      assertThat(gw.get("/" + other + "/", scoped.secret()).statusCode()).isEqualTo(200);
    }

    @Test
    void noHealthyInstanceIs503WithRetryAfterAndTheRouteStays() {
      String route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'path':'/health','intervalSeconds':1}", team));
      HttpResponse<String> r = gw.get("/" + route + "/", memberToken.secret());
      assertError(r, 503, "no_healthy_instance");
      assertThat(r.headers().firstValue("Retry-After")).contains("5");
      assertError(gw.get("/" + route + "/", gw.userToken(gw.user()).secret()), 403, "forbidden");

      gw.register(route, probe.port(), project);

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(gw.get("/" + route + "/v1", memberToken.secret()).statusCode()).isEqualTo(200));
    }
  }

  @Nested
  class ProxiedAnswers {
    @Test
    void carryTheRequestIdAndTheInstance() {
      String route = servedRoute("");
      HttpResponse<String> r = gw.get("/" + route + "/v1/chat/completions?stream=false", memberToken.secret());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f]{32}"));
      JsonNode instances = gw.admin.get("/api/v1/routes/" + route + "/instances").json().path("items");
      assertThat(r.headers().firstValue("X-Gatehouse-Instance")).contains(instances.get(0).path("id").asText());
      assertThat(body(r).path("uri").asText()).isEqualTo("/v1/chat/completions?stream=false");
    }

    @Test
    void theInstanceGetsTheGatewaysHeadersAndNeverTheToken() {
      String route = servedRoute("");
      HttpResponse<String> r = gw.get("/" + route + "/who", memberToken.secret(),
          "X-Request-Id", "client-req-42",
          "X-Gatehouse-Principal", "user:root",
          "X-Gatehouse-Token-Id", "tok_forged000",
          "x-gatehouse-instance", "forged",
          "X-Forwarded-For", "6.6.6.6",
          "X-Forwarded-Host", "evil.example");

      JsonNode seen = body(r).path("headers");
      assertThat(seen.path("x-request-id").asText()).isEqualTo("client-req-42");
      assertThat(r.headers().firstValue("X-Request-Id")).contains("client-req-42");
      assertThat(seen.path("x-gatehouse-principal").asText()).isEqualTo("user:" + member);
      assertThat(seen.path("x-gatehouse-token-id").asText()).isEqualTo(memberToken.id());
      assertThat(seen.has("x-gatehouse-instance")).isFalse();
      assertThat(seen.path("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
      assertThat(seen.path("x-forwarded-proto").asText()).isEqualTo("http");
      assertThat(seen.path("x-forwarded-host").asText()).isEqualTo("127.0.0.1:" + gw.node.httpPort());
      assertThat(seen.has("authorization")).isFalse();
      assertThat(r.body()).doesNotContain(memberToken.secret());
    }

    @Test
    void withoutStripPrefixTheWholePathIsForwarded() {
      String route = servedRoute(",'stripPrefix':false");
      assertThat(body(gw.get("/" + route + "/v1/models", memberToken.secret())).path("path").asText())
          .isEqualTo("/" + route + "/v1/models");
    }

    @Test
    void prefixesMatchWholeSegmentsAndTheLongestWins() {
      String outer = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
      ProbeServer inner = gw.probe("inner");
      AdminClient.Reply nested = gw.admin.post("/api/v1/routes", json("{'name':'%s-stream','match':{'pathPrefix':'/%s/stream'},"
          + "'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}}", outer, outer, team));
      assertThat(nested.status()).as(nested.body()).isEqualTo(201);
      gw.register(outer, probe.port(), project);
      gw.register(outer + "-stream", inner.port(), project);
      gw.awaitHealthy(outer, 1);
      gw.awaitHealthy(outer + "-stream", 1);

      assertThat(answeredBy(gw.get("/" + outer + "/stream/x", memberToken.secret()))).isEqualTo("inner");
      assertThat(answeredBy(gw.get("/" + outer + "/streams", memberToken.secret()))).isEqualTo("probe-1");
      assertError(gw.get("/" + outer + "x/y", memberToken.secret()), 404, "not_found");
    }
  }

  @Nested
  class UpstreamFailures {
    @Test
    void aRefusedConnectionIs502() throws Exception {
      ProbeServer doomed = gw.probe("doomed");
      String route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'path':'/health','intervalSeconds':60}", team));
      gw.register(route, doomed.port(), project);
      gw.awaitHealthy(route, 1);
      doomed.close();

      assertError(gw.get("/" + route + "/", memberToken.secret()), 502, "upstream_unavailable");
      // The refusal took the instance out of rotation: the route now has none.
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertError(gw.get("/" + route + "/", memberToken.secret()), 503, "no_healthy_instance"));
    }

    @Test
    void aConnectFailureIsRetriedOnceOnAnotherInstance() {
      ProbeServer a = gw.probe("retry-a");
      ProbeServer b = gw.probe("retry-b");
      String route = gw.route(json("'allowedGroups':['%s'],'affinity':'none','healthCheck':{'intervalSeconds':60}", team));
      gw.register(route, a.port(), project);
      gw.register(route, b.port(), project);
      gw.awaitHealthy(route, 2);
      a.close();

      for (int i = 0; i < 10; i++) {
        assertThat(answeredBy(gw.get("/" + route + "/", memberToken.secret()))).isEqualTo("retry-b");
      }
    }

    @Test
    void aBurstOf5xxEjectsTheInstanceUntilItPassesAHealthCheckAgain() {
      ProbeServer flaky = gw.probe("flaky");
      String route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
      gw.register(route, flaky.port(), project);
      gw.awaitHealthy(route, 1);

      for (int i = 0; i < io.gatehouse.node.upstream.Upstreams.FIVE_XX_BURST; i++) {
        assertThat(gw.get("/" + route + "/status/500", memberToken.secret()).statusCode()).isEqualTo(500);
      }
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertError(gw.get("/" + route + "/", memberToken.secret()), 503, "no_healthy_instance"));

      // The ejection lasts 2 s in tests; the next passed health check brings the instance back.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(gw.get("/" + route + "/", memberToken.secret()).statusCode()).isEqualTo(200));
    }

    @Test
    void anInstanceThatDoesNotAnswerInTimeIs504() throws IOException {
      CountDownLatch release = new CountDownLatch(1);
      HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      slow.createContext("/health", x -> {
        x.sendResponseHeaders(200, -1);
        x.close();
      });
      slow.createContext("/", x -> {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        x.sendResponseHeaders(200, -1);
        x.close();
      });
      slow.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
      slow.start();
      try {
        String route = gw.route(json("'allowedGroups':['%s'],'timeouts':{'connectSeconds':1,'idleSeconds':1},"
            + "'healthCheck':{'intervalSeconds':1}", team));
        gw.register(route, slow.getAddress().getPort(), project);
        gw.awaitHealthy(route, 1);

        assertError(gw.get("/" + route + "/slow", memberToken.secret()), 504, "upstream_timeout");
      } finally {
        release.countDown();
        slow.stop(0);
      }
    }
  }

  @Nested
  class Lifecycle {
    @Test
    void deletingARouteStopsNewRequestsAtOnce() {
      String route = servedRoute("");
      assertThat(gw.get("/" + route + "/", memberToken.secret()).statusCode()).isEqualTo(200);

      assertThat(gw.admin.delete("/api/v1/routes/" + route).status()).isEqualTo(204);

      assertError(gw.get("/" + route + "/", memberToken.secret()), 404, "not_found");
      assertThat(gw.admin.get("/api/v1/routes/" + route).status()).isEqualTo(404);
    }

    @Test
    void changingRbacTakesEffectOnTheNextRequest() {
      String route = servedRoute("");
      assertThat(gw.get("/" + route + "/", memberToken.secret()).statusCode()).isEqualTo(200);

      AdminClient.Reply closed = gw.admin.put("/api/v1/routes/" + route,
          json("{'match':{'pathPrefix':'/%s'},'allowedGroups':[],'healthCheck':{'intervalSeconds':1}}", route));
      assertThat(closed.status()).as(closed.body()).isEqualTo(200);
      assertError(gw.get("/" + route + "/", memberToken.secret()), 403, "forbidden");

      gw.admin.put("/api/v1/routes/" + route, json(
          "{'match':{'pathPrefix':'/%s'},'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}}", route, team));
      assertThat(gw.get("/" + route + "/", memberToken.secret()).statusCode()).isEqualTo(200);
    }

    @Test
    void leavingTheGroupOrBeingDeletedTakesEffectOnTheNextRequest() {
      String route = servedRoute("");
      String user = gw.user(team);
      Gateway.Token t = gw.userToken(user);
      assertThat(gw.get("/" + route + "/", t.secret()).statusCode()).isEqualTo(200);

      gw.admin.put("/api/v1/users/" + user, "{\"groups\":[]}");
      assertError(gw.get("/" + route + "/", t.secret()), 403, "forbidden");

      gw.admin.delete("/api/v1/users/" + user);
      assertError(gw.get("/" + route + "/", t.secret()), 401, "invalid_token");
    }

    @Test
    void anEphemeralRouteAdmitsItsProjectAndGoesWithItsLastInstance() {
      String partner = gw.serviceAccount();
      String otherTeam = gw.group();
      String proj = gw.project(List.of(otherTeam), List.of(partner));
      String deployment = Gateway.unique("vllm");
      AdminClient.Reply reg = gw.admin.post("/api/v1/registrations", json("{'deployment':'%s','project':'%s',"
          + "'address':'127.0.0.1:%d','namespace':'test','leaseSeconds':3600}", deployment, proj, probe.port()));
      assertThat(reg.status()).as(reg.body()).isEqualTo(201);
      assertThat(reg.json().path("url").asText()).endsWith("/deployments/" + deployment + "/");
      gw.awaitHealthy(deployment, 1);
      String path = "/deployments/" + deployment + "/v1/models";

      assertThat(body(gw.get(path, gw.userToken(gw.user(otherTeam)).secret())).path("path").asText()).isEqualTo("/v1/models");
      assertThat(gw.get(path, gw.token("service-account", partner, "").secret()).statusCode()).isEqualTo(200);
      assertError(gw.get(path, memberToken.secret()), 403, "forbidden");
      assertThat(gw.admin.get("/api/v1/routes/" + deployment).json().path("kind").asText()).isEqualTo("ephemeral");

      assertThat(gw.admin.delete("/api/v1/registrations/" + reg.json().path("instanceId").asText()).status()).isEqualTo(204);

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertError(gw.get(path, memberToken.secret()), 404, "not_found");
        assertThat(gw.admin.get("/api/v1/routes/" + deployment).status()).isEqualTo(404);
      });
    }

    @Test
    void aLeaseWithoutHeartbeatsExpiresAndAHeartbeatAfterThatIs404() {
      String route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
      AdminClient.Reply kept = gw.admin.post("/api/v1/registrations", json("{'deployment':'d','project':'%s','route':'%s',"
          + "'address':'127.0.0.1:%d','namespace':'test','leaseSeconds':5}", project, route, probe.port()));
      ProbeServer other = gw.probe("lapsing");
      AdminClient.Reply lapsing = gw.admin.post("/api/v1/registrations", json("{'deployment':'d','project':'%s','route':'%s',"
          + "'address':'127.0.0.1:%d','namespace':'test','leaseSeconds':5}", project, route, other.port()));
      String keptId = kept.json().path("instanceId").asText();
      String lapsingId = lapsing.json().path("instanceId").asText();

      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        assertThat(gw.admin.put("/api/v1/registrations/" + keptId + "/heartbeat", "").status()).isEqualTo(200);
        JsonNode items = gw.admin.get("/api/v1/routes/" + route + "/instances").json().path("items");
        assertThat(items).extracting(i -> i.path("id").asText()).containsExactly(keptId);
      });
      AdminClient.Reply late = gw.admin.put("/api/v1/registrations/" + lapsingId + "/heartbeat", "");
      assertThat(late.status()).isEqualTo(404);
      assertThat(late.message()).contains("register again");
    }

    @Test
    void dataPlaneUseIsRecordedAsLastUse() {
      String route = servedRoute("");
      Gateway.Token t = gw.userToken(member);
      gw.get("/" + route + "/", t.secret());

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(gw.admin.get("/api/v1/tokens/" + t.id()).json().path("lastUsedAt").isNull()).isFalse());
    }
  }

  @Nested
  class RoutesAndRegistrationsApi {
    @Test
    void theSamePrefixTwiceIsAConflict() {
      String route = gw.route("");
      AdminClient.Reply dup = gw.admin.post("/api/v1/routes", json("{'name':'%s-2','match':{'pathPrefix':'/%s'}}", route, route));
      assertThat(dup.status()).isEqualTo(409);
      assertThat(gw.admin.post("/api/v1/routes", json("{'name':'%s','match':{'pathPrefix':'/elsewhere-%s'}}", route, route))
          .status()).isEqualTo(409);
    }

    @Test
    void badRoutesAreRefusedNamingTheField() {
      assertThat(gw.admin.post("/api/v1/routes", "{\"name\":\"r-a\",\"match\":{\"pathPrefix\":\"nope\"}}").message())
          .startsWith("match.pathPrefix:");
      assertThat(gw.admin.post("/api/v1/routes", "{\"name\":\"r-b\",\"match\":{\"pathPrefix\":\"/\"}}").message())
          .startsWith("match.pathPrefix:");
      assertThat(gw.admin.post("/api/v1/routes", "{\"name\":\"r-c\",\"match\":{\"pathPrefix\":\"/a/../b\"}}").message())
          .startsWith("match.pathPrefix:");
      assertThat(gw.admin.post("/api/v1/routes", "{\"name\":\"r-d\",\"match\":{\"subdomain\":\"chat\"}}").message())
          .startsWith("match.subdomain:");
      assertThat(gw.admin.post("/api/v1/routes", "{\"name\":\"r-e\",\"match\":{\"pathPrefix\":\"/e\"},\"affinity\":\"sticky\"}")
          .message()).startsWith("affinity:");
      assertThat(gw.admin.post("/api/v1/routes", "{\"name\":\"r-f\",\"match\":{\"pathPrefix\":\"/f\"},\"allowedGroups\":[\"ghosts\"]}")
          .message()).startsWith("allowedGroups:");
      assertThat(gw.admin.post("/api/v1/routes", "{\"name\":\"r-g\",\"match\":{\"pathPrefix\":\"/g\"},\"timeouts\":{\"connectSeconds\":0}}")
          .message()).startsWith("timeouts.connectSeconds:");
      assertThat(gw.admin.post("/api/v1/routes", "{\"name\":\"r-h\",\"match\":{\"pathPrefix\":\"/deployments/x\"}}")
          .message()).startsWith("match.pathPrefix:");
      assertThat(gw.admin.get("/api/v1/routes/r-a").status()).isEqualTo(404);
    }

    @Test
    void registrationsAreChecked() {
      String route = gw.route("");
      String body = "{'deployment':'d','project':'%s','route':'%s','address':'%s','namespace':'%s'}";
      assertThat(gw.admin.post("/api/v1/registrations", json(body, project, route, "127.0.0.1:1", "prod")).message())
          .startsWith("namespace:");
      assertThat(gw.admin.post("/api/v1/registrations", json(body, "no-such-project", route, "127.0.0.1:1", "test"))
          .message()).startsWith("project:");
      assertThat(gw.admin.post("/api/v1/registrations", json(body, project, "no-such-route", "127.0.0.1:1", "test"))
          .message()).startsWith("route:");
      assertThat(gw.admin.post("/api/v1/registrations", json(body, project, route, "not an address", "test"))
          .message()).startsWith("address:");
      assertThat(gw.admin.post("/api/v1/registrations", json(body, project, route, "127.0.0.1:70000", "test"))
          .status()).isEqualTo(400);
    }

    @Test
    void serviceAccountsRegisterOnlyWithCanRegister() {
      String plain = gw.serviceAccount();
      String registrar = Gateway.unique("registrar");
      gw.admin.post("/api/v1/service-accounts", json("{'name':'%s','canRegister':true}", registrar));
      String theirs = gw.project(List.of(), List.of(plain, registrar));
      String route = gw.route(json("'registrationProjects':['%s']", theirs));
      String body = json("{'deployment':'d','project':'%s','route':'%s','address':'127.0.0.1:%d','namespace':'test'}",
          theirs, route, FreePorts.allocate(1)[0]);

      AdminClient asPlain = gw.admin.as(gw.token("service-account", plain, "").secret());
      AdminClient asRegistrar = gw.admin.as(gw.token("service-account", registrar, "").secret());
      assertThat(asPlain.post("/api/v1/registrations", body).status()).isEqualTo(403);
      assertThat(asRegistrar.post("/api/v1/registrations", body).status()).isEqualTo(201);
      assertThat(asRegistrar.get("/api/v1/routes").status()).isEqualTo(403);
    }

    @Test
    void routesAreListedWithTheirUrlAndInstances() {
      String route = servedRoute("");
      JsonNode listed = gw.admin.get("/api/v1/routes").json().path("items");
      JsonNode mine = null;
      for (JsonNode r : listed) {
        if (r.path("name").asText().equals(route)) {
          mine = r;
        }
      }
      assertThat(mine).isNotNull();
      assertThat(mine.path("kind").asText()).isEqualTo("static");
      assertThat(mine.path("url").asText()).isEqualTo("http://127.0.0.1:" + gw.node.httpPort() + "/" + route + "/");
      assertThat(mine.path("healthyInstances").asInt()).isEqualTo(1);
      JsonNode instance = gw.admin.get("/api/v1/routes/" + route + "/instances").json().path("items").get(0);
      assertThat(instance.path("address").asText()).isEqualTo("127.0.0.1:" + probe.port());
      assertThat(instance.fieldNames()).toIterable()
          .contains("id", "address", "healthy", "activeSessions", "inFlight", "registeredAt", "lastHeartbeatAt");
    }
  }
}
