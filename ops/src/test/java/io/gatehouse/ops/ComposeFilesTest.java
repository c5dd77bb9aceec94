package io.gatehouse.ops;

import static io.gatehouse.ops.DeployFiles.DEPLOY;
import static io.gatehouse.ops.DeployFiles.YAML;
import static io.gatehouse.ops.DeployFiles.nodeSettings;
import static io.gatehouse.ops.DeployFiles.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.ops.DeployFiles.Result;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Compose deployment in {@code ops/deploy} as the tools that read it see it: Debian's
 * docker-compose and HAProxy, and jib, when the base image's registry can be reached.
 */
class ComposeFilesTest {
  @TempDir
  Path work;

  // Compose

  @Test
  void dockerComposeAcceptsTheComposeFileWithTheExampleEnvironment() throws Exception {
    Result config = compose(DEPLOY.resolve("gatehouse.env.example"), "config", "-q");

    assertThat(config.exit()).as(config.output()).isZero();
  }

  @Test
  void dockerComposeRefusesTheComposeFileWithoutTheDatabasePassword() throws Exception {
    Path empty = Files.createFile(work.resolve("empty.env"));

    Result config = compose(empty, "config", "-q");

    assertThat(config.exit()).isNotZero();
    assertThat(config.output()).contains("set POSTGRES_PASSWORD in .env");
  }

  @Test
  void threeNodesJoinTheSameSeedsEachAdvertisingItsServiceName() throws Exception {
    Map<String, Map<String, String>> nodes = composeNodes();

    assertThat(nodes).containsOnlyKeys("node1", "node2", "node3");
    nodes.forEach((service, env) -> {
      assertThat(env).as(service).containsEntry("GATEHOUSE_HOST", service)
          .containsEntry("GATEHOUSE_SEED_NODES", "node1:7355,node2:7355,node3:7355")
          .containsEntry("GATEHOUSE_DB_URL", "jdbc:postgresql://postgres:5432/gatehouse")
          .containsEntry("GATEHOUSE_DB_PASSWORD", "change-me");
    });
  }

  @Test
  void everyVariableTheComposeFileSetsOnANodeIsOneTheNodeReads() throws Exception {
    List<String> names = composeNodes().values().stream().flatMap(env -> env.keySet().stream())
        .filter(name -> name.startsWith("GATEHOUSE_")).distinct().toList();

    assertThat(names).hasSizeGreaterThan(5);
    assertThat(names).allSatisfy(name -> assertThat(nodeSettings()).as(name).contains("${?" + name + "}"));
  }

  @Test
  void composeChecksEveryNodeOnReadyAndKeepsTheDatabaseOnANamedVolume() throws Exception {
    JsonNode config = composeConfig();

    for (String node : List.of("node1", "node2", "node3")) {
      JsonNode service = config.path("services").path(node);
      assertThat(service.path("healthcheck").path("test").toString()).as(node)
          .contains("/dev/tcp/$$GATEHOUSE_HOST/7626").contains("GET /ready HTTP/1.0");
      assertThat(service.path("depends_on").path("postgres").path("condition").asText()).isEqualTo("service_healthy");
      assertThat(service.has("ports")).as(node + " publishes no port of its own").isFalse();
    }
    assertThat(config.path("services").path("postgres").path("volumes").get(0).asText())
        .startsWith("pgdata:/var/lib/postgresql/data");
    assertThat(config.path("volumes").has("pgdata")).isTrue();
    assertThat(config.path("services").path("lb").path("ports").findValuesAsText("target"))
        .containsExactlyInAnyOrder("8080", "9090");
  }

  @Test
  void haproxyAcceptsTheLoadBalancerConfigAndChecksReadyOnTheManagementPort() throws Exception {
    Path cfg = DEPLOY.resolve("haproxy.cfg");

    Result check = run(Path.of("."), haproxy(), "-c", "-f", cfg.toString());

    assertThat(check.exit()).as(check.output()).isZero();
    assertThat(check.output()).contains("Configuration file is valid");
    // Outside Compose the node names do not resolve; HAProxy starts without them (init-addr none).
    assertThat(check.output().lines().filter(l -> l.contains("[WARNING]") || l.contains("[ALERT]")))
        .allSatisfy(l -> assertThat(l).contains("could not resolve address 'node"));
    String text = Files.readString(cfg);
    assertThat(text).contains("option httpchk GET /ready", "check port 7626", "bind :8080", "bind :9090");
  }

  // Image

  @Test
  void jibBuildsTheImageWhenTheBaseImageRegistryIsReachable() throws Exception {
    assumeThat(reachable("registry-1.docker.io", 443, Duration.ofSeconds(3)))
        .as("registry-1.docker.io:443 (eclipse-temurin:17-jre) is not reachable from here: jib:buildTar skipped")
        .isTrue();

    Result build = run(Path.of(".."), Duration.ofMinutes(5), "mvn", "-B", "-q", "-pl", "cluster-node",
        "jib:buildTar");

    assertThat(build.exit()).as(build.output()).isZero();
    assertThat(Path.of("../cluster-node/target/jib-image.tar")).isNotEmptyFile();
  }

  // Helpers

  private Result compose(Path envFile, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("docker-compose", "--env-file", envFile.toAbsolutePath().toString(),
        "-f", DEPLOY.resolve("compose.yaml").toAbsolutePath().toString()));
    command.addAll(List.of(args));
    return run(DEPLOY, command.toArray(String[]::new));
  }

  private JsonNode composeConfig() throws Exception {
    Result config = compose(DEPLOY.resolve("gatehouse.env.example"), "config");
    assertThat(config.exit()).as(config.output()).isZero();
    return YAML.readTree(config.stdout());
  }

  /** The environment of each service that runs the node's image, as docker-compose resolves it. */
  private Map<String, Map<String, String>> composeNodes() throws Exception {
    Map<String, Map<String, String>> nodes = new LinkedHashMap<>();
    composeConfig().path("services").properties().forEach(service -> {
      if (service.getValue().path("image").asText().startsWith("gatehouse-node:")) {
        Map<String, String> env = new LinkedHashMap<>();
        service.getValue().path("environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        nodes.put(service.getKey(), env);
      }
    });
    return nodes;
  }

  private static String haproxy() {
    return Files.isExecutable(Path.of("/usr/sbin/haproxy")) ? "/usr/sbin/haproxy" : "haproxy";
  }

  /** Whether a TCP connection opens within the timeout, name resolution included. */
  private static boolean reachable(String host, int port, Duration timeout) {
    CompletableFuture<Boolean> attempt = CompletableFuture.supplyAsync(() -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        return true;
      } catch (IOException e) {
        return false;
      }
    });
    try {
      return attempt.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      attempt.cancel(true);
      return false;
    }
  }
}
