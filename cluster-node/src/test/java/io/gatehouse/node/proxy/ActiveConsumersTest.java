package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The route counts a consumer for its instance's load bound while the consumer is active, without
 * its session actor staying awake: the data plane that serves the consumer reports it to the
 * route every {@code report-active-every} (here 1 s, 5 min by default), and the route forgets a
 * consumer not reported for {@code forget-inactive-after} (here 10 s, 15 min by default).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActiveConsumersTest {
  @TempDir static Path dataDir;
  private Gateway gw;
  private String route;
  private Gateway.Token active;
  private Gateway.Token gone;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dataDir)
        .withValue("gatehouse.affinity.report-active-every", ConfigValueFactory.fromAnyRef("1s"))
        .withValue("gatehouse.affinity.forget-inactive-after", ConfigValueFactory.fromAnyRef("10s")));
    String team = gw.group();
    String project = gw.project(List.of(team), List.of());
    String user = gw.user(team);
    active = gw.userToken(user);
    gone = gw.userToken(user);
    route = gw.route(json("'allowedGroups':['%s'],'affinity':'consumer','healthCheck':{'intervalSeconds':1}", team));
    for (String id : List.of("a", "b")) {
      ProbeServer p = gw.probe(route + "-" + id);
      gw.register(route, p.port(), project);
    }
    gw.awaitHealthy(route, 2);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  @Test
  void anActiveConsumerStaysCountedAndAnIdleOneIsForgotten() {
    String instance = Gateway.answeredBy(gw.get("/" + route + "/", active.secret()));
    assertThat(gw.get("/" + route + "/", gone.secret()).statusCode()).isEqualTo(200);
    awaitCounted(2, null);

    // One consumer keeps sending requests, the other is silent: only the silent one is forgotten,
    // and the active one stays counted, many report intervals and expiry times long.
    awaitCounted(1, active);
    await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          assertThat(Gateway.answeredBy(gw.get("/" + route + "/", active.secret()))).isEqualTo(instance);
          assertThat(counted()).as("the active consumer is still counted").isEqualTo(1);
        });

    // Silent, it is forgotten too; its pin is not: it comes back to the same instance, and counts.
    awaitCounted(0, null);
    assertThat(Gateway.answeredBy(gw.get("/" + route + "/", active.secret()))).isEqualTo(instance);
    awaitCounted(1, null);
  }

  /** Waits until the route counts {@code n} active consumers, sending {@code keepActive}'s requests meanwhile. */
  private void awaitCounted(int n, Gateway.Token keepActive) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      if (keepActive != null) {
        assertThat(gw.get("/" + route + "/", keepActive.secret()).statusCode()).isEqualTo(200);
      }
      assertThat(counted()).isEqualTo(n);
    });
  }

  private int counted() {
    int total = 0;
    for (JsonNode i : gw.admin.get("/api/v1/routes/" + route + "/instances").json().path("items")) {
      total += i.path("activeSessions").asInt();
    }
    return total;
  }
}
