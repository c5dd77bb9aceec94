package io.gatehouse.node.testing;

import static org.awaitility.Awaitility.await;

import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node as a process of its own, from the built jar, on free ports and a shared PostgreSQL: what
 * an operator runs, so that kill -9, SIGTERM and restarts are the real thing.
 */
public final class NodeProcess {
  private static final Path JAR = Path.of("target/gatehouse-node.jar").toAbsolutePath();
  private static final Path LOGS = Path.of("target/it-logs").toAbsolutePath();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public final int index;
  public final int admin;
  public final int management;
  public final int remote;
  public final int http;
  private final Path work;
  private final StoreSettings.Postgres pg;
  private final Map<String, String> extra;
  private Process process;
  private int seedRemote;

  public NodeProcess(int index, Path work, StoreSettings.Postgres pg, Map<String, String> extra) {
    int[] p = FreePorts.allocate(4);
    this.index = index;
    this.admin = p[0];
    this.management = p[1];
    this.remote = p[2];
    this.http = p[3];
    this.work = work;
    this.pg = pg;
    this.extra = extra;
  }

  /** Starts the node; {@code seedRemote} is the remoting port of the seed node. */
  public NodeProcess start(int seedRemote) throws IOException {
    this.seedRemote = seedRemote;
    java.nio.file.Files.createDirectories(LOGS);
    ProcessBuilder pb = new ProcessBuilder("java", "-Xmx256m", "-jar", JAR.toString())
        .directory(work.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    Map<String, String> env = pb.environment();
    env.put("GATEHOUSE_DB_URL", pg.jdbcUrl());
    env.put("GATEHOUSE_DB_USER", pg.user());
    env.put("GATEHOUSE_DB_PASSWORD", pg.password());
    env.put("GATEHOUSE_NAMESPACE", "test");
    env.put("GATEHOUSE_ADMIN_PORT", String.valueOf(admin));
    env.put("GATEHOUSE_MANAGEMENT_PORT", String.valueOf(management));
    env.put("GATEHOUSE_REMOTE_PORT", String.valueOf(remote));
    env.put("GATEHOUSE_HTTP_PORT", String.valueOf(http));
    env.put("GATEHOUSE_SEED_NODES", "127.0.0.1:" + seedRemote);
    env.put("GATEHOUSE_BOOTSTRAP_TOKEN", TestNodes.ADMIN_TOKEN);
    env.put("GATEHOUSE_ACCESS_LOG", "off");
    env.putAll(extra);
    process = pb.start();
    return this;
  }

  /** Starts it again, as it was started before. */
  public NodeProcess restart() throws IOException {
    return start(seedRemote);
  }

  /** The node's output, kept under target/ so that a failed run can be read afterwards. */
  public Path log() {
    return LOGS.resolve(work.getFileName() + "-node-" + index + ".log");
  }

  /** Whether {@code /ready} answers 200 now. */
  public boolean ready() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  public void awaitReady() {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(this::ready);
  }

  /** SIGTERM, as an orchestrator stops a node; waits until it has exited. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  /** SIGKILL: the node dies at once. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  public AdminClient adminClient() {
    return new AdminClient(admin, TestNodes.ADMIN_TOKEN);
  }
}
