package io.gatehouse.node.route;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.node.probe.ProbeServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may register instances, and where they may be: a service account with {@code canRegister}
 * registers only into projects that list it, onto static routes whose {@code registrationProjects}
 * name the project, and touches only its own instances; no registration may aim the data plane at
 * the node's own ports or at link-local and metadata addresses. Tried as the attacks were.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistrationTrustTest {
  @TempDir static Path dataDir;
  private Gateway gw;
  private String team;
  private String victimProject;
  private String registrar;
  private String registrarProject;
  private AdminClient asRegistrar;
  private ProbeServer real;
  private ProbeServer attacker;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dataDir));
    team = gw.group();
    victimProject = gw.project(List.of(team), List.of());
    registrar = Gateway.unique("ci");
    gw.admin.post("/api/v1/service-accounts", json("{'name':'%s','canRegister':true}", registrar));
    registrarProject = gw.project(List.of(team), List.of(registrar));
    asRegistrar = gw.admin.as(gw.token("service-account", registrar, "").secret());
    real = gw.probe("real");
    attacker = gw.probe("attacker");
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  private String registration(String project, String route, String address) {
    return json("{'deployment':'d','project':'%s','route':'%s','address':'%s','leaseSeconds':3600}", project,
        route, address);
  }

  @Test
  void aRegistrarCannotTakeOverAnotherTeamsRoute() {
    String route = gw.route(json("'allowedGroups':['%s']", team));
    String realInstance = gw.register(route, real.port(), victimProject);

    AdminClient.Reply intoTheirProject = asRegistrar.post("/api/v1/registrations",
        registration(victimProject, route, "127.0.0.1:" + attacker.port()));
    AdminClient.Reply ontoTheirRoute = asRegistrar.post("/api/v1/registrations",
        registration(registrarProject, route, "127.0.0.1:" + attacker.port()));
    AdminClient.Reply removeTheirs = asRegistrar.delete("/api/v1/registrations/" + realInstance);
    AdminClient.Reply renewTheirs = asRegistrar.put("/api/v1/registrations/" + realInstance + "/heartbeat", "");

    assertThat(intoTheirProject.status()).as(intoTheirProject.body()).isEqualTo(403);
    assertThat(intoTheirProject.message()).contains("does not list it");
    assertThat(ontoTheirRoute.status()).as(ontoTheirRoute.body()).isEqualTo(403);
    assertThat(ontoTheirRoute.message()).contains("registrationProjects");
    assertThat(removeTheirs.status()).isEqualTo(404);
    assertThat(renewTheirs.status()).isEqualTo(404);
    assertThat(gw.admin.get("/api/v1/routes/" + route + "/instances").json().path("items"))
        .extracting(i -> i.path("id").asText()).containsExactly(realInstance);
  }

  @Test
  void aRouteThatNamesTheProjectTakesTheRegistrarsInstancesWhichOnlyItAndAdminsTouch() {
    String route = gw.route(json("'allowedGroups':['%s'],'registrationProjects':['%s']", team, registrarProject));
    assertThat(gw.admin.get("/api/v1/routes/" + route).json().path("registrationProjects"))
        .extracting(n -> n.asText()).containsExactly(registrarProject);

    AdminClient.Reply mine = asRegistrar.post("/api/v1/registrations",
        registration(registrarProject, route, "127.0.0.1:" + attacker.port()));
    assertThat(mine.status()).as(mine.body()).isEqualTo(201);
    String id = mine.json().path("instanceId").asText();

    assertThat(asRegistrar.put("/api/v1/registrations/" + id + "/heartbeat", "").status()).isEqualTo(200);
    assertThat(gw.admin.put("/api/v1/registrations/" + id + "/heartbeat", "").status()).isEqualTo(200);
    assertThat(asRegistrar.delete("/api/v1/registrations/" + id).status()).isEqualTo(204);
  }

  @Test
  void anEphemeralRouteIsOnlyForAProjectThatListsTheRegistrar() {
    AdminClient.Reply theirs = asRegistrar.post("/api/v1/registrations",
        registration(victimProject, "", "127.0.0.1:" + attacker.port()));
    AdminClient.Reply mine = asRegistrar.post("/api/v1/registrations",
        registration(registrarProject, "", "127.0.0.1:" + attacker.port()));

    assertThat(theirs.status()).isEqualTo(403);
    assertThat(mine.status()).as(mine.body()).isEqualTo(201);
    assertThat(asRegistrar.delete("/api/v1/registrations/" + mine.json().path("instanceId").asText()).status())
        .isEqualTo(204);
  }

  @Test
  void noRegistrationAimsTheDataPlaneAtTheNodeItselfOrAtMetadataAddresses() {
    String route = gw.route(json("'allowedGroups':['%s']", team));
    int management = gw.node.settings().ports().management();
    for (String address : List.of("127.0.0.1:" + gw.node.adminPort(), "127.0.0.1:" + management,
        "localhost:" + management, "127.0.0.2:" + gw.node.httpPort(), "[::1]:" + gw.node.adminPort(),
        "169.254.169.254:80", "[fd00:ec2::254]:80", "[fe80::1]:8000")) {
      AdminClient.Reply r = gw.admin.post("/api/v1/registrations", registration(victimProject, route, address));
      assertThat(r.status()).as(address + ": " + r.body()).isEqualTo(400);
      assertThat(r.message()).as(address).startsWith("address: ");
    }
    assertThat(gw.admin.get("/api/v1/routes/" + route + "/instances").json().path("items")).isEmpty();
  }

  @Test
  void theNamespaceMayBeLeftOutAndThenIsTheClusters() {
    String route = gw.route(json("'allowedGroups':['%s']", team));

    AdminClient.Reply r = gw.admin.post("/api/v1/registrations",
        registration(victimProject, route, "127.0.0.1:" + real.port()));

    assertThat(r.status()).as(r.body()).isEqualTo(201);
  }

  @Test
  void instancesOutsideTheAllowedNetworksAreRefused(@TempDir Path other) {
    try (Gateway restricted = new Gateway(TestNodes.h2(other).withFallback(ConfigFactory.parseString(
        "gatehouse.instances.networks = \"10.0.0.0/8, fd00::/8\"")))) {
      String p = restricted.project(List.of(), List.of());
      String route = restricted.route("");
      AdminClient.Reply r = restricted.admin.post("/api/v1/registrations",
          registration(p, route, "127.0.0.1:" + real.port()));

      assertThat(r.status()).isEqualTo(400);
      assertThat(r.message()).contains("GATEHOUSE_INSTANCE_NETWORKS");
    }
  }
}
