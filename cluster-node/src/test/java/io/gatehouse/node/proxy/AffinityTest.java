package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static io.gatehouse.node.testing.Gateway.answeredBy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Session affinity: pinned by consumer, spread without it, moved only when an instance leaves. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AffinityTest {
  @TempDir static Path dataDir;
  private Gateway gw;
  private String team;
  private String project;
  private List<Gateway.Token> tokens;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dataDir));
    team = gw.group();
    project = gw.project(List.of(team), List.of());
    String user = gw.user(team);
    tokens = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      tokens.add(gw.userToken(user));
    }
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  /** A route over three fresh probes; returns the route name and fills {@code probes}. */
  private String routeOverThree(String affinity, List<ProbeServer> probes) {
    String route = gw.route(json("'allowedGroups':['%s'],'affinity':'%s','healthCheck':{'intervalSeconds':1}",
        team, affinity));
    for (String id : List.of("a", "b", "c")) {
      ProbeServer p = gw.probe(route + "-" + id);
      probes.add(p);
      gw.register(route, p.port(), project);
    }
    gw.awaitHealthy(route, 3);
    return route;
  }

  private Map<String, String> pins(String route) {
    Map<String, String> pins = new HashMap<>();
    for (Gateway.Token t : tokens) {
      pins.put(t.id(), answeredBy(gw.get("/" + route + "/", t.secret())));
    }
    return pins;
  }

  @Test
  void everyTokenReachesExactlyOneInstance() {
    String route = routeOverThree("consumer", new ArrayList<>());
    Map<String, Set<String>> seen = new HashMap<>();
    for (int round = 0; round < 50; round++) {
      for (Gateway.Token t : tokens) {
        seen.computeIfAbsent(t.id(), k -> new HashSet<>()).add(answeredBy(gw.get("/" + route + "/", t.secret())));
      }
    }
    seen.values().forEach(instances -> assertThat(instances).hasSize(1));
    Map<String, Integer> perInstance = new HashMap<>();
    seen.values().forEach(s -> perInstance.merge(s.iterator().next(), 1, Integer::sum));
    // Bounded load: no instance holds more than ceil(1.25 * 20 / 3) = 9 of the 20 consumers.
    assertThat(perInstance.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(9));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      int sessions = 0;
      for (var i : gw.admin.get("/api/v1/routes/" + route + "/instances").json().path("items")) {
        sessions += i.path("activeSessions").asInt();
      }
      assertThat(sessions).isEqualTo(20);
    });
  }

  @Test
  void withoutAffinityRequestsSpreadEvenly() {
    String route = routeOverThree("none", new ArrayList<>());
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 600; i++) {
      counts.merge(answeredBy(gw.get("/" + route + "/", tokens.get(i % 20).secret())), 1, Integer::sum);
    }
    assertThat(counts).hasSize(3);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(160, 240));
  }

  @Test
  void anInstanceLeavingMovesOnlyItsConsumersAndNobodyMovesBack() {
    List<ProbeServer> probes = new ArrayList<>();
    String route = routeOverThree("consumer", probes);
    Map<String, String> before = pins(route);
    ProbeServer leaving = probes.stream()
        .filter(p -> before.containsValue(p.id()))
        .findFirst().orElseThrow();

    leaving.healthy(false);
    gw.awaitHealthy(route, 2);
    Map<String, String> after = pins(route);

    before.forEach((token, instance) -> {
      if (instance.equals(leaving.id())) {
        assertThat(after.get(token)).isNotEqualTo(leaving.id());
      } else {
        assertThat(after.get(token)).as("consumer %s stays", token).isEqualTo(instance);
      }
    });
    assertThat(pins(route)).as("the new pins hold").isEqualTo(after);

    leaving.healthy(true);
    gw.awaitHealthy(route, 3);
    assertThat(pins(route)).as("re-pin only when the pinned instance leaves rotation").isEqualTo(after);
  }

  @Test
  void aSessionHeaderKeysTheAffinity() {
    String route = routeOverThree("header:X-Session-Id", new ArrayList<>());
    Gateway.Token one = tokens.get(0);
    Map<String, Set<String>> bySession = new HashMap<>();
    for (int round = 0; round < 10; round++) {
      for (int s = 0; s < 12; s++) {
        String session = "conversation-" + s;
        bySession.computeIfAbsent(session, k -> new HashSet<>())
            .add(answeredBy(gw.get("/" + route + "/", one.secret(), "X-Session-Id", session)));
      }
    }
    bySession.values().forEach(instances -> assertThat(instances).hasSize(1));
    Set<String> used = new HashSet<>();
    bySession.values().forEach(used::addAll);
    assertThat(used).as("one token, many sessions, several instances").hasSizeGreaterThan(1);
  }
}
