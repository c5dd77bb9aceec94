package io.gatehouse.node;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.LogRecorder;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.protocol.token.PresentedToken;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token secrets reach the client exactly once and nowhere else: after a session of issuing,
 * using, misusing and revoking tokens, no log line and no database cell holds a secret.
 */
class SecretsNeverStoredTest {
  @TempDir Path dataDir;

  @Test
  void noSecretReachesALogLineOrATable() throws Exception {
    List<String> secrets = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    String bootstrapId;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    var config = TestNodes.config(TestNodes.h2(dataDir))
        .withoutPath("gatehouse.bootstrap-token");
    try (GatehouseNode node = GatehouseNode.start(config, new PrintStream(stdout, true, StandardCharsets.UTF_8))) {
      String bootstrap = stdout.toString(StandardCharsets.UTF_8).lines()
          .map(String::trim).filter(l -> l.startsWith("gth_")).findFirst().orElseThrow();
      secrets.add(PresentedToken.parse(bootstrap).secret());
      bootstrapId = PresentedToken.parse(bootstrap).id().value();
      AdminClient admin = new AdminClient(node.adminPort(), bootstrap);
      admin.post("/api/v1/users", "{\"name\":\"alice\",\"admin\":true}");
      for (int i = 0; i < 5; i++) {
        AdminClient.Reply r = admin.post("/api/v1/tokens", json(
            "{'label':'t%d','expiresInDays':3,'principal':{'type':'user','name':'alice'}}", i));
        String token = r.json().path("token").asText();
        secrets.add(PresentedToken.parse(token).secret());
        ids.add(r.json().path("id").asText());
        admin.as(token).get("/api/v1/users");
        admin.as(token + "x").get("/api/v1/users");
        admin.as(token.substring(0, token.length() - 1) + "Z").get("/api/v1/users");
      }
      admin.post("/api/v1/tokens/" + ids.get(0) + "/revoke", null);
      admin.as("gth_" + ids.get(0).substring(4) + "_" + secrets.get(1)).get("/api/v1/users");
      admin.delete("/api/v1/users/alice");
      await().atMost(Duration.ofSeconds(10)).until(() -> node.store().sql()
          .queryOne("select count(*) from audit_log", rs -> rs.getLong(1)).orElse(0L) >= 9);
    }

    List<String> logs = LogRecorder.lines();
    assertThat(String.join("\n", logs)).as("the log was recorded").contains(bootstrapId);
    for (String secret : secrets) {
      assertThat(logs).noneMatch(line -> line.contains(secret));
    }

    StoreSettings.H2 h2 = new StoreSettings.H2(dataDir);
    try (Connection c = DriverManager.getConnection(h2.jdbcUrl(), h2.user(), h2.password());
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = s.executeQuery(
          "select table_name from information_schema.tables where table_schema = 'PUBLIC'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables).contains("event_journal", "TOKEN_VIEW", "AUDIT_LOG");
      StringBuilder everything = new StringBuilder();
      for (String table : tables) {
        try (ResultSet rs = s.executeQuery("select * from \"" + table + "\"")) {
          ResultSetMetaData meta = rs.getMetaData();
          while (rs.next()) {
            for (int col = 1; col <= meta.getColumnCount(); col++) {
              int type = meta.getColumnType(col);
              boolean binary = type == Types.BLOB || type == Types.BINARY || type == Types.VARBINARY
                  || type == Types.LONGVARBINARY;
              // Journal payloads are CBOR: strings in it are plain UTF-8 bytes, so a secret in an
              // event would show up in this byte-for-byte text.
              String cell = binary
                  ? (rs.getBytes(col) == null ? null : new String(rs.getBytes(col), StandardCharsets.ISO_8859_1))
                  : rs.getString(col);
              if (cell != null) {
                everything.append(cell).append('\n');
              }
            }
          }
        }
      }
      String dump = everything.toString();
      assertThat(dump).as("the tables were read").contains(ids.get(0));
      for (String secret : secrets) {
        assertThat(dump).doesNotContain(secret);
      }
    }
  }
}
