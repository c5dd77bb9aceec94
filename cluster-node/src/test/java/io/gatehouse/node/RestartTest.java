package io.gatehouse.node;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.store.NamespaceMismatchException;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A node stopped and started again on the same store keeps its tokens, revocations and directory. */
class RestartTest {
  @TempDir static Path tmp;

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of("H2", TestNodes.h2(tmp.resolve("restart"))),
        Arguments.of("PostgreSQL", TestNodes.postgres(EmbeddedPostgresFixture.newDatabase())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void tokensRevocationsAndTheDirectorySurviveARestart(String kind, Config store) {
    String active;
    String revoked;
    List<JsonNode> listingBefore;
    JsonNode usersBefore;
    try (GatehouseNode node = TestNodes.start(store)) {
      AdminClient admin = new AdminClient(node.adminPort(), TestNodes.ADMIN_TOKEN);
      admin.post("/api/v1/groups", "{\"name\":\"ops\"}");
      admin.post("/api/v1/users", "{\"name\":\"olga\",\"groups\":[\"ops\"],\"admin\":true}");
      active = issue(admin, "olga");
      revoked = issue(admin, "olga");
      String revokedId = admin.as(revoked).get("/api/v1/tokens?limit=1").json().path("items").get(0).path("id").asText();
      assertThat(admin.post("/api/v1/tokens/" + revokedId + "/revoke", null).status()).isEqualTo(200);
      assertThat(admin.as(revoked).get("/api/v1/users").status()).isEqualTo(401);
      listingBefore = listing(admin);
      usersBefore = admin.get("/api/v1/users").json();
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GatehouseNode node = TestNodes.start(store, new PrintStream(out, true, StandardCharsets.UTF_8))) {
      AdminClient admin = new AdminClient(node.adminPort(), TestNodes.ADMIN_TOKEN);
      assertThat(admin.as(active).get("/api/v1/users").status()).isEqualTo(200);
      AdminClient.Reply refused = admin.as(revoked).get("/api/v1/users");
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.header("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).contains("token revoked"));
      assertThat(listing(admin)).isEqualTo(listingBefore);
      assertThat(admin.get("/api/v1/users").json()).isEqualTo(usersBefore);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("bootstrap   done before").doesNotContain("gth_");
      assertThat(admin.get("/metrics").body()).as("every token answered from what the node loaded at start")
          .contains("gatehouse_token_lookups_total 0.0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void madeUpTokensAreRefusedWithoutALookup(String kind, Config store) {
    try (GatehouseNode node = TestNodes.start(store)) {
      AdminClient admin = new AdminClient(node.adminPort(), TestNodes.ADMIN_TOKEN);
      for (int i = 0; i < 200; i++) {
        String madeUp = io.gatehouse.persistence.token.TokenSecrets.generate().token();
        assertThat(admin.as(madeUp).get("/api/v1/users").status()).isEqualTo(401);
      }
      assertThat(admin.get("/metrics").body()).contains("gatehouse_token_lookups_total 0.0")
          .contains("gatehouse_token_validations_total{outcome=\"unknown\"} 200.0");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void aNodeOfAnotherNamespaceRefusesTheStore(String kind, Config store) {
    TestNodes.start(store).close();

    Config dev = ConfigFactory.empty().withValue("gatehouse.namespace", ConfigValueFactory.fromAnyRef("dev"));
    assertThatThrownBy(() -> GatehouseNode.start(dev.withFallback(TestNodes.config(store))))
        .isInstanceOf(NamespaceMismatchException.class)
        .hasMessageContaining("belongs to namespace 'test'");
  }

  private static String issue(AdminClient admin, String user) {
    AdminClient.Reply r = admin.post("/api/v1/tokens", json(
        "{'label':'l','expiresInDays':7,'principal':{'type':'user','name':'%s'}}", user));
    assertThat(r.status()).isEqualTo(201);
    return r.json().path("token").asText();
  }

  /** The token listing without lastUsedAt, which the use of a token during the test may move. */
  private static List<JsonNode> listing(AdminClient admin) {
    List<JsonNode> items = new ArrayList<>();
    admin.get("/api/v1/tokens?limit=500").json().path("items").forEach(i -> {
      ObjectNode copy = i.deepCopy();
      copy.remove("lastUsedAt");
      items.add(copy);
    });
    return items;
  }
}
