package io.gatehouse.ops;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.NodeProcess;
import io.gatehouse.node.testing.ProcessCluster;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse register}, the registration agent, as a process against a node that is a
 * process too (on PostgreSQL, so that kill -9 and a start on the same ports bring back the same
 * state): the app it starts with {@code --exec} (the node jar's probe) is served through the data
 * plane while it runs and again after the node was killed and restarted; SIGTERM deregisters at
 * once; the agent ends with its app; refusals exit 1 and usage errors 2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegisterAgentIT {
  private static final Path CLI = Path.of("target/gatehouse").toAbsolutePath();
  /** Where {@link NodeProcess} finds the node jar. */
  private static final Path NODE_JAR = Path.of("target/gatehouse-node.jar").toAbsolutePath();
  private static final int SHORT_LEASE = 6;
  /** For the SIGTERM cases: the instance is gone long before such a lease could have ended. */
  private static final int LONG_LEASE = 30;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir static Path work;
  private ProcessCluster cluster;
  private NodeProcess node;
  private AdminClient admin;
  private String userToken;
  private final List<Process> agents = new ArrayList<>();
  private final AtomicInteger runs = new AtomicInteger();

  @BeforeAll
  void start() throws IOException {
    // A copy taken once: a rebuild of cluster-node during the run cannot change the jar under the node.
    Files.copy(Path.of("../cluster-node/target/gatehouse-node.jar"), NODE_JAR, StandardCopyOption.REPLACE_EXISTING);
    cluster = new ProcessCluster(work, 1, Map.of());
    node = cluster.nodes.get(0);
    admin = cluster.admin();
    assertThat(admin.post("/api/v1/groups", "{\"name\":\"ml\"}").status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/users", "{\"name\":\"ada\",\"groups\":[\"ml\"]}").status()).isEqualTo(201);
    assertThat(admin.post("/api/v1/projects", "{\"name\":\"apps\",\"groups\":[\"ml\"]}").status()).isEqualTo(201);
    userToken = admin.post("/api/v1/tokens", "{\"label\":\"ada\",\"expiresInDays\":1,"
        + "\"principal\":{\"type\":\"user\",\"name\":\"ada\"}}").json().path("token").asText();
  }

  @AfterAll
  void stop() throws InterruptedException {
    for (Process p : agents) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    cluster.close();
  }

  @Test
  void anAppStartedWithExecIsServedAndSigtermDeregistersItAtOnce() throws Exception {
    int port = FreePorts.allocate(1)[0];
    Agent agent = servingProbe("exec-app", LONG_LEASE, port);

    agent.process.destroy();
    await().atMost(Duration.ofSeconds(3)).until(() -> instances("exec-app").isEmpty());
    assertThat(agent.process.waitFor(20, TimeUnit.SECONDS)).as("the agent exits").isTrue();
    // The agent exits with the app's code; the probe, a JVM, exits 143 after its SIGTERM.
    assertThat(agent.process.exitValue()).as(agent.err()).isEqualTo(143);
    assertThat(agent.err()).contains("deregistered instance exec-app.");
    assertThat(accepts(port)).as("the app is stopped").isFalse();
  }

  @Test
  void afterTheNodeIsKilledAndStartedAgainTheRouteServesWithinALease() throws Exception {
    Agent agent = servingProbe("restart-app", SHORT_LEASE, FreePorts.allocate(1)[0]);

    node.kill();
    await().atMost(Duration.ofSeconds(10)).until(() -> agent.err().contains("cannot reach the admin API"));
    node.restart().awaitReady();
    // Within a lease of the node's return the agent is answered again (a heartbeat, or a new
    // registration when the lease was lost) and the route serves the app; a lease later it still does.
    await().atMost(Duration.ofSeconds(SHORT_LEASE)).pollInterval(Duration.ofMillis(200))
        .until(() -> agent.err().contains("answers again") && serves("/restart-app/after", "restart-app-probe"));
    assertThat(agent.process.isAlive()).as("the agent outlives the node").isTrue();
    await().pollDelay(Duration.ofSeconds(SHORT_LEASE + 1)).atMost(Duration.ofSeconds(SHORT_LEASE + 4))
        .until(() -> serves("/restart-app/later", "restart-app-probe"));
    agent.process.destroy();
    assertThat(agent.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void withoutARouteTheDeploymentIsServedOnItsEphemeralRouteUntilSigterm() throws Exception {
    try (ProbeServer probe = ProbeServer.start("127.0.0.1", 0, "eph-probe")) {
      Agent agent = register(LONG_LEASE, "--deployment", "eph-app", "--address", "127.0.0.1:" + probe.port());
      assertThat(agent.url()).isEqualTo("http://127.0.0.1:" + node.http + "/deployments/eph-app/");
      assertThat(answer("/deployments/eph-app/v1/models")).contains("\"instance\":\"eph-probe\"");

      agent.process.destroy();
      await().atMost(Duration.ofSeconds(3)).until(() -> admin.get("/api/v1/routes/eph-app").status() == 404);
      assertThat(agent.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(agent.process.exitValue()).as(agent.err()).isZero();
    }
  }

  @Test
  void aLostLeaseIsRegisteredAgainAtOnce() throws Exception {
    route("lost-app");
    try (ProbeServer probe = ProbeServer.start("127.0.0.1", 0, "lost-probe")) {
      Agent agent = register(SHORT_LEASE, "--deployment", "lost-app", "--route", "lost-app",
          "--address", "127.0.0.1:" + probe.port());
      agent.url();
      String first = instances("lost-app").get(0).path("id").asText();
      assertThat(admin.delete("/api/v1/registrations/" + first).status()).isEqualTo(204);

      await().atMost(Duration.ofSeconds(SHORT_LEASE)).until(() -> agent.err().contains("registering again"));
      await().atMost(Duration.ofSeconds(2)).until(() -> instances("lost-app").size() == 1);
      assertThat(instances("lost-app").get(0).path("id").asText()).isNotEqualTo(first);
      await().atMost(Duration.ofSeconds(5)).until(() -> serves("/lost-app/again", "lost-probe"));
      agent.process.destroy();
    }
  }

  @Test
  void whenTheAppExitsTheAgentDeregistersAndExitsWithItsCode() throws Exception {
    route("short-app");
    int port = FreePorts.allocate(1)[0];
    Agent agent = register(LONG_LEASE, "--deployment", "short-app", "--route", "short-app",
        "--address", "127.0.0.1:" + port, "--exec", "--", "sh", "-c", "timeout 8 java -Xmx64m -jar " + NODE_JAR
            + " probe --port " + port + " --id short-probe; exit 7");
    agent.url();
    assertThat(instances("short-app")).hasSize(1);
    assertThat(agent.process.waitFor(30, TimeUnit.SECONDS)).as("the agent ends with its app").isTrue();
    assertThat(agent.process.exitValue()).as(agent.err()).isEqualTo(7);
    assertThat(instances("short-app")).as("deregistered before exiting").isEmpty();
  }

  @Test
  void anAppThatExitsBeforeItListensEndsTheAgentWithItsCode() throws Exception {
    Agent agent = register(LONG_LEASE, "--deployment", "never-app", "--address", "127.0.0.1:1",
        "--exec", "--", "sh", "-c", "exit 3");
    assertThat(agent.exit()).as(agent.err()).isEqualTo(3);
    assertThat(agent.err()).contains("sh exited (3) before it accepted connections");
    assertThat(admin.get("/api/v1/routes/never-app").status()).isEqualTo(404);
  }

  @Test
  void anAppThatDoesNotListenInTimeIsStoppedAndTheAgentExitsOne() throws Exception {
    Agent agent = register(LONG_LEASE, "--deployment", "slow-app", "--address", "127.0.0.1:1", "--wait-seconds", "1",
        "--exec", "--", "sleep", "60");
    assertThat(agent.exit()).as(agent.err()).isEqualTo(1);
    assertThat(agent.err()).contains("sleep did not accept connections on 127.0.0.1:1 within 1 s");
  }

  @Test
  void anUnreachableAdminUrlIsSkippedForTheNextOne() throws Exception {
    int dead = FreePorts.allocate(1)[0];
    try (ProbeServer probe = ProbeServer.start("127.0.0.1", 0, "next-probe")) {
      Agent agent = start(Map.of("GATEHOUSE_URL", "http://127.0.0.1:" + dead + ",http://127.0.0.1:" + node.admin),
          List.of("register", "--deployment", "next-app", "--project", "apps", "--address", "127.0.0.1:" + probe.port()));
      assertThat(agent.url()).endsWith("/deployments/next-app/");
      assertThat(agent.err()).contains("cannot reach the admin API at http://127.0.0.1:" + dead);
      agent.process.destroy();
      assertThat(agent.exit()).isZero();
    }
  }

  @Test
  void anUnknownProjectIsARefusal() throws Exception {
    Agent agent = start(Map.of(), List.of("register", "--deployment", "lost-project", "--project", "no-such-project",
        "--address", "127.0.0.1:1"));
    assertThat(agent.exit()).isEqualTo(1);
    assertThat(agent.err()).contains("400 invalid_request: project: project 'no-such-project' does not exist");
  }

  @Test
  void aTokenThatMayNotRegisterIsARefusal() throws Exception {
    Agent agent = start(Map.of("GATEHOUSE_TOKEN", userToken), List.of("register", "--deployment", "ada-app",
        "--project", "apps", "--address", "127.0.0.1:1"));
    assertThat(agent.exit()).isEqualTo(1);
    assertThat(agent.err()).contains("403 forbidden: user:ada may not register instances");
  }

  @Test
  void aBadAddressIsAUsageError() throws Exception {
    Agent agent = register(LONG_LEASE, "--deployment", "bad-app", "--address", "localhost");
    assertThat(agent.exit()).isEqualTo(2);
    assertThat(agent.err()).contains("--address is host:port");
  }

  @Test
  void theHelpShowsExamples() throws Exception {
    Agent agent = start(Map.of(), List.of("register", "--help"));
    assertThat(agent.exit()).isZero();
    assertThat(agent.out()).contains("Examples:", "--exec", "Exit codes:");
  }

  /**
   * The agent of a static route {@code name}, started with the probe {@code <name>-probe} on
   * {@code port} by --exec, once the probe answers the user through the route.
   */
  private Agent servingProbe(String name, int lease, int port) throws Exception {
    route(name);
    Agent agent = register(lease, "--deployment", name, "--route", name, "--address", "127.0.0.1:" + port,
        "--exec", "--", "java", "-Xmx64m", "-jar", NODE_JAR.toString(), "probe", "--port", String.valueOf(port),
        "--id", name + "-probe");
    assertThat(agent.url()).isEqualTo("http://127.0.0.1:" + node.http + "/" + name + "/");
    assertThat(answer("/" + name + "/hello")).contains("\"instance\":\"" + name + "-probe\"");
    return agent;
  }

  /** A static path route of the same name for group ml, checked every second. */
  private void route(String name) {
    assertThat(admin.post("/api/v1/routes", json("{'name':'%s','match':{'pathPrefix':'/%s'},'allowedGroups':['ml'],"
        + "'healthCheck':{'intervalSeconds':1}}", name, name)).status()).isEqualTo(201);
  }

  private List<JsonNode> instances(String route) {
    List<JsonNode> items = new ArrayList<>();
    admin.get("/api/v1/routes/" + route + "/instances").json().path("items").forEach(items::add);
    return items;
  }

  /** The probe's answer to the user's request through the data plane. */
  private String answer(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.http + path))
        .header("Authorization", "Bearer " + userToken).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private boolean serves(String path, String probe) {
    try {
      return answer(path).contains("\"instance\":\"" + probe + "\"");
    } catch (Exception | AssertionError e) {
      return false;
    }
  }

  /** One run of the CLI, its output in files. */
  record Agent(Process process, Path outFile, Path errFile) {
    String out() throws IOException {
      return Files.readString(outFile);
    }

    String err() throws IOException {
      return Files.readString(errFile);
    }

    /** The URL the agent printed: its stdout's line that is one (an app started with --exec may print there too). */
    String url() {
      String[] url = new String[1];
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        url[0] = out().lines().filter(l -> l.startsWith("http")).findFirst().orElse(null);
        assertThat(process.isAlive()).as("the agent runs: %s", err()).isTrue();
        return url[0] != null;
      });
      return url[0];
    }

    int exit() throws InterruptedException {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the CLI exits").isTrue();
      return process.exitValue();
    }
  }

  private Agent register(int lease, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("register", "--project", "apps", "--lease-seconds", "" + lease));
    cmd.addAll(List.of(args));
    return start(Map.of(), cmd);
  }

  /** The CLI with {@code args}, as the admin and in namespace test unless {@code env} says otherwise. */
  private Agent start(Map<String, String> env, List<String> args) throws IOException {
    int n = runs.incrementAndGet();
    Path out = work.resolve("cli-" + n + ".out");
    Path err = work.resolve("cli-" + n + ".err");
    List<String> cmd = new ArrayList<>(List.of(CLI.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().putAll(Map.of("GATEHOUSE_URL", "http://127.0.0.1:" + node.admin,
        "GATEHOUSE_TOKEN", TestNodes.ADMIN_TOKEN, "GATEHOUSE_NAMESPACE", "test"));
    pb.environment().putAll(env);
    Process p = pb.start();
    agents.add(p);
    return new Agent(p, out, err);
  }
}
