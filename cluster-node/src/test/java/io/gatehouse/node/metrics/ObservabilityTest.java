package io.gatehouse.node.metrics;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import io.gatehouse.persistence.testing.MutableClock;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Known traffic with two tokens through two nodes (sharing one PostgreSQL), in two bursts three
 * minutes apart (the nodes' clock is moved), then: the endpoints API's totals, per-token split,
 * requests per minute and latency; Prometheus {@code /metrics} on each node; the audit API.
 *
 * <p>Tolerances: counts and error rate exact; requests per minute within 1 % of requests divided
 * by the minutes since the route was created; average and p95 latency between the upstream's
 * delay and what the client measured (plus the histogram's 3 % bucket width).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {
  private static final int DELAY_MS = 20;

  private final MutableClock clock = MutableClock.ticking();
  private TestCluster cluster;
  private String route;
  private Instant routeCreatedAt;
  private Token alpha;
  private Token beta;
  private Instant secondBurst;
  private final List<Double> clientMillis = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  private record Token(String id, String secret, String label) {}

  @BeforeAll
  void sendKnownTraffic() {
    cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase(), 2, clock);
    Gateway a = cluster.nodes.get(0);
    Gateway b = cluster.nodes.get(1);
    String team = a.group();
    String project = a.project(List.of(team), List.of());
    alpha = token(a, a.user(team), "alpha");
    beta = token(a, a.user(team), "beta");
    route = a.route(json("'allowedGroups':['%s'],'affinity':'none','healthCheck':{'intervalSeconds':1}", team));
    routeCreatedAt = Instant.parse(a.admin.get("/api/v1/routes/" + route).json().path("createdAt").asText());
    for (String id : List.of("obs-1", "obs-2")) {
      ProbeServer p = a.probe(id);
      a.register(route, p.port(), project);
    }
    a.awaitHealthy(route, 2);
    b.awaitHealthy(route, 2);

    // First burst. Via a: alpha 30, beta 10. Via b: alpha 20, beta 21 + 4 answered 500 by the
    // instance (spread out, so no instance sees a burst of 5xx and gets ejected).
    send(a, alpha, 30);
    send(a, beta, 10);
    send(b, alpha, 20);
    for (int i = 0; i < 4; i++) {
      send(b, beta, 5);
      assertThat(b.get("/" + route + "/status/500", beta.secret()).statusCode()).isEqualTo(500);
    }
    send(b, beta, 1);

    // Three minutes later. Via a: alpha 10; via b: beta 5.
    clock.advance(Duration.ofMinutes(3));
    secondBurst = clock.instant();
    send(a, alpha, 10);
    send(b, beta, 5);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static Token token(Gateway g, String user, String label) {
    String unique = Gateway.unique(label);
    AdminClient.Reply r = g.admin.post("/api/v1/tokens",
        json("{'label':'%s','expiresInDays':30,'principal':{'type':'user','name':'%s'}}", unique, user));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return new Token(r.json().path("id").asText(), r.json().path("token").asText(), unique);
  }

  private void send(Gateway g, Token t, int n) {
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      HttpResponse<String> r = g.get("/" + route + "/v1/chat/completions?delayMs=" + DELAY_MS, t.secret());
      clientMillis.add((System.nanoTime() - start) / 1e6);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
  }

  private JsonNode endpoint(Gateway g, Instant from, Instant to) {
    AdminClient.Reply r = g.admin.get("/api/v1/endpoints?from=" + from + "&to=" + to);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    for (JsonNode e : r.json().path("items")) {
      if (e.path("route").asText().equals(route)) {
        return e;
      }
    }
    throw new AssertionError("no endpoint " + route + " in " + r.body());
  }

  @Test
  void theEndpointsApiSumsBothNodes() {
    Instant from = routeCreatedAt.minus(Duration.ofHours(1));
    for (Gateway g : cluster.nodes) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(endpoint(g, from, clock.instant()).path("totalRequests").asLong()).isEqualTo(100));
    }
    Instant to = clock.instant();
    JsonNode e = endpoint(cluster.nodes.get(1), from, to);
    assertThat(e.path("kind").asText()).isEqualTo("static");
    assertThat(e.path("status").asText()).isEqualTo("up");
    assertThat(e.path("healthyInstances").asInt()).isEqualTo(2);
    assertThat(e.path("instances").asInt()).isEqualTo(2);
    assertThat(e.path("url").asText()).endsWith("/" + route + "/");
    assertThat(e.path("uptimeSeconds").asLong()).isGreaterThanOrEqualTo(0);
    assertThat(e.path("errorRate").asDouble()).isCloseTo(0.04, within(1e-9));

    double minutes = Math.max(1.0, Duration.between(routeCreatedAt, to).toMillis() / 60_000.0);
    assertThat(minutes).isGreaterThan(3.0);
    assertThat(e.path("avgRequestsPerMinute").asDouble()).isCloseTo(100 / minutes, within(100 / minutes * 0.01));

    List<Double> sorted = new ArrayList<>(clientMillis);
    Collections.sort(sorted);
    double clientMean = sorted.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double clientP95 = sorted.get((int) Math.ceil(0.95 * sorted.size()) - 1);
    double avg = e.path("avgLatencyMs").asDouble();
    double p95 = e.path("p95LatencyMs").asDouble();
    System.out.printf("endpoints: rpm %.2f (expected %.2f), avg %.2f ms (client %.2f), p95 %.2f ms (client %.2f)%n",
        e.path("avgRequestsPerMinute").asDouble(), 100 / minutes, avg, clientMean, p95, clientP95);
    assertThat(avg).isBetween(DELAY_MS * 0.96, clientMean * 1.03);
    assertThat(p95).isBetween(DELAY_MS * 0.97, clientP95 * 1.03);
  }

  @Test
  void requestVolumeIsSplitByTokenAndMinute() {
    Gateway a = cluster.nodes.get(0);
    Instant from = routeCreatedAt.minus(Duration.ofMinutes(1));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode series = a.admin.get("/api/v1/endpoints/" + route + "/requests?by=token&stepSeconds=60&from=" + from
          + "&to=" + clock.instant()).json().path("series");
      assertThat(series).hasSize(2);
      JsonNode first = series.get(0);
      JsonNode second = series.get(1);
      assertThat(List.of(first.path("label").asText(), second.path("label").asText()))
          .containsExactly(alpha.label(), beta.label());
      assertThat(first.path("tokenId").asText()).isEqualTo(alpha.id());
      assertThat(second.path("tokenId").asText()).isEqualTo(beta.id());
      // alpha: 50 in the first burst, 10 three minutes later; beta: 35 and 5.
      assertThat(split(first)).containsExactly(50L, 10L);
      assertThat(split(second)).containsExactly(35L, 5L);
    });

    JsonNode latency = a.admin.get("/api/v1/endpoints/" + route + "/latency?from=" + from + "&to="
        + clock.instant()).json();
    long requests = 0;
    for (JsonNode p : latency.path("points")) {
      requests += p.get(1).asLong();
      if (p.get(1).asLong() > 0) {
        assertThat(p.get(3).asDouble()).isGreaterThanOrEqualTo(DELAY_MS * 0.97);
      } else {
        assertThat(p.get(2).isNull()).isTrue();
      }
    }
    assertThat(requests).isEqualTo(100);
  }

  /** Requests of one series before and from the second burst's minute; the points are one minute apart. */
  private List<Long> split(JsonNode series) {
    long boundary = secondBurst.toEpochMilli() / 60_000 * 60_000;
    long before = 0;
    long after = 0;
    Instant previous = null;
    for (JsonNode p : series.path("points")) {
      Instant t = Instant.parse(p.get(0).asText());
      if (previous != null) {
        assertThat(Duration.between(previous, t)).isEqualTo(Duration.ofMinutes(1));
      }
      previous = t;
      if (t.toEpochMilli() < boundary) {
        before += p.get(1).asLong();
      } else {
        after += p.get(1).asLong();
      }
    }
    return List.of(before, after);
  }

  @Test
  void endpointQueriesRejectBadInput() {
    AdminClient admin = cluster.nodes.get(0).admin;
    assertInvalid(admin.get("/api/v1/endpoints?from=yesterday"), "from");
    assertInvalid(admin.get("/api/v1/endpoints?to=2026-13-01T00:00:00Z"), "to");
    assertInvalid(admin.get("/api/v1/endpoints?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z"), "from");
    assertInvalid(admin.get("/api/v1/endpoints/" + route + "/requests?stepSeconds=30"), "stepSeconds");
    assertInvalid(admin.get("/api/v1/endpoints/" + route + "/requests?stepSeconds=sixty"), "stepSeconds");
    assertInvalid(admin.get("/api/v1/endpoints/" + route + "/requests?stepSeconds=60&from=2026-01-01T00:00:00Z"),
        "stepSeconds");
    assertInvalid(admin.get("/api/v1/endpoints/" + route + "/requests?by=instance"), "by");
    AdminClient.Reply missing = admin.get("/api/v1/endpoints/no-such-route/requests");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.error()).isEqualTo("not_found");
    assertThat(admin.get("/api/v1/endpoints/no-such-route/latency").status()).isEqualTo(404);
    assertThat(admin.as(null).get("/api/v1/endpoints").status()).isEqualTo(401);
  }

  private static void assertInvalid(AdminClient.Reply r, String field) {
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.error()).isEqualTo("invalid_request");
    assertThat(r.message()).contains(field);
  }

  // ---- Prometheus ---------------------------------------------------------------------------

  private PrometheusText scrape(Gateway g) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.node.adminPort()
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
    return PrometheusText.parse(r.body());
  }

  @Test
  void prometheusCountsMatchTheTrafficEachNodeServed() throws Exception {
    Gateway a = cluster.nodes.get(0);
    Gateway b = cluster.nodes.get(1);
    PrometheusText ma = scrape(a);
    PrometheusText mb = scrape(b);
    // Via a: 30 + 10 + 10 answered 200. Via b: 20 + 21 + 5 answered 200, 4 answered 500.
    assertThat(ma.value("gatehouse_requests_total", "route", route, "status", "2xx")).isEqualTo(50);
    assertThat(ma.find("gatehouse_requests_total", "route", route, "status", "5xx")).isEmpty();
    assertThat(mb.value("gatehouse_requests_total", "route", route, "status", "2xx")).isEqualTo(46);
    assertThat(mb.value("gatehouse_requests_total", "route", route, "status", "5xx")).isEqualTo(4);
    assertThat(ma.value("gatehouse_request_duration_seconds_count", "route", route)).isEqualTo(50);
    assertThat(mb.value("gatehouse_request_duration_seconds_count", "route", route)).isEqualTo(50);
    // No answer faster than the upstream's delay: the 10 ms bucket holds none of a's requests.
    assertThat(ma.value("gatehouse_request_duration_seconds_bucket", "route", route, "le", "0.01")).isEqualTo(0);
    assertThat(ma.value("gatehouse_request_duration_seconds_bucket", "route", route, "le", "+Inf")).isEqualTo(50);
    assertThat(ma.value("gatehouse_route_healthy_instances", "route", route)).isEqualTo(2);
    assertThat(ma.find("gatehouse_instance_healthy", "route", route)).hasSize(2)
        .allSatisfy(s -> assertThat(s.value()).isEqualTo(1));
    assertThat(ma.value("gatehouse_cluster_members", "status", "Up")).isEqualTo(2);
    assertThat(ma.find("jvm_memory_used_bytes")).isNotEmpty();
    // Tokens never appear in a label: the series do not grow with the number of tokens.
    assertThat(ma.samples()).noneMatch(s -> s.labels().values().stream()
        .anyMatch(v -> v.contains(alpha.id()) || v.contains(beta.id())));
    assertThat(ma.value("gatehouse_token_validations_total", "outcome", "valid")).isGreaterThanOrEqualTo(50);

    // Refusals are counted by reason, revocations where they were made.
    double malformed = ma.value("gatehouse_token_validations_total", "outcome", "malformed");
    double revoked = ma.value("gatehouse_token_validations_total", "outcome", "revoked");
    double revocations = mb.value("gatehouse_token_revocations_total");
    Token doomed = token(a, a.user(), "doomed");
    assertThat(b.admin.post("/api/v1/tokens/" + doomed.id() + "/revoke", null).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.get("/" + route + "/", doomed.secret()).statusCode() == 401);
    assertThat(a.get("/" + route + "/", "not-a-token").statusCode()).isEqualTo(401);
    PrometheusText after = scrape(a);
    assertThat(after.value("gatehouse_token_validations_total", "outcome", "malformed")).isEqualTo(malformed + 1);
    assertThat(after.value("gatehouse_token_validations_total", "outcome", "revoked")).isGreaterThanOrEqualTo(revoked + 1);
    assertThat(scrape(b).value("gatehouse_token_revocations_total")).isEqualTo(revocations + 1);
  }

  // ---- audit ----------------------------------------------------------------------------------

  @Test
  void theAuditTrailListsWritesNewestFirstInPages() {
    AdminClient admin = cluster.nodes.get(1).admin;
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode items = admin.get("/api/v1/audit?type=token.issued&limit=500").json().path("items");
      Set<String> subjects = new HashSet<>();
      items.forEach(i -> subjects.add(i.path("subject").asText()));
      assertThat(subjects).contains("token:" + alpha.id(), "token:" + beta.id());
    });
    JsonNode created = admin.get("/api/v1/audit?type=route.created").json().path("items");
    assertThat(created).anySatisfy(i -> {
      assertThat(i.path("subject").asText()).isEqualTo("route:" + route);
      assertThat(i.path("actor").asText()).isEqualTo("service-account:gatehouse-admin");
      assertThat(i.path("node").asText()).isNotBlank();
      assertThat(i.path("detail").isObject()).isTrue();
      assertThat(Instant.parse(i.path("time").asText())).isBefore(clock.instant().plusSeconds(1));
    });

    // Walk everything in pages of 3: newest first, no record twice, only the family asked for.
    List<String> seen = new ArrayList<>();
    Instant previous = Instant.MAX;
    String cursor = "";
    int pages = 0;
    do {
      AdminClient.Reply r = admin.get("/api/v1/audit?type=" + enc("token.*") + "&limit=3&cursor=" + cursor);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().path("items").size()).isBetween(1, 3);
      for (JsonNode i : r.json().path("items")) {
        assertThat(i.path("type").asText()).startsWith("token.");
        Instant t = Instant.parse(i.path("time").asText());
        assertThat(t).isBeforeOrEqualTo(previous);
        previous = t;
        seen.add(i.path("type").asText() + " " + i.path("subject").asText());
      }
      cursor = r.json().path("nextCursor").isNull() ? null : r.json().path("nextCursor").asText();
      pages++;
    } while (cursor != null && pages < 100);
    assertThat(cursor).isNull();
    assertThat(seen).doesNotHaveDuplicates().contains("token.issued token:" + alpha.id());

    // A window that ends before anything happened is empty.
    assertThat(admin.get("/api/v1/audit?to=2000-01-01T00:00:00Z").json().path("items")).isEmpty();

    assertInvalid(admin.get("/api/v1/audit?limit=0"), "limit");
    assertInvalid(admin.get("/api/v1/audit?limit=501"), "limit");
    assertInvalid(admin.get("/api/v1/audit?limit=ten"), "limit");
    assertInvalid(admin.get("/api/v1/audit?cursor=abc"), "cursor");
    assertInvalid(admin.get("/api/v1/audit?type=" + enc("token.%")), "type");
    assertInvalid(admin.get("/api/v1/audit?from=last-week"), "from");
    assertInvalid(admin.get("/api/v1/audit?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z"), "from");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
