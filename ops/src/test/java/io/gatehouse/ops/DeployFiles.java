package io.gatehouse.ops;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@link ComposeFilesTest} and {@link HelmChartTest} share: where the deployment files are,
 * the settings the node reads, and running a tool to its end, bounded.
 */
final class DeployFiles {
  static final Path DEPLOY = Path.of("deploy");
  static final YAMLMapper YAML = new YAMLMapper();
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

  private DeployFiles() {}

  /** The HOCON files that hold every {@code ${?GATEHOUSE_...}} override the node reads. */
  static String nodeSettings() throws IOException {
    StringBuilder all = new StringBuilder();
    for (String resource : List.of("gateway.conf", "cluster.conf")) {
      try (var in = DeployFiles.class.getClassLoader().getResourceAsStream(resource)) {
        all.append(new String(in.readAllBytes()));
      }
    }
    return all.toString();
  }

  record Result(int exit, String stdout, String stderr) {
    String output() {
      return stdout + stderr;
    }
  }

  static Result run(Path dir, String... command) throws Exception {
    return run(dir, TOOL_TIMEOUT, command);
  }

  /**
   * Runs a program to its end, bounded. Without this build's {@code GATEHOUSE_*} and
   * {@code POSTGRES_*} variables, which would change what Compose resolves.
   */
  static Result run(Path dir, Duration timeout, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_") || k.startsWith("POSTGRES_"));
    Path out = Files.createTempFile("deploy-tool", ".out");
    Path err = Files.createTempFile("deploy-tool", ".err");
    try {
      Process p;
      try {
        p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      } catch (IOException e) {
        throw new AssertionError("cannot run " + command[0] + " (ops/test installs it from Debian's packages): "
            + e.getMessage(), e);
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
