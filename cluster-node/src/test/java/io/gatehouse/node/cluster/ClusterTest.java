package io.gatehouse.node.cluster;

import static io.gatehouse.node.testing.AdminClient.json;
import static io.gatehouse.node.testing.Gateway.answeredBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Three nodes sharing one PostgreSQL, in one JVM: any node takes writes, and every node enforces
 * them within the bound the README states. Propagation times are measured and printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTest {
  private TestCluster cluster;
  private String team;
  private String project;
  private String user;
  private String route;
  private final List<ProbeServer> probes = new ArrayList<>();

  @BeforeAll
  void start() {
    cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase());
    Gateway a = cluster.a();
    team = a.group();
    project = a.project(List.of(team), List.of());
    user = a.user(team);
    route = a.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
    for (String id : List.of("x", "y", "z")) {
      ProbeServer p = a.probe("cluster-" + id);
      probes.add(p);
      a.register(route, p.port(), project);
    }
    for (Gateway g : cluster.nodes) {
      g.awaitHealthy(route, 3);
    }
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** Milliseconds until {@code refused} holds on every node, polled as fast as requests go. */
  private static double millisUntil(Supplier<Boolean> refused) {
    long start = System.nanoTime();
    long deadline = start + Duration.ofSeconds(10).toNanos();
    while (!refused.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not enforced within 10 s");
      }
    }
    return (System.nanoTime() - start) / 1e6;
  }

  private static String stats(List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    return String.format("p50 %.1f ms, max %.1f ms over %d", sorted.get(sorted.size() / 2),
        sorted.get(sorted.size() - 1), sorted.size());
  }

  @Test
  void everyNodeListsTheThreeRouters() {
    for (Gateway g : cluster.nodes) {
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        JsonNode items = g.admin.get("/api/v1/routers").json().path("items");
        assertThat(items).hasSize(3);
        for (JsonNode r : items) {
          assertThat(r.path("status").asText()).isEqualTo("Up");
          assertThat(r.path("namespace").asText()).isEqualTo("test");
          assertThat(r.path("uptimeSeconds").isNumber()).isTrue();
        }
        assertThat(items).filteredOn(r -> r.path("self").asBoolean()).hasSize(1);
        assertThat(items).filteredOn(r -> r.path("leader").asBoolean()).hasSize(1);
      });
    }
  }

  @Test
  void aRevocationThroughAIsRefusedByBAndC() {
    List<Gateway.Token> tokens = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Gateway.Token t = cluster.a().userToken(user);
      tokens.add(t);
      assertThat(cluster.b().get("/" + route + "/", t.secret()).statusCode()).isEqualTo(200);
      assertThat(cluster.c().get("/" + route + "/", t.secret()).statusCode()).isEqualTo(200);
    }
    List<Double> millis = new ArrayList<>();
    for (Gateway.Token t : tokens) {
      assertThat(cluster.a().admin.post("/api/v1/tokens/" + t.id() + "/revoke", null).status()).isEqualTo(200);
      millis.add(millisUntil(() -> cluster.b().get("/" + route + "/", t.secret()).statusCode() == 401
          && cluster.c().get("/" + route + "/", t.secret()).statusCode() == 401));
    }
    System.out.println("revocation on A enforced on B and C: " + stats(millis));
  }

  @Test
  void aDroppedBroadcastStillLeadsToRefusalThroughTheJournal() {
    List<Gateway.Token> tokens = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Gateway.Token t = cluster.a().userToken(user);
      tokens.add(t);
      assertThat(cluster.c().get("/" + route + "/", t.secret()).statusCode()).isEqualTo(200);
    }
    cluster.c().node.tokenBroadcasts(false);
    try {
      List<Double> millis = new ArrayList<>();
      for (Gateway.Token t : tokens) {
        cluster.a().admin.post("/api/v1/tokens/" + t.id() + "/revoke", null);
        millis.add(millisUntil(() -> cluster.c().get("/" + route + "/", t.secret()).statusCode() == 401));
      }
      System.out.println("revocation on A enforced on C without its broadcast, from the journal: " + stats(millis));
      assertThat(Collections.max(millis)).as("within the journal polling bound").isLessThan(2_000);
    } finally {
      cluster.c().node.tokenBroadcasts(true);
    }
  }

  @Test
  void aRouteCreatedOnAServesOnC() {
    String created = cluster.a().route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
    cluster.a().register(created, probes.get(0).port(), project);
    Gateway.Token t = cluster.a().userToken(user);
    double millis = millisUntil(() -> cluster.c().get("/" + created + "/", t.secret()).statusCode() == 200);
    System.out.printf("route created on A served on C after %.1f ms%n", millis);
    assertThat(cluster.c().admin.get("/api/v1/routes/" + created).status()).isEqualTo(200);
  }

  @Test
  void aConsumerReachesTheSameInstanceThroughAnyNode() {
    Map<String, Set<String>> seen = new HashMap<>();
    List<Gateway.Token> tokens = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      tokens.add(cluster.b().userToken(user));
    }
    for (int round = 0; round < 5; round++) {
      for (Gateway.Token t : tokens) {
        for (Gateway g : cluster.nodes) {
          seen.computeIfAbsent(t.id(), k -> new HashSet<>()).add(answeredBy(g.get("/" + route + "/", t.secret())));
        }
      }
    }
    seen.values().forEach(instances -> assertThat(instances).hasSize(1));
  }

  @Test
  void aBurstOfNewConsumersThroughEveryNodeStaysWithinTheLoadBound() {
    String fresh = cluster.a().route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
    for (String id : List.of("p", "q", "r")) {
      ProbeServer p = cluster.a().probe(fresh + "-" + id);
      probes.add(p);
      cluster.a().register(fresh, p.port(), project);
    }
    for (Gateway g : cluster.nodes) {
      g.awaitHealthy(fresh, 3);
    }
    Map<String, Integer> perInstance = new HashMap<>();
    Map<String, String> pinOf = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      Gateway.Token t = cluster.a().userToken(user);
      String instance = answeredBy(cluster.nodes.get(i % 3).get("/" + fresh + "/", t.secret()));
      perInstance.merge(instance, 1, Integer::sum);
      pinOf.put(t.secret(), instance);
    }
    // Bounded load 1.25: no instance takes more than ceil(1.25 * 20 / 3) = 9 of twenty consumers,
    // each counted from its pin on, whichever node took its first request.
    assertThat(perInstance.values()).as(perInstance.toString()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(9));
    pinOf.forEach((token, instance) -> assertThat(answeredBy(cluster.c().get("/" + fresh + "/", token)))
        .isEqualTo(instance));
  }

  @Test
  void aUserRemovedFromTheGroupOnBIsRefusedOnC() {
    String member = cluster.a().user(team);
    Gateway.Token t = cluster.a().userToken(member);
    assertThat(cluster.c().get("/" + route + "/", t.secret()).statusCode()).isEqualTo(200);

    assertThat(cluster.b().admin.put("/api/v1/users/" + member, "{\"groups\":[]}").status()).isEqualTo(200);

    double millis = millisUntil(() -> cluster.c().get("/" + route + "/", t.secret()).statusCode() == 403);
    System.out.printf("group change on B enforced on C after %.1f ms%n", millis);
  }

  @Test
  void aWriteOnOneNodeIsReadOnTheOthers() {
    String sa = Gateway.unique("partner");
    assertThat(cluster.c().admin.post("/api/v1/service-accounts", json("{'name':'%s'}", sa)).status()).isEqualTo(201);
    double millis = millisUntil(() -> cluster.a().admin.get("/api/v1/service-accounts/" + sa).status() == 200
        && cluster.b().admin.get("/api/v1/service-accounts/" + sa).status() == 200);
    System.out.printf("service account created on C read on A and B after %.1f ms%n", millis);
    Gateway.Token t = cluster.b().token("service-account", sa, "");
    assertThat(cluster.a().admin.get("/api/v1/tokens/" + t.id()).status()).isEqualTo(200);
  }
}
