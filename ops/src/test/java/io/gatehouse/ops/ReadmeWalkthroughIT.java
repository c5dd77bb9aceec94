package io.gatehouse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.persistence.testing.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's walk-through as written: starts the built jar the way the README says, then
 * feeds every command of the walk-through to one bash session and checks each answer against
 * the {@code # ->} lines under it ({@code …} matches anything). Finally stops the node with
 * SIGTERM and expects a clean exit.
 *
 * <p>Only three things differ from a reader's terminal: the node gets free ports and a temporary
 * data directory (the commands' port numbers are rewritten to match), {@code TOKEN} is set from
 * the node's output instead of being pasted, and the shell's {@code XDG_CONFIG_HOME} is a
 * temporary directory, so that {@code gatehouse login} writes its login file there. A second start of the node (with settings in
 * front of {@code java}) stops the running one first, as Ctrl-C in its terminal would. It lives in
 * {@code ops} because the walk-through runs the CLI ({@code ops/target/gatehouse}) too.
 */
class ReadmeWalkthroughIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final String DONE = "__walkthrough_done__";

  @TempDir Path work;

  record Step(String command, List<String> expected) {}

  /** A start of the node, with the settings in front of it ({@code GATEHOUSE_X=y java -jar ...}). */
  private static final Pattern NODE = Pattern.compile("^((?:[A-Z0-9_]+=\\S+ )*)java -jar cluster-node/target/gatehouse-node.jar(.*)$");

  @Test
  void theWalkthroughWorksAsWritten() throws Exception {
    List<String> blocks = walkthroughBlocks(Files.readString(REPO.resolve("README.md")));
    int[] ports = FreePorts.allocate(8);
    int sessionPorts = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(900) * 10;
    Map<String, String> rewrite = Map.ofEntries(
        Map.entry(":9090", ":" + ports[0]), Map.entry(":7626", ":" + ports[1]), Map.entry(":8080", ":" + ports[3]),
        Map.entry(" 9001", " " + ports[4]), Map.entry(":9001", ":" + ports[4]), Map.entry(" 8888", " " + ports[5]),
        Map.entry(":8888", ":" + ports[5]), Map.entry(" 9003", " " + ports[6]), Map.entry(":9003", ":" + ports[6]),
        Map.entry(" 9004", " " + ports[7]), Map.entry(":9004", ":" + ports[7]),
        Map.entry("30000-30009", sessionPorts + "-" + (sessionPorts + 9)),
        Map.entry("$PWD/ops/target", REPO.resolve("ops/target").toString()));
    List<Process> processes = new ArrayList<>();
    NodeOutput nodeOutput = null;
    Process node = null;
    try {
      Bash bash = null;
      for (String block : blocks) {
        for (Step step : steps(rewrite(block, rewrite))) {
          String command = step.command();
          Matcher nodeCommand = NODE.matcher(command);
          if (nodeCommand.matches()) {
            boolean probe = command.contains(" probe ");
            if (!probe && node != null) {
              // Started again: the running node stops first (Ctrl-C in its terminal).
              node.toHandle().destroy();
              assertThat(node.waitFor(45, TimeUnit.SECONDS)).as("the node stops for its restart").isTrue();
            }
            Process p = start(nodeCommand.group(1), "java -jar cluster-node/target/gatehouse-node.jar"
                + nodeCommand.group(2), ports);
            processes.add(p);
            NodeOutput output = new NodeOutput(p);
            if (probe) {
              output.awaitLine(l -> l.contains("listening on"), Duration.ofSeconds(30));
            } else {
              boolean first = node == null;
              node = p;
              nodeOutput = output;
              if (first) {
                String token = output.awaitLine(l -> l.trim().startsWith("gth_"), Duration.ofSeconds(90)).trim();
                bash = new Bash(work, token);
              }
              output.awaitLine(l -> l.contains(" is up"), Duration.ofSeconds(90));
            }
            continue;
          }
          if (command.startsWith("export TOKEN=")) {
            continue;
          }
          assertThat(bash).as("the node is started before the first command").isNotNull();
          List<String> answer = bash.run(command);
          assertThat(answer).as("answer to: %s", command).hasSameSizeAs(step.expected());
          for (int i = 0; i < answer.size(); i++) {
            assertThat(answer.get(i)).as("answer to: %s", command).matches(pattern(step.expected().get(i)));
          }
        }
      }
      assertThat(node).as("the walk-through starts a node").isNotNull();
      bash.close();

      // SIGTERM through the process handle: Process.destroy() would also close the output pipe.
      node.toHandle().destroy();
      assertThat(node.waitFor(45, TimeUnit.SECONDS)).as("the node stops on SIGTERM").isTrue();
      // 143 is the JVM's exit status after SIGTERM once its shutdown hooks (here: Pekko's
      // coordinated shutdown, then the store) have run to the end.
      assertThat(node.exitValue()).isEqualTo(143);
      assertThat(nodeOutput.all()).contains("stopped\n", "namespace   default",
          "admin API   http://127.0.0.1:" + ports[0] + "/api/v1");
    } finally {
      processes.forEach(Process::destroyForcibly);
      // The Jupyter the walk-through starts in the background of its shell.
      for (String background : List.of("jupyter-notebook --no-browser --allow-root --port " + ports[5],
          "http.server " + ports[6], "gatehouse-cli.jar tunnel files --local-port " + ports[7])) {
        new ProcessBuilder("pkill", "-f", background).start().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Starts {@code command} ({@code java -jar <path> ...}) with {@code settings} ({@code A=b C=d }) in its environment. */
  private Process start(String settings, String command, int[] ports) throws IOException {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.set(2, REPO.resolve(args.get(2)).toString());
    ProcessBuilder pb = new ProcessBuilder(args).directory(work.toFile()).redirectErrorStream(true);
    for (String setting : settings.trim().split(" ")) {
      if (!setting.isEmpty()) {
        pb.environment().put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
      }
    }
    pb.environment().put("GATEHOUSE_DATA_DIR", work.resolve("data").toString());
    pb.environment().put("GATEHOUSE_ADMIN_PORT", String.valueOf(ports[0]));
    pb.environment().put("GATEHOUSE_MANAGEMENT_PORT", String.valueOf(ports[1]));
    pb.environment().put("GATEHOUSE_REMOTE_PORT", String.valueOf(ports[2]));
    pb.environment().put("GATEHOUSE_HTTP_PORT", String.valueOf(ports[3]));
    return pb.start();
  }

  private static String rewrite(String block, Map<String, String> ports) {
    String out = block;
    for (Map.Entry<String, String> e : ports.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    return out;
  }

  static List<String> walkthroughBlocks(String readme) {
    String section = readme.substring(
        readme.indexOf("<!-- walkthrough:begin -->"), readme.indexOf("<!-- walkthrough:end -->"));
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("(?s)```sh\\n(.*?)```").matcher(section);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }

  /** Commands (continuation lines joined) each with the {@code # ->} lines that follow it. */
  static List<Step> steps(String block) {
    List<Step> steps = new ArrayList<>();
    StringBuilder command = null;
    List<String> expected = new ArrayList<>();
    for (String line : block.split("\n")) {
      if (line.startsWith("# -> ") || line.equals("# ->")) {
        expected.add(line.length() > 5 ? line.substring(5) : "");
      } else if (command != null && command.toString().endsWith("\\")) {
        command.append('\n').append(line);
      } else if (!line.isBlank()) {
        if (command != null) {
          steps.add(new Step(command.toString(), expected));
          expected = new ArrayList<>();
        }
        command = new StringBuilder(line);
      }
    }
    if (command != null) {
      steps.add(new Step(command.toString(), expected));
    }
    return steps;
  }

  static String pattern(String expected) {
    StringBuilder sb = new StringBuilder();
    for (String part : expected.split("…", -1)) {
      if (sb.length() > 0) {
        sb.append(".*");
      }
      sb.append(Pattern.quote(part));
    }
    return sb.toString();
  }

  /** One bash session, as in a terminal: variables set by one command are there for the next. */
  static final class Bash implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;

    Bash(Path dir, String token) throws IOException {
      ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc").directory(dir.toFile())
          .redirectErrorStream(true);
      pb.environment().keySet().removeIf(k -> k.startsWith("GATEHOUSE_"));
      pb.environment().put("XDG_CONFIG_HOME", dir.resolve("config").toString());
      pb.environment().put("TOKEN", token);
      process = pb.start();
      in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    List<String> run(String command) throws IOException {
      in.write(command + "\nprintf '\\n" + DONE + "\\n'\n");
      in.flush();
      List<String> lines = new ArrayList<>();
      for (String line = out.readLine(); line != null && !line.equals(DONE); line = out.readLine()) {
        lines.add(line.replace("\r", ""));
      }
      // The marker is printed after a newline, so a command's last line always ends; trailing
      // empty lines are not part of what the README shows.
      while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
        lines.remove(lines.size() - 1);
      }
      return lines;
    }

    @Override
    public void close() throws Exception {
      in.write("exit\n");
      in.flush();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** Collects the node's output in the background so the test can wait for lines in it. */
  static final class NodeOutput {
    private final StringBuffer text = new StringBuffer();
    private final Thread reader;

    NodeOutput(Process process) {
      reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            text.append(line).append('\n');
          }
        } catch (IOException ignored) {
          // the process ended
        }
      }, "node-output");
      reader.setDaemon(true);
      reader.start();
    }

    String text() {
      return text.toString();
    }

    /** Everything the process printed, once it has exited and its output is drained. */
    String all() throws InterruptedException {
      reader.join(10_000);
      return text();
    }

    String awaitLine(java.util.function.Predicate<String> wanted, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (String line : text().split("\n")) {
          if (wanted.test(line)) {
            return line;
          }
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
      throw new AssertionError("the node did not print the expected line in time; it printed:\n" + text());
    }
  }
}
