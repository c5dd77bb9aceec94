package io.gatehouse.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API.md "Bootstrap": first start creates the admin and one token; later starts do neither. */
class BootstrapTest {
  @TempDir Path dataDir;

  private static List<String> printedTokens(ByteArrayOutputStream out) {
    return out.toString(StandardCharsets.UTF_8).lines().map(String::trim).filter(l -> l.startsWith("gth_")).toList();
  }

  @Test
  void aFirstStartPrintsOneAdminTokenAndALaterStartNone() {
    Config config = TestNodes.config(TestNodes.h2(dataDir)).withoutPath("gatehouse.bootstrap-token");
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    String token;
    try (GatehouseNode node = GatehouseNode.start(config, new PrintStream(first, true, StandardCharsets.UTF_8))) {
      assertThat(printedTokens(first)).hasSize(1);
      token = printedTokens(first).get(0);
      assertThat(token).matches("^gth_[0-9A-Za-z]{8,}_[0-9A-Za-z]{43,}$");
      AdminClient admin = new AdminClient(node.adminPort(), token);
      AdminClient.Reply me = admin.get("/api/v1/service-accounts/gatehouse-admin");
      assertThat(me.status()).isEqualTo(200);
      assertThat(me.json().path("admin").asBoolean()).isTrue();
      assertThat(admin.get("/api/v1/tokens").json().path("items").size()).isEqualTo(1);
    }

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    Config withPreset = config.withValue("gatehouse.bootstrap-token", ConfigValueFactory.fromAnyRef(TestNodes.ADMIN_TOKEN));
    try (GatehouseNode node = GatehouseNode.start(withPreset, new PrintStream(second, true, StandardCharsets.UTF_8))) {
      assertThat(printedTokens(second)).isEmpty();
      AdminClient admin = new AdminClient(node.adminPort(), token);
      assertThat(admin.get("/api/v1/tokens").json().path("items").size()).isEqualTo(1);
      assertThat(admin.as(TestNodes.ADMIN_TOKEN).get("/api/v1/users").status()).isEqualTo(401);
    }
  }

  @Test
  void aPresetTokenBecomesTheAdminToken() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GatehouseNode node = TestNodes.start(TestNodes.h2(dataDir), new PrintStream(out, true, StandardCharsets.UTF_8))) {
      assertThat(printedTokens(out)).isEmpty();
      AdminClient admin = new AdminClient(node.adminPort(), TestNodes.ADMIN_TOKEN);
      AdminClient.Reply tokens = admin.get("/api/v1/tokens");
      assertThat(tokens.json().path("items").get(0).path("id").asText()).isEqualTo("tok_TestAdmin1");
      assertThat(tokens.json().path("items").get(0).path("principal").path("name").asText()).isEqualTo("gatehouse-admin");
    }
  }

  @Test
  void severalNodesOnTheEmbeddedStoreAreRefused() {
    Config joining = TestNodes.config(TestNodes.h2(dataDir))
        .withValue("gatehouse.seed-nodes", ConfigValueFactory.fromAnyRef("127.0.0.1:1"));
    assertThatThrownBy(() -> GatehouseNode.start(joining))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot share the embedded H2 store")
        .hasMessageContaining("GATEHOUSE_DB_URL");
    Config discovering = TestNodes.config(TestNodes.h2(dataDir))
        .withValue("gatehouse.discovery.method", ConfigValueFactory.fromAnyRef("config"))
        .withValue("gatehouse.discovery.contact-points", ConfigValueFactory.fromAnyRef("127.0.0.1:1"));
    assertThatThrownBy(() -> GatehouseNode.start(discovering)).hasMessageContaining("embedded H2");
  }

  @Test
  void aMalformedPresetTokenStopsTheStartWithAClearMessage() {
    Config config = TestNodes.config(TestNodes.h2(dataDir))
        .withValue("gatehouse.bootstrap-token", ConfigValueFactory.fromAnyRef("letmein"));
    assertThatThrownBy(() -> GatehouseNode.start(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GATEHOUSE_BOOTSTRAP_TOKEN is not a valid Gatehouse token");
  }
}
