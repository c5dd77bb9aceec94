package io.gatehouse.ops;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TCP software no one here wrote, through tcp routes of a two-node cluster: Debian's OpenSSH
 * ({@code sshd} started here with a throw-away host key, the {@code ssh} client with
 * {@code ProxyCommand} on {@code gatehouse tunnel --stdio}, and through a session port) and
 * PostgreSQL ({@code psql} and the JDBC driver, through a session port and through {@code
 * gatehouse tunnel --local-port}). Revoking the token ends an ssh session; a connection from
 * outside {@code allowFrom} is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TcpAppsIT {
  private static final Path CLI = Path.of("target/gatehouse").toAbsolutePath();

  @TempDir static Path work;
  private TestCluster cluster;
  private Gateway a;
  private Gateway b;
  private String team;
  private String project;
  private Process sshd;
  private Path clientKey;
  private final List<Process> started = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    int first = 20000 + ThreadLocalRandom.current().nextInt(900) * 10;
    cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase(), 2, Clock.systemUTC(), ConfigFactory.parseMap(
        Map.of("gatehouse.tcp.ports", first + "-" + (first + 9))));
    a = cluster.a();
    b = cluster.b();
    team = a.group();
    project = a.project(List.of(team), List.of());
    int sshPort = startSshd();
    tcpRoute("ssh-box", sshPort);
    tcpRoute("pg", EmbeddedPostgresFixture.server().getPort());
  }

  @AfterAll
  void stop() {
    started.forEach(Process::destroyForcibly);
    if (sshd != null) {
      sshd.destroy();
    }
    cluster.close();
  }

  private void tcpRoute(String name, int port) {
    assertThat(a.admin.post("/api/v1/routes", json("{'name':'%s','protocol':'tcp','allowedGroups':['%s'],"
        + "'healthCheck':{'intervalSeconds':1}}", name, team)).status()).isEqualTo(201);
    assertThat(a.admin.post("/api/v1/registrations", json("{'deployment':'%s','project':'%s','route':'%s',"
        + "'address':'127.0.0.1:%d','protocol':'tcp','namespace':'test','leaseSeconds':3600}", name, project, name,
        port)).status()).isEqualTo(201);
    a.awaitHealthy(name, 1);
    b.awaitHealthy(name, 1);
  }

  /** sshd on a free loopback port: a throw-away host key, the test's key authorized, nothing else. */
  private int startSshd() throws Exception {
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", work.resolve("host_key").toString());
    clientKey = work.resolve("client_key");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString());
    Files.copy(work.resolve("client_key.pub"), work.resolve("authorized_keys"));
    Files.createDirectories(Path.of("/run/sshd"));
    int port = FreePorts.allocate(1)[0];
    Path config = work.resolve("sshd_config");
    Files.writeString(config, """
        Port %d
        ListenAddress 127.0.0.1
        HostKey %s
        AuthorizedKeysFile %s
        PidFile %s
        StrictModes no
        UsePAM no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitRootLogin prohibit-password
        """.formatted(port, work.resolve("host_key"), work.resolve("authorized_keys"), work.resolve("sshd.pid")));
    sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("sshd.log").toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
          .until(() -> {
            new java.net.Socket("127.0.0.1", port).close();
            return true;
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("sshd did not start: " + Files.readString(work.resolve("sshd.log")), e);
    }
    return port;
  }

  private List<String> ssh(String... rest) {
    List<String> cmd = new ArrayList<>(List.of("ssh", "-F", "/dev/null", "-i", clientKey.toString(),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
        "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"));
    cmd.addAll(List.of(rest));
    return cmd;
  }

  private static String user() {
    return System.getProperty("user.name");
  }

  @Test
  void sshRunsACommandThroughTheTunnelAsProxyCommand() throws Exception {
    String token = a.userToken(a.user(team)).secret();
    Result r = run(env(b, token), ssh("-o", "ProxyCommand=" + CLI + " tunnel ssh-box --stdio", user() + "@ssh-box",
        "echo hello-from-$(hostname)-sshd"));
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("hello-from-").contains("-sshd");
  }

  @Test
  void sshRunsACommandThroughASessionPort() throws Exception {
    String token = a.userToken(a.user(team)).secret();
    JsonNode session = session(a, token, "ssh-box");
    Result r = run(Map.of(), ssh("-p", session.path("port").asText(), user() + "@127.0.0.1", "echo via-session-port"));
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("via-session-port");
  }

  @Test
  void revokingTheTokenEndsTheSshSession() throws Exception {
    Gateway.Token token = a.userToken(a.user(team));
    Process p = start(env(a, token.secret()), ssh("-o", "ProxyCommand=" + CLI + " tunnel ssh-box --stdio",
        user() + "@ssh-box", "echo started; sleep 120"));
    assertThat(new String(p.getInputStream().readNBytes(8), StandardCharsets.UTF_8)).isEqualTo("started\n");
    assertThat(b.admin.post("/api/v1/tokens/" + token.id() + "/revoke", "").status()).isEqualTo(200);
    long revokedAt = System.nanoTime();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("ssh ended").isTrue();
    assertThat(p.exitValue()).isNotZero();
    // The gateway closes within a second; the CLI and ssh take a moment more to exit.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt)).isLessThan(3000);
  }

  @Test
  void psqlAndJdbcRunQueriesThroughASessionPortAndOutsideAllowFromIsRefused() throws Exception {
    String token = a.userToken(a.user(team)).secret();
    JsonNode session = session(b, token, "pg");
    int port = session.path("port").asInt();
    Result r = run(Map.of(), List.of("psql", "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres"
        + " sslmode=disable connect_timeout=10", "-At", "-c", "create temp table t(x int); insert into t values (6);"
        + " select x * 7 from t"));
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output.strip()).endsWith("42");

    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select current_database(), 6 * 7")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(2)).isEqualTo(42);
    }
    // The same port from 127.0.0.2: not in allowFrom (the caller's 127.0.0.1), refused.
    Properties from2 = new Properties();
    from2.setProperty("user", "postgres");
    from2.setProperty("localSocketAddress", "127.0.0.2");
    from2.setProperty("connectTimeout", "5");
    from2.setProperty("socketTimeout", "5");
    assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", from2)
        .close()).isInstanceOf(SQLException.class);
  }

  @Test
  void psqlRunsAQueryThroughTheTunnelOnALocalPort() throws Exception {
    String token = a.userToken(a.user(team)).secret();
    int local = FreePorts.allocate(1)[0];
    Process tunnel = start(env(a, token), List.of(CLI.toString(), "tunnel", "pg", "--local-port", String.valueOf(local)));
    String banner = new String(tunnel.getErrorStream().readNBytes(40), StandardCharsets.UTF_8);
    assertThat(banner).startsWith("gatehouse: route 'pg' on 127.0.0.1:" + local);
    for (int i = 0; i < 2; i++) {
      Result r = run(Map.of(), List.of("psql", "host=127.0.0.1 port=" + local + " user=postgres dbname=postgres"
          + " sslmode=disable connect_timeout=10", "-At", "-c", "select 'through the tunnel ' || " + i));
      assertThat(r.exit).as(r.output).isZero();
      assertThat(r.output.strip()).isEqualTo("through the tunnel " + i);
    }
    tunnel.destroy();
  }

  private JsonNode session(Gateway g, String token, String route) {
    var made = g.send("POST", "/_gatehouse/tcp-sessions", token, json("{'route':'%s'}", route));
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    return Gateway.body(made);
  }

  private static Map<String, String> env(Gateway g, String token) {
    return Map.of("GATEHOUSE_GATEWAY", g.base(), "GATEHOUSE_TOKEN", token);
  }

  record Result(int exit, String output) {}

  private Result run(String... cmd) throws Exception {
    return run(Map.of(), List.of(cmd));
  }

  private Result run(Map<String, String> env, List<String> cmd) throws Exception {
    Process p = start(env, cmd);
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8)
        + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private Process start(Map<String, String> env, List<String> cmd) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    pb.environment().put("PGCONNECT_TIMEOUT", "10");
    Process p = pb.start();
    started.add(p);
    return p;
  }
}
