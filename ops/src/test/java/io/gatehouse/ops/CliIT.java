package io.gatehouse.ops;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code gatehouse} CLI against one real node, every command through
 * {@code ops/target/gatehouse} as a process: tables for people, {@code --json} for scripts (parsed
 * here), exit 1 with the gateway's message when it refuses, exit 2 on a usage error, and the
 * login file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliIT {
  @TempDir static Path work;
  private Gateway gateway;
  private GatehouseCli admin;
  private String team;

  @BeforeAll
  void start() {
    gateway = new Gateway(TestNodes.h2(work.resolve("data")));
    admin = new GatehouseCli(Map.of("GATEHOUSE_URL", adminUrl(), "GATEHOUSE_GATEWAY", gateway.base(),
        "GATEHOUSE_TOKEN", TestNodes.ADMIN_TOKEN, "GATEHOUSE_CONFIG", work.resolve("no-login.json").toString()));
    team = gateway.group();
  }

  @AfterAll
  void stop() {
    gateway.close();
  }

  private String adminUrl() {
    return "http://127.0.0.1:" + gateway.node.adminPort();
  }

  private static GatehouseCli.Result ok(GatehouseCli.Result r) {
    assertThat(r.exit()).as(r.toString()).isZero();
    return r;
  }

  @Test
  void usersAreCreatedShownUpdatedListedAndDeleted() {
    String alice = Gateway.unique("alice");
    JsonNode created = ok(admin.run("users", "create", alice, "--group", team, "--json")).json();
    assertThat(created.path("groups").get(0).asText()).isEqualTo(team);
    assertThat(created.path("admin").asBoolean()).isFalse();

    JsonNode updated = ok(admin.run("users", "update", alice, "--admin", "--json")).json();
    assertThat(updated.path("admin").asBoolean()).isTrue();
    assertThat(updated.path("groups").get(0).asText()).as("what update did not name keeps its value").isEqualTo(team);
    assertThat(ok(admin.run("users", "get", alice)).lines()).contains("admin      yes");

    List<String> table = ok(admin.run("users", "list")).lines();
    assertThat(table.get(0)).matches("NAME +GROUPS +ADMIN +CREATED");
    assertThat(table).anyMatch(l -> l.matches(alice + " +" + team + " +yes +\\d{4}-\\d\\d-\\d\\dT[\\d:]{8}Z"));

    assertThat(ok(admin.run("users", "delete", alice)).out()).isEqualTo("Deleted user '" + alice + "'.\n");
    GatehouseCli.Result gone = admin.run("users", "get", alice);
    assertThat(gone.exit()).isEqualTo(1);
    assertThat(gone.err()).isEqualTo("gatehouse: 404 not_found: user '" + alice + "' does not exist\n");
  }

  @Test
  void groupsAreCreatedListedShownAndDeletedAndADuplicateIsRefusedWithExit1() {
    String g = Gateway.unique("group");
    assertThat(ok(admin.run("groups", "create", g, "--json")).json().path("name").asText()).isEqualTo(g);
    GatehouseCli.Result again = admin.run("groups", "create", g);
    assertThat(again.exit()).as(again.toString()).isEqualTo(1);
    assertThat(again.err()).startsWith("gatehouse: 409 conflict: ").contains(g);
    assertThat(ok(admin.run("groups", "list", "--json")).json().path("items").findValuesAsText("name")).contains(g);
    assertThat(ok(admin.run("groups", "get", g, "--json")).json().path("members").isArray()).isTrue();
    assertThat(ok(admin.run("groups", "delete", g, "--json")).out()).as("a 204 has no JSON").isEmpty();
  }

  @Test
  void serviceAccountsAreCreatedUpdatedListedShownAndDeleted() {
    String sa = Gateway.unique("partner");
    ok(admin.run("service-accounts", "create", sa, "--description", "ACME Corp"));
    JsonNode updated = ok(admin.run("service-accounts", "update", sa, "--can-register", "--json")).json();
    assertThat(updated.path("canRegister").asBoolean()).isTrue();
    assertThat(updated.path("description").asText()).isEqualTo("ACME Corp");
    assertThat(ok(admin.run("service-accounts", "list")).lines())
        .anyMatch(l -> l.matches(sa + " +yes +no +ACME Corp"));
    assertThat(ok(admin.run("service-accounts", "get", sa, "--json")).json().path("admin").asBoolean()).isFalse();
    ok(admin.run("service-accounts", "delete", sa));
  }

  @Test
  void projectsTakeTheirBodyFromStdinAndOptionsAndKeepWhatAnUpdateDoesNotName() {
    String sa = gateway.serviceAccount();
    String p = Gateway.unique("proj");
    JsonNode created = ok(admin.runWithInput("{\"groups\":[\"" + team + "\"]}", "projects", "create", p,
        "--from-file", "-", "--service-account", sa, "--json")).json();
    assertThat(created.path("groups").get(0).asText()).isEqualTo(team);
    assertThat(created.path("serviceAccounts").get(0).asText()).isEqualTo(sa);

    JsonNode updated = ok(admin.run("projects", "update", p, "--service-account", "", "--json")).json();
    assertThat(updated.path("serviceAccounts").isEmpty()).isTrue();
    assertThat(updated.path("groups").get(0).asText()).isEqualTo(team);
    assertThat(ok(admin.run("projects", "list")).lines()).anyMatch(l -> l.startsWith(p + " "));
    assertThat(ok(admin.run("projects", "get", p)).lines()).contains("serviceAccounts  -");
    ok(admin.run("projects", "delete", p));
  }

  @Test
  void tokensAreIssuedListedShownRevokedAndDeleted() {
    String user = gateway.user(team);
    String route = gateway.route("");
    JsonNode issued = ok(admin.run("tokens", "create", "--label", "ci", "--user", user, "--expires-in-hours", "2",
        "--route", route, "--metadata", "ticket=OPS-1", "--json")).json();
    String id = issued.path("id").asText();
    assertThat(issued.path("token").asText()).matches("gth_[0-9A-Za-z]{8,}_[0-9A-Za-z]{43,}");
    assertThat(issued.path("routes").get(0).asText()).isEqualTo(route);
    assertThat(issued.path("metadata").path("ticket").asText()).isEqualTo("OPS-1");

    List<String> table = ok(admin.run("tokens", "list", "--status", "active")).lines();
    assertThat(table.get(0)).matches("ID +LABEL +PRINCIPAL +STATUS +EXPIRES +LAST-USED");
    assertThat(table).anyMatch(l -> l.matches(id + " +ci +user:" + user + " +active +\\S+Z +-"));
    assertThat(ok(admin.run("tokens", "get", id, "--json")).json().path("principal").path("name").asText())
        .isEqualTo(user);

    assertThat(ok(admin.run("tokens", "revoke", id, "--json")).json().path("status").asText()).isEqualTo("revoked");
    String other = gateway.userToken(user).id();
    assertThat(ok(admin.run("tokens", "delete", other)).lines().get(1)).contains(other, "revoked");
  }

  @Test
  void tokensCreateSaysWhichOptionIsMissingWithExit2() {
    GatehouseCli.Result r = admin.run("tokens", "create", "--label", "x", "--expires-in-days", "1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--user NAME or --service-account NAME");
  }

  @Test
  void tokensListFollowsTheNextCursorAndStopsAtTheLimit() {
    String sa = gateway.serviceAccount();
    for (int i = 0; i < 101; i++) {
      assertThat(gateway.admin.post("/api/v1/tokens", json("{'label':'bulk-%d','expiresInDays':1,"
          + "'principal':{'type':'service-account','name':'%s'}}", i, sa)).status()).isEqualTo(201);
    }
    JsonNode all = ok(admin.run("tokens", "list", "--json")).json();
    List<String> ids = all.path("items").findValuesAsText("id");
    assertThat(ids.size()).as("more than one page of 100").isGreaterThan(101);
    assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
    assertThat(all.path("nextCursor").isNull()).isTrue();

    JsonNode first = ok(admin.run("tokens", "list", "--limit", "2", "--json")).json();
    assertThat(first.path("items").findValuesAsText("id")).isEqualTo(ids.subList(0, 2));
    JsonNode second = ok(admin.run("tokens", "list", "--limit", "2", "--cursor",
        first.path("nextCursor").asText(), "--json")).json();
    assertThat(second.path("items").findValuesAsText("id")).isEqualTo(ids.subList(2, 4));
  }

  @Test
  void routesAreCreatedShownUpdatedListedWithInstancesAndDeleted() {
    String r = Gateway.unique("route");
    ok(admin.run("routes", "create", r, "--path-prefix", "/" + r, "--allow-group", team, "--no-strip-prefix",
        "--health-path", "/health", "--max-body-bytes", "1024"));
    JsonNode updated = ok(admin.run("routes", "update", r, "--affinity", "none", "--json")).json();
    assertThat(updated.path("affinity").asText()).isEqualTo("none");
    assertThat(updated.path("stripPrefix").asBoolean()).as("kept").isFalse();
    assertThat(updated.path("maxRequestBodyBytes").asLong()).as("kept").isEqualTo(1024);
    assertThat(updated.path("allowedGroups").get(0).asText()).as("kept").isEqualTo(team);
    assertThat(ok(admin.run("routes", "get", r, "--json")).json().path("match").path("pathPrefix").asText())
        .isEqualTo("/" + r);
    assertThat(ok(admin.run("routes", "list")).lines()).anyMatch(l -> l.matches(r + " +static +/" + r
        + " +http +0/0 +yes +" + gateway.base() + "/" + r + "/"));

    String project = gateway.project(List.of(team), List.of());
    gateway.register(r, gateway.probe("p-" + r).port(), project);
    List<String> instances = ok(admin.run("routes", "instances", r)).lines();
    assertThat(instances.get(0)).matches("ID +ADDRESS +HEALTHY +SESSIONS +IN-FLIGHT +REGISTERED +LAST-HEARTBEAT");
    assertThat(instances).hasSize(2);
    assertThat(instances.get(1)).startsWith(r + ".").contains("127.0.0.1:");
    ok(admin.run("routes", "delete", r));
  }

  @Test
  void aTcpRouteIsUpdatedWithoutTheHttpFieldsItCannotHave() {
    String r = Gateway.unique("tcp");
    ok(admin.run("routes", "create", r, "--protocol", "tcp", "--allow-group", team));
    JsonNode updated = ok(admin.run("routes", "update", r, "--no-enabled", "--json")).json();
    assertThat(updated.path("enabled").asBoolean()).isFalse();
    assertThat(updated.path("protocol").asText()).isEqualTo("tcp");
  }

  @Test
  void aRouteTakesWhatNoOptionCoversFromAFile() throws Exception {
    String r = Gateway.unique("grpc");
    Path file = Files.writeString(work.resolve(r + ".json"),
        "{\"timeouts\":{\"connectSeconds\":2,\"idleSeconds\":60},\"upstreamProtocol\":\"h2c\",\"affinity\":\"none\"}");
    JsonNode created = ok(admin.run("routes", "create", r, "--path-prefix", "/" + r, "--from-file", file.toString(),
        "--affinity", "consumer", "--json")).json();
    assertThat(created.path("timeouts").path("idleSeconds").asInt()).isEqualTo(60);
    assertThat(created.path("upstreamProtocol").asText()).isEqualTo("h2c");
    assertThat(created.path("affinity").asText()).as("the option overrides the file").isEqualTo("consumer");
  }

  @Test
  void statusShowsTheNodesAndTheEndpoints() {
    List<String> table = ok(admin.run("status")).lines();
    assertThat(table.get(0)).matches("NODE +STATUS +REACHABLE +LEADER +VERSION +UPTIME +DATA-PLANE");
    assertThat(table.get(1)).contains("(this)", "Up", gateway.base());
    JsonNode both = ok(admin.run("status", "--json")).json();
    assertThat(both.path("routers").path("items").get(0).path("self").asBoolean()).isTrue();
    assertThat(both.path("endpoints").path("items").isArray()).isTrue();
  }

  @Test
  void openMakesABrowserLinkWithTheCallersTokenAndHandsItToXdgOpen() throws Exception {
    String route = gateway.route("'browser':true,'allowedGroups':['" + team + "']");
    GatehouseCli alice = admin.with(Map.of("GATEHOUSE_TOKEN", gateway.userToken(gateway.user(team)).secret()));
    String link = ok(alice.run("open", route)).out().strip();
    assertThat(link).startsWith(gateway.base() + "/_gatehouse/signin?code=");
    JsonNode json = ok(alice.run("open", route, "--next", "/" + route + "/tree", "--json")).json();
    assertThat(json.path("expiresAt").asText()).isNotEmpty();

    Path bin = Files.createDirectories(work.resolve("bin"));
    Path opened = work.resolve("opened.txt");
    Path fake = Files.writeString(bin.resolve("xdg-open"), "#!/bin/sh\necho \"$1\" > " + opened + "\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    String url = ok(alice.with(Map.of("PATH", bin + ":" + System.getenv("PATH"))).run("open", route, "--browser"))
        .out().strip();
    assertThat(Files.readString(opened).strip()).isEqualTo(url);

    GatehouseCli.Result notBrowser = alice.run("open", gateway.route("'allowedGroups':['" + team + "']"));
    assertThat(notBrowser.exit()).isEqualTo(1);
    assertThat(notBrowser.err()).startsWith("gatehouse: 400 invalid_request: route:");
  }

  @Test
  void loginKeepsTheCheckedTokenInAFileOfMode0600AndLogoutRemovesIt() throws Exception {
    Path file = work.resolve("login/gatehouse.json");
    GatehouseCli bare = new GatehouseCli(Map.of("GATEHOUSE_CONFIG", file.toString()));
    GatehouseCli.Result refused = bare.runWithInput("gth_Nobody123_" + "x".repeat(43) + "\n", "login", "--url",
        adminUrl());
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
    assertThat(file).doesNotExist();

    ok(bare.runWithInput(TestNodes.ADMIN_TOKEN + "\n", "login", "--url", adminUrl()));
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    JsonNode saved = new ObjectMapper().readTree(file.toFile());
    assertThat(saved.path("gateway").asText()).as("learnt from GET /routers").isEqualTo(gateway.base());
    assertThat(ok(bare.run("users", "list", "--json")).json().path("items").isArray()).isTrue();

    assertThat(ok(bare.run("logout")).out()).startsWith("Logged out");
    assertThat(file).doesNotExist();
    assertThat(bare.run("users", "list").exit()).as("no URL, no token").isEqualTo(2);
  }

  @Test
  void completionPrintsABashScriptOfEveryCommand() {
    String script = ok(admin.run("completion")).out();
    assertThat(script).contains("complete -F", "service-accounts", "test-connectivity", "--expires-in-days");
  }

  @Test
  void usageErrorsExitWith2() {
    assertThat(admin.run("users", "list", "--no-such-option").exit()).isEqualTo(2);
    GatehouseCli.Result missing = admin.run("users", "create");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required parameter: 'NAME'");
    assertThat(admin.run("groups", "update", team).exit()).as("groups have no update").isEqualTo(2);
  }

  /** Against POST /routers/connectivity-test: {"ok", "steps": [{"name","ok","millis","detail"}]}. */
  @Test
  void testConnectivityShowsEveryStepAndExits0WhenAllPassed() {
    List<String> table = ok(admin.run("test-connectivity")).lines();
    assertThat(table.get(0)).matches("STEP +OK +MILLIS +DETAIL");
    JsonNode answer = ok(admin.run("test-connectivity", "--json")).json();
    assertThat(answer.path("ok").asBoolean()).isTrue();
    List<String> steps = new ArrayList<>(answer.path("steps").findValuesAsText("name"));
    assertThat(steps).isNotEmpty().hasSize(table.size() - 1);
  }
}
