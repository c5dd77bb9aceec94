package io.gatehouse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ops/target/gatehouse} run as a process, as from a user's shell, with only the
 * environment a test gives it: the test JVM's own {@code GATEHOUSE_*} variables and
 * {@code XDG_CONFIG_HOME} are left out, and {@code GATEHOUSE_CONFIG} always points somewhere the
 * test chose, so no run reads or writes the real login file.
 */
final class GatehouseCli {
  static final Path LAUNCHER = Path.of("target/gatehouse").toAbsolutePath();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> env;

  GatehouseCli(Map<String, String> env) {
    assertThat(env).containsKey("GATEHOUSE_CONFIG");
    this.env = Map.copyOf(env);
  }

  /** The same CLI with more (or other) environment variables. */
  GatehouseCli with(Map<String, String> more) {
    Map<String, String> merged = new HashMap<>(env);
    merged.putAll(more);
    return new GatehouseCli(merged);
  }

  /** What one run printed, and how it ended. */
  record Result(int exit, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }

    List<String> lines() {
      return out.lines().toList();
    }

    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  Result run(String... args) {
    return runWithInput("", args);
  }

  /** Runs {@code gatehouse args...} with {@code input} on its standard input (then closed). */
  Result runWithInput(String input, String... args) {
    List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_") || k.equals("XDG_CONFIG_HOME"));
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
      try (OutputStream in = p.getOutputStream()) {
        in.write(input.getBytes(StandardCharsets.UTF_8));
      }
      String out = drain(p.getInputStream());
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("gatehouse %s ends", args).isTrue();
      return new Result(p.exitValue(), out, err.join());
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String drain(InputStream s) {
    try {
      return new String(s.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
