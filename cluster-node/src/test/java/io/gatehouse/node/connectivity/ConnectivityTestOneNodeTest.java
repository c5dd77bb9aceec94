package io.gatehouse.node.connectivity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /routers/connectivity-test} on a single node on its embedded store. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConnectivityTestOneNodeTest {
  @TempDir
  static Path data;
  private Gateway g;

  @BeforeAll
  void start() {
    g = new Gateway(TestNodes.h2(data));
  }

  @AfterAll
  void stop() {
    g.close();
  }

  @Test
  void probesItsOwnDataPlaneEndToEndAndLeavesNothingBehind() {
    Instant before = Instant.now();
    AdminClient.Reply r = g.admin.post("/api/v1/routers/connectivity-test", "");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode result = r.json();
    assertThat(result.path("ok").asBoolean()).as(r.body()).isTrue();
    List<String> names = new ArrayList<>();
    result.path("steps").forEach(s -> {
      names.add(s.path("name").asText());
      assertThat(s.path("ok").asBoolean()).as(s.toString()).isTrue();
      assertThat(s.path("millis").isIntegralNumber()).isTrue();
      assertThat(s.path("detail").asText()).isNotBlank();
    });
    assertThat(names).containsExactly("probe backend", "service account and project", "token", "ephemeral route",
        "through " + g.node.nodeAddress() + " (this node)", "clean up");
    assertThat(result.path("steps").get(4).path("detail").asText())
        .contains("/deployments/conntest-").contains("200 from the probe");

    String run = result.path("steps").get(1).path("detail").asText().replaceAll(".*'(conntest-[a-z0-9]+)'.*", "$1");
    Leftovers.noneOf(g, run);

    JsonNode self = g.admin.get("/api/v1/routers").json().path("items").get(0);
    assertThat(self.path("lastTest").path("ok").asBoolean()).isTrue();
    assertThat(Instant.parse(self.path("lastTest").path("time").asText())).isAfterOrEqualTo(before.minusSeconds(1));
    assertThat(self.path("nodeDataPlane").asText()).isEqualTo("http://127.0.0.1:" + g.node.httpPort());

    JsonNode audit = g.admin.get("/api/v1/audit?type=connectivity.tested").json().path("items");
    assertThat(audit).hasSize(1);
    assertThat(audit.get(0).path("actor").asText()).isEqualTo("service-account:gatehouse-admin");
    assertThat(audit.get(0).path("detail").path("ok").asBoolean()).isTrue();
    assertThat(audit.get(0).path("detail").path("run").asText()).isEqualTo(run);
    // What the test made and removed is in the audit trail too, under the caller's name.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(g.admin.get("/api/v1/audit?type=instance.*").json().path("items").toString()).contains(run));
  }

  @Test
  void aNonAdminGets403AndNothingRuns() {
    String user = g.user(g.group());
    AdminClient.Reply r = g.admin.as(g.userToken(user).secret()).post("/api/v1/routers/connectivity-test", "");
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.error()).isEqualTo("forbidden");
  }
}
