package io.gatehouse.node.admin;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.AdminClient.Reply;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every call of API.md's Directory and Tokens sections against a node on a real port. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiTest {
  private static final AtomicInteger NAMES = new AtomicInteger();

  @TempDir static Path dataDir;
  private final MutableClock clock = MutableClock.ticking();
  private GatehouseNode node;
  private AdminClient admin;

  @BeforeAll
  void startNode() {
    node = TestNodes.start(TestNodes.h2(dataDir), System.out, clock);
    admin = new AdminClient(node.adminPort(), TestNodes.ADMIN_TOKEN);
  }

  @AfterAll
  void stopNode() {
    node.close();
  }

  static String unique(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet();
  }

  private long journalSize() {
    return node.store().sql().queryOne("select count(*) from \"event_journal\"", rs -> rs.getLong(1)).orElseThrow();
  }

  private String group() {
    String g = unique("team");
    assertThat(admin.post("/api/v1/groups", json("{'name':'%s'}", g)).status()).isEqualTo(201);
    return g;
  }

  private String user(boolean isAdmin, String... groups) {
    String u = unique("user");
    String list = String.join(",", java.util.Arrays.stream(groups).map(g -> "'" + g + "'").toList());
    Reply r = admin.post("/api/v1/users", json("{'name':'%s','groups':[%s],'admin':%s}", u, list, isAdmin));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return u;
  }

  private JsonNode issue(String type, String name, String extra) {
    Reply r = admin.post("/api/v1/tokens", json(
        "{'label':'%s','expiresInDays':30,'principal':{'type':'%s','name':'%s'}%s}", unique("label"), type, name, extra));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  /** Asserts a 400 invalid_request naming {@code field}, and that nothing reached the journal. */
  private void assertInvalid(String field, Reply reply, long journalBefore) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("invalid_request");
    assertThat(reply.message()).startsWith(field + ":");
    assertThat(reply.header("Content-Type")).contains("application/json");
    assertThat(journalSize()).isEqualTo(journalBefore);
  }

  @Nested
  class Users {
    @Test
    void createReadUpdateListDelete() {
      String g1 = group();
      String g2 = group();
      String u = unique("user");

      Reply created = admin.post("/api/v1/users", json("{'name':'%s','groups':['%s'],'admin':false}", u, g1));
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.json().path("name").asText()).isEqualTo(u);
      assertThat(created.json().path("groups")).extracting(JsonNode::asText).containsExactly(g1);
      assertThat(created.json().path("admin").asBoolean()).isFalse();
      assertThat(Instant.parse(created.json().path("createdAt").asText())).isBeforeOrEqualTo(clock.instant());

      assertThat(admin.get("/api/v1/users/" + u).json().path("groups").get(0).asText()).isEqualTo(g1);

      Reply updated = admin.put("/api/v1/users/" + u, json("{'groups':['%s','%s'],'admin':true}", g2, g1));
      assertThat(updated.status()).isEqualTo(200);
      assertThat(updated.json().path("groups")).extracting(JsonNode::asText).containsExactlyInAnyOrder(g1, g2);
      assertThat(updated.json().path("admin").asBoolean()).isTrue();

      assertThat(admin.get("/api/v1/users").json().path("items")).extracting(n -> n.path("name").asText()).contains(u);
      assertThat(admin.get("/api/v1/groups/" + g2).json().path("members")).extracting(JsonNode::asText).contains(u);

      assertThat(admin.delete("/api/v1/users/" + u).status()).isEqualTo(204);
      assertThat(admin.get("/api/v1/users/" + u).status()).isEqualTo(404);
      assertThat(admin.get("/api/v1/users").json().path("items")).extracting(n -> n.path("name").asText()).doesNotContain(u);
    }

    @Test
    void aDuplicateIsAConflict() {
      String u = user(false);
      Reply again = admin.post("/api/v1/users", json("{'name':'%s'}", u));
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.error()).isEqualTo("conflict");
    }

    @Test
    void unknownUsersAreNotFound() {
      assertThat(admin.get("/api/v1/users/nobody-here").error()).isEqualTo("not_found");
      assertThat(admin.put("/api/v1/users/nobody-here", "{\"groups\":[]}").status()).isEqualTo(404);
      assertThat(admin.delete("/api/v1/users/nobody-here").status()).isEqualTo(404);
      assertThat(admin.get("/api/v1/users/Not_A_Name").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'name':'Alice'}|name",
        "{'name':'-alice'}|name",
        "{'name':'" + "a234567890123456789012345678901234567890123456789012345678901234" + "'}|name",
        "{'name':'a b'}|name",
        "{'groups':[]}|name",
        "{'name':5}|name",
        "{'name':'ok','groups':'x'}|groups",
        "{'name':'ok','groups':['Bad']}|groups[0]",
        "{'name':'ok','groups':['no-such-group']}|groups",
        "{'name':'ok','admin':'yes'}|admin",
        "{'name':'ok','role':'x'}|role",
    })
    void badInputIsRefusedAndWritesNothing(String body, String field) {
      long before = journalSize();
      assertInvalid(field, admin.post("/api/v1/users", body.replace('\'', '"')), before);
    }
  }

  @Nested
  class ServiceAccounts {
    @Test
    void createReadUpdateListDelete() {
      String sa = unique("partner");
      Reply created = admin.post("/api/v1/service-accounts",
          json("{'name':'%s','description':'Acme Corp','canRegister':true}", sa));
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.json().path("canRegister").asBoolean()).isTrue();
      assertThat(created.json().path("description").asText()).isEqualTo("Acme Corp");

      assertThat(admin.get("/api/v1/service-accounts/" + sa).json().path("name").asText()).isEqualTo(sa);
      Reply updated = admin.put("/api/v1/service-accounts/" + sa, "{\"description\":\"Acme\",\"canRegister\":false}");
      assertThat(updated.json().path("canRegister").asBoolean()).isFalse();
      assertThat(admin.get("/api/v1/service-accounts").json().path("items"))
          .extracting(n -> n.path("name").asText()).contains(sa, "gatehouse-admin");

      assertThat(admin.delete("/api/v1/service-accounts/" + sa).status()).isEqualTo(204);
      assertThat(admin.get("/api/v1/service-accounts/" + sa).status()).isEqualTo(404);
    }

    @Test
    void theBootstrapAdminCannotBeDeleted() {
      Reply r = admin.delete("/api/v1/service-accounts/gatehouse-admin");
      assertThat(r.status()).isEqualTo(409);
      assertThat(admin.get("/api/v1/service-accounts/gatehouse-admin").json().path("admin").asBoolean()).isTrue();
    }

    @Test
    void aDuplicateIsAConflict() {
      String sa = unique("partner");
      admin.post("/api/v1/service-accounts", json("{'name':'%s'}", sa));
      assertThat(admin.post("/api/v1/service-accounts", json("{'name':'%s'}", sa)).status()).isEqualTo(409);
    }

    @Test
    void badInputIsRefusedAndWritesNothing() {
      long before = journalSize();
      assertInvalid("canRegister", admin.post("/api/v1/service-accounts", "{\"name\":\"x1\",\"canRegister\":1}"), before);
      assertInvalid("description", admin.post("/api/v1/service-accounts", "{\"name\":\"x1\",\"description\":[]}"), before);
    }
  }

  @Nested
  class Groups {
    @Test
    void createListReadDelete() {
      String g = unique("team");
      Reply created = admin.post("/api/v1/groups", json("{'name':'%s'}", g));
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.json().path("members").isEmpty()).isTrue();
      assertThat(admin.get("/api/v1/groups").json().path("items")).extracting(n -> n.path("name").asText()).contains(g);
      assertThat(admin.post("/api/v1/groups", json("{'name':'%s'}", g)).status()).isEqualTo(409);
      assertThat(admin.delete("/api/v1/groups/" + g).status()).isEqualTo(204);
      assertThat(admin.get("/api/v1/groups/" + g).status()).isEqualTo(404);
      assertThat(admin.delete("/api/v1/groups/" + g).status()).isEqualTo(404);
    }

    @Test
    void deletingAGroupTakesItsMembersOut() {
      String g = group();
      String u = user(false, g);
      admin.delete("/api/v1/groups/" + g);
      assertThat(admin.get("/api/v1/users/" + u).json().path("groups").isEmpty()).isTrue();
    }
  }

  @Nested
  class Projects {
    @Test
    void createReadUpdateListDelete() {
      String g = group();
      String sa = unique("partner");
      admin.post("/api/v1/service-accounts", json("{'name':'%s'}", sa));
      String p = unique("llm");

      Reply created = admin.post("/api/v1/projects", json("{'name':'%s','groups':['%s'],'serviceAccounts':['%s']}", p, g, sa));
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      assertThat(created.json().path("serviceAccounts").get(0).asText()).isEqualTo(sa);

      Reply updated = admin.put("/api/v1/projects/" + p, json("{'groups':[],'serviceAccounts':['%s']}", sa));
      assertThat(updated.json().path("groups").isEmpty()).isTrue();
      assertThat(admin.get("/api/v1/projects/" + p).json().path("serviceAccounts").size()).isEqualTo(1);
      assertThat(admin.get("/api/v1/projects").json().path("items")).extracting(n -> n.path("name").asText()).contains(p);

      assertThat(admin.post("/api/v1/projects", json("{'name':'%s'}", p)).status()).isEqualTo(409);
      assertThat(admin.delete("/api/v1/projects/" + p).status()).isEqualTo(204);
      assertThat(admin.get("/api/v1/projects/" + p).status()).isEqualTo(404);
    }

    @Test
    void membersMustExist() {
      long before = journalSize();
      assertInvalid("groups", admin.post("/api/v1/projects", "{\"name\":\"p-x\",\"groups\":[\"ghost\"]}"), before);
      assertInvalid("serviceAccounts",
          admin.post("/api/v1/projects", "{\"name\":\"p-x\",\"serviceAccounts\":[\"ghost\"]}"), before);
    }
  }

  @Nested
  class Tokens {
    @Test
    void issueAnswersOnceWithTheSecret() {
      String sa = unique("partner");
      admin.post("/api/v1/service-accounts", json("{'name':'%s'}", sa));

      Reply r = admin.post("/api/v1/tokens", json("{'label':'acme-prod','expiresInDays':30,"
          + "'principal':{'type':'service-account','name':'%s'},'routes':['llm-inference'],'metadata':{'ticket':'OPS-1'}}", sa));

      assertThat(r.status()).isEqualTo(201);
      JsonNode t = r.json();
      assertThat(t.path("id").asText()).matches("tok_[0-9A-Za-z]{8,}");
      assertThat(t.path("token").asText()).matches("^gth_[0-9A-Za-z]{8,}_[0-9A-Za-z]{43,}$")
          .startsWith("gth_" + t.path("id").asText().substring(4) + "_");
      assertThat(t.path("label").asText()).isEqualTo("acme-prod");
      assertThat(t.path("principal").path("type").asText()).isEqualTo("service-account");
      assertThat(t.path("principal").path("name").asText()).isEqualTo(sa);
      assertThat(t.path("createdBy").path("name").asText()).isEqualTo("gatehouse-admin");
      assertThat(t.path("status").asText()).isEqualTo("active");
      assertThat(t.path("routes").get(0).asText()).isEqualTo("llm-inference");
      assertThat(t.path("metadata").path("ticket").asText()).isEqualTo("OPS-1");
      Instant created = Instant.parse(t.path("createdAt").asText());
      assertThat(Duration.between(created, Instant.parse(t.path("expiresAt").asText()))).isEqualTo(Duration.ofDays(30));

      Reply shown = admin.get("/api/v1/tokens/" + t.path("id").asText());
      assertThat(shown.status()).isEqualTo(200);
      assertThat(shown.json().has("token")).isFalse();
      assertThat(shown.body()).doesNotContain(t.path("token").asText().substring(20));
      assertThat(shown.json().path("lastUsedAt").isNull()).isTrue();
      assertThat(shown.json().path("revokedAt").isNull()).isTrue();
    }

    @Test
    void hoursMayBeGivenInsteadOfDays() {
      String u = user(false);
      Reply r = admin.post("/api/v1/tokens", json("{'label':'demo','expiresInHours':2,'principal':{'type':'user','name':'%s'}}", u));
      assertThat(Duration.between(Instant.parse(r.json().path("createdAt").asText()),
          Instant.parse(r.json().path("expiresAt").asText()))).isEqualTo(Duration.ofHours(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "366", "\"never\"", "1.5", "null", "\"30\"", "true", "[30]"})
    void aLifetimeOutsideOneTo365DaysIsRefused(String days) {
      String u = user(false);
      long before = journalSize();
      assertInvalid("expiresInDays", admin.post("/api/v1/tokens", json(
          "{'label':'x','expiresInDays':%s,'principal':{'type':'user','name':'%s'}}", days, u)), before);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'label':'x','expiresInDays':3,'principal':{'type':'user','name':'ghost'}}|principal",
        "{'label':'x','expiresInDays':3,'principal':{'type':'robot','name':'ghost'}}|principal.type",
        "{'label':'x','expiresInDays':3,'principal':{'type':'user','name':'Ghost'}}|principal.name",
        "{'label':'x','expiresInDays':3,'principal':'alice'}|principal",
        "{'label':'x','expiresInDays':3}|principal",
        "{'expiresInDays':3,'principal':{'type':'user','name':'ghost'}}|label",
        "{'label':'','expiresInDays':3,'principal':{'type':'user','name':'ghost'}}|label",
        "{'label':'x','expiresInHours':0,'principal':{'type':'user','name':'ghost'}}|expiresInHours",
        "{'label':'x','expiresInDays':3,'expiresInHours':3,'principal':{'type':'user','name':'ghost'}}|expiresInHours",
        "{'label':'x','expiresInDays':3,'principal':{'type':'user','name':'ghost'},'routes':'r'}|routes",
        "{'label':'x','expiresInDays':3,'principal':{'type':'user','name':'ghost'},'metadata':{'k':1}}|metadata.k",
        "{'label':'x','expiresInDays':3,'principal':{'type':'user','name':'ghost'},'secret':'mine'}|secret",
        "{'label':'x'|body",
        "[]|body",
    })
    void badInputIsRefusedNamingTheField(String body, String field) {
      long before = journalSize();
      assertInvalid(field, admin.post("/api/v1/tokens", body.replace('\'', '"')), before);
    }

    @Test
    void moreThanTwentyMetadataPairsAreRefused() {
      String u = user(false);
      StringBuilder pairs = new StringBuilder();
      for (int i = 0; i < 21; i++) {
        pairs.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
      }
      long before = journalSize();
      assertInvalid("metadata", admin.post("/api/v1/tokens", "{\"label\":\"x\",\"expiresInDays\":3,\"principal\":"
          + "{\"type\":\"user\",\"name\":\"" + u + "\"},\"metadata\":{" + pairs + "}}"), before);
    }

    @Test
    void aBodyOverOneMebibyteIsRefused() {
      long before = journalSize();
      String huge = "{\"label\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
      assertInvalid("body", admin.post("/api/v1/tokens", huge), before);
      assertThat(admin.post("/api/v1/tokens", huge).message()).isEqualTo("body: is larger than 1 MiB");
    }

    @Test
    void revokeIsIdempotentAndTheTokenIsRefusedAtOnce() {
      String u = user(true);
      JsonNode t = issue("user", u, "");
      AdminClient holder = admin.as(t.path("token").asText());
      assertThat(holder.get("/api/v1/users").status()).isEqualTo(200);

      Reply revoked = admin.post("/api/v1/tokens/" + t.path("id").asText() + "/revoke", null);
      assertThat(revoked.status()).isEqualTo(200);
      assertThat(revoked.json().path("status").asText()).isEqualTo("revoked");
      assertThat(revoked.json().path("revokedBy").path("name").asText()).isEqualTo("gatehouse-admin");
      assertThat(revoked.json().path("revokedAt").isNull()).isFalse();

      Reply refused = holder.get("/api/v1/users");
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.error()).isEqualTo("invalid_token");
      assertThat(refused.header("WWW-Authenticate")).contains(
          "Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"token revoked\"");

      Reply again = admin.delete("/api/v1/tokens/" + t.path("id").asText());
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().path("revokedAt").asText()).isEqualTo(revoked.json().path("revokedAt").asText());
    }

    @Test
    void unknownTokensAreNotFound() {
      assertThat(admin.get("/api/v1/tokens/tok_doesNotExist1").status()).isEqualTo(404);
      assertThat(admin.post("/api/v1/tokens/tok_doesNotExist1/revoke", null).status()).isEqualTo(404);
      assertThat(admin.delete("/api/v1/tokens/not-a-token-id").status()).isEqualTo(404);
    }

    @Test
    void listingFiltersByStatusAndPages() {
      String u = user(false);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ids.add(issue("user", u, "").path("id").asText());
      }
      admin.post("/api/v1/tokens/" + ids.get(0) + "/revoke", null);
      Reply shortOne = admin.post("/api/v1/tokens", json(
          "{'label':'short','expiresInHours':1,'principal':{'type':'user','name':'%s'}}", u));
      assertThat(shortOne.status()).isEqualTo(201);

      List<String> all = new ArrayList<>();
      String cursor = null;
      do {
        Reply page = admin.get("/api/v1/tokens?status=all&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.json().path("items").size()).isLessThanOrEqualTo(2);
        page.json().path("items").forEach(item -> all.add(item.path("id").asText()));
        cursor = page.json().path("nextCursor").isNull() ? null : page.json().path("nextCursor").asText();
      } while (cursor != null);
      assertThat(all).containsAll(ids).doesNotHaveDuplicates();

      List<String> revoked = new ArrayList<>();
      admin.get("/api/v1/tokens?status=revoked&limit=500").json().path("items").forEach(i -> {
        assertThat(i.path("status").asText()).isEqualTo("revoked");
        revoked.add(i.path("id").asText());
      });
      assertThat(revoked).contains(ids.get(0));
      admin.get("/api/v1/tokens?status=active&limit=500").json().path("items")
          .forEach(i -> assertThat(i.path("status").asText()).isEqualTo("active"));
      assertThat(admin.get("/api/v1/tokens?status=active&limit=500").json().path("items"))
          .extracting(i -> i.path("id").asText()).contains(ids.get(1)).doesNotContain(ids.get(0));
    }

    @Test
    void listingParametersAreChecked() {
      assertThat(admin.get("/api/v1/tokens?status=gone").message()).startsWith("status:");
      assertThat(admin.get("/api/v1/tokens?limit=0").message()).startsWith("limit:");
      assertThat(admin.get("/api/v1/tokens?limit=501").message()).startsWith("limit:");
      assertThat(admin.get("/api/v1/tokens?limit=ten").message()).startsWith("limit:");
      assertThat(admin.get("/api/v1/tokens?cursor=bm9wZQ").message()).startsWith("cursor:");
      assertThat(admin.get("/api/v1/tokens?cursor=%25%25").status()).isEqualTo(400);
    }

    @Test
    void lastUseIsRecorded() {
      String u = user(true);
      JsonNode t = issue("user", u, "");
      admin.as(t.path("token").asText()).get("/api/v1/groups");

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(admin.get("/api/v1/tokens/" + t.path("id").asText()).json().path("lastUsedAt").isNull()).isFalse());
    }

    @Test
    void deletingAUserStopsItsTokensAtOnceAndForGood() {
      String u = user(true);
      JsonNode t = issue("user", u, "");
      AdminClient holder = admin.as(t.path("token").asText());
      assertThat(holder.get("/api/v1/groups").status()).isEqualTo(200);

      assertThat(admin.delete("/api/v1/users/" + u).status()).isEqualTo(204);

      Reply refused = holder.get("/api/v1/groups");
      assertThat(refused.status()).isEqualTo(401);
      assertThat(admin.get("/api/v1/tokens/" + t.path("id").asText()).json().path("status").asText()).isEqualTo("revoked");

      admin.post("/api/v1/users", json("{'name':'%s','admin':true}", u));
      assertThat(holder.get("/api/v1/groups").status()).isEqualTo(401);
    }
  }

  @Nested
  class Authentication {
    @Test
    void noTokenIsA401WithTheChallenge() {
      Reply r = admin.as(null).get("/api/v1/users");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.error()).isEqualTo("invalid_token");
      assertThat(r.header("WWW-Authenticate")).contains("Bearer realm=\"gatehouse\", error=\"invalid_token\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope", "gth_short_x", "gth_TestAdmin1_QQQQQQQQQQQQQQQQQQQQQ7777777777777777777778",
        "gth_UnknownId1_QQQQQQQQQQQQQQQQQQQQQ7777777777777777777777"})
    void aMalformedOrUnknownTokenIsA401(String token) {
      Reply r = admin.as(token).post("/api/v1/groups", "{\"name\":\"never-created\"}");
      assertThat(r.status()).isEqualTo(401);
      assertThat(admin.get("/api/v1/groups/never-created").status()).isEqualTo(404);
    }

    @Test
    void anExpiredTokenSaysSo() {
      String u = user(true);
      Reply issued = admin.post("/api/v1/tokens", json(
          "{'label':'one-hour','expiresInHours':1,'principal':{'type':'user','name':'%s'}}", u));
      AdminClient holder = admin.as(issued.json().path("token").asText());
      assertThat(holder.get("/api/v1/groups").status()).isEqualTo(200);

      clock.advance(Duration.ofMinutes(61));

      Reply r = holder.get("/api/v1/groups");
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).contains(
          "Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"token expired\"");
      assertThat(admin.get("/api/v1/tokens/" + issued.json().path("id").asText()).json().path("status").asText())
          .isEqualTo("expired");
    }

    @Test
    void aValidNonAdminTokenIsA403() {
      String u = user(false);
      Reply r = admin.as(issue("user", u, "").path("token").asText()).get("/api/v1/users");
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.error()).isEqualTo("forbidden");
    }

    @Test
    void authenticationComesBeforeTheBodyIsRead() {
      Reply r = admin.as(null).post("/api/v1/users", "{not json");
      assertThat(r.status()).isEqualTo(401);
    }
  }

  @Nested
  class Errors {
    @Test
    void unknownPathsAndMethodsAnswerWithTheErrorBody() {
      Reply missing = admin.get("/api/v1/nothing-here");
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.error()).isEqualTo("not_found");
      Reply method = admin.send("PATCH", "/api/v1/users", "{}");
      assertThat(method.status()).isEqualTo(405);
      assertThat(method.json().path("message").asText()).contains("GET", "POST");
      assertThat(admin.get("/").status()).isEqualTo(404);
    }
  }

  @Nested
  class Audit {
    @Test
    void everyWriteLeavesAnAuditRow() {
      String g = group();
      String u = user(false, g);
      String id = issue("user", u, "").path("id").asText();
      admin.post("/api/v1/tokens/" + id + "/revoke", null);

      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        List<String> rows = node.store().sql().query(
            "select event_type || ' ' || subject || ' ' || actor from audit_log order by id", rs -> rs.getString(1));
        assertThat(rows).contains(
            "group.created group:" + g + " service-account:gatehouse-admin",
            "user.created user:" + u + " service-account:gatehouse-admin",
            "token.issued token:" + id + " service-account:gatehouse-admin",
            "token.revoked token:" + id + " service-account:gatehouse-admin");
      });
      assertThat(node.store().sql().queryOne("select node from audit_log where subject = ?",
          rs -> rs.getString(1), "token:" + id).orElseThrow()).isEqualTo(node.nodeAddress());
    }
  }
}
