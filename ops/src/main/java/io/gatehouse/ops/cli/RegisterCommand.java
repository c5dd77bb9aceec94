package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse register}: the registration agent. It keeps an instance registered for as long
 * as it runs ({@link RegistrationAgent}) and deregisters it when stopped; with {@code --exec} it is
 * the app's wrapper (a container's entry point, a job's), registering the app once its port
 * accepts connections and ending with it.
 */
@Command(name = "register", mixinStandardHelpOptions = true,
    description = {"Registers an instance of a deployment for routing, prints the URL it is served on (stdout, one "
        + "line; progress goes to stderr) and keeps its lease with a heartbeat every third of it, registering again "
        + "when the lease is lost and retrying while the admin API is unreachable. SIGTERM or Ctrl-C deregisters it "
        + "at once.",
        "With --exec it first starts CMD (its stdin, stdout and stderr are the agent's), registers once CMD accepts "
        + "connections on --address, and deregisters and exits with CMD's exit code when CMD exits. On SIGTERM it "
        + "deregisters first, then stops CMD (SIGTERM, then SIGKILL after --grace-seconds)."},
    footer = {"", "Examples:",
        "  gatehouse register --deployment vllm-llama3 --project llm-prod \\",
        "      --route llm-inference --address 10.0.0.5:8000",
        "  gatehouse register --deployment lab --project ml --browser \\",
        "      --address 127.0.0.1:8888 --exec -- python3 app.py --port 8888",
        "  gatehouse register --deployment pg --project data --route pg \\",
        "      --protocol tcp --address 10.0.0.7:5432",
        "", "Without --route the deployment gets an ephemeral route, served at /deployments/DEPLOYMENT/ and gone "
        + "with its last instance.",
        "Exit codes: 0 stopped (SIGTERM, Ctrl-C) and deregistered; with --exec, CMD's exit code (also when CMD exits "
        + "before it listens, and when a SIGTERM stopped it: then usually 143); 1 the gateway refused (e.g. 403: this "
        + "token may not register; 400: no such project) or CMD did not listen within --wait-seconds; 2 usage error.",
        "Environment: GATEHOUSE_URL (several admin URLs, comma-separated, are tried in turn), GATEHOUSE_TOKEN, "
        + "GATEHOUSE_NAMESPACE."})
final class RegisterCommand implements Callable<Integer> {
  private static final Pattern HOST_PORT = Pattern.compile("^([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})$");

  @Option(names = "--deployment", required = true, paramLabel = "NAME", description = "The deployment this instance belongs to.")
  String deployment;

  @Option(names = "--project", required = true, paramLabel = "NAME", description = "The project of the deployment.")
  String project;

  @Option(names = "--route", paramLabel = "NAME",
      description = "The static route to join. Default: the deployment's ephemeral route.")
  String route;

  @Option(names = "--address", required = true, paramLabel = "HOST:PORT",
      description = "Where the gateway reaches the instance, e.g. 10.0.0.5:8000.")
  String address;

  @Option(names = "--protocol", paramLabel = "http|tcp", defaultValue = "http",
      description = "What the instance speaks (default: ${DEFAULT-VALUE}).")
  String protocol;

  @Option(names = "--health-path", paramLabel = "PATH",
      description = "The instance's health check path, e.g. /health. Default: the route's.")
  String healthPath;

  @Option(names = "--browser", description = "Let browsers in with a session cookie (for web UIs; ephemeral routes only).")
  boolean browser;

  @Option(names = "--lease-seconds", paramLabel = "N", defaultValue = "30",
      description = "How long the gateway keeps the instance without a heartbeat, 5 to 3600 (default: ${DEFAULT-VALUE}).")
  int leaseSeconds;

  @Option(names = "--namespace", paramLabel = "NS",
      description = "The namespace the cluster serves. Default: $GATEHOUSE_NAMESPACE, else default.")
  String namespace;

  @Option(names = "--exec", description = "Start CMD (given after --) and register it once it listens.")
  boolean exec;

  @Option(names = "--wait-seconds", paramLabel = "N", defaultValue = "60",
      description = "With --exec: how long CMD may take to accept connections (default: ${DEFAULT-VALUE}).")
  int waitSeconds;

  @Option(names = "--grace-seconds", paramLabel = "N", defaultValue = "10",
      description = "With --exec: how long CMD may take to exit after SIGTERM before it is killed (default: ${DEFAULT-VALUE}).")
  int graceSeconds;

  @Parameters(paramLabel = "CMD", arity = "0..*", description = "With --exec, after --: the app and its arguments.")
  List<String> command = new ArrayList<>();

  @Mixin
  Connection connection;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Matcher hostPort = checkedAddress();
    checkOptions();
    RegistrationAgent agent = new RegistrationAgent(admins(), registration(), spec.commandLine().getOut(),
        spec.commandLine().getErr());
    CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    Thread hook = new Thread(() -> onSignal(agent, exitCode), "gatehouse-deregister");
    Runtime.getRuntime().addShutdownHook(hook);
    int code = 1;
    try {
      if (exec) {
        code = runApp(agent, hostPort.group(1).replaceAll("^\\[|\\]$", ""), Integer.parseInt(hostPort.group(2)));
      } else {
        agent.run();
        code = 0;
      }
      return code;
    } finally {
      exitCode.complete(code);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // A signal came: the hook is running and ends the JVM with this code.
      }
    }
  }

  /**
   * SIGTERM or Ctrl-C: the agent stops and deregisters on the command's thread, which then stops
   * the app; this waits for that, bounded. It ends the JVM with the command's exit code itself, as
   * a JVM ended by a signal would exit 143 (130) whatever was done.
   */
  private void onSignal(RegistrationAgent agent, CompletableFuture<Integer> exitCode) {
    agent.stop();
    int code;
    try {
      code = exitCode.get(RegistrationAgent.stopBound().toSeconds() + graceSeconds + 2L, TimeUnit.SECONDS);
    } catch (Exception e) {
      code = 1;
    }
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().flush();
    System.out.flush();
    System.err.flush();
    Runtime.getRuntime().halt(code);
  }

  /** Starts the app, registers it once it listens, and stops it when the agent stops; answers its exit code. */
  private int runApp(RegistrationAgent agent, String host, int port) {
    Process app;
    try {
      app = new ProcessBuilder(command).inheritIO().start();
    } catch (IOException e) {
      throw CliFailure.usage("cannot start " + command.get(0) + ": " + e.getMessage());
    }
    app.onExit().thenRun(agent::stop);
    try {
      if (listening(app, agent, host, port)) {
        agent.run();
      } else if (app.isAlive() && !agent.stopping()) {
        throw CliFailure.refused(command.get(0) + " did not accept connections on " + address + " within "
            + waitSeconds + " s");
      } else if (!app.isAlive()) {
        say(command.get(0) + " exited (" + app.exitValue() + ") before it accepted connections on " + address);
      }
      return stop(app);
    } finally {
      stop(app);
    }
  }

  /** Waits until {@code host:port} accepts a connection: false when the app exits, the agent stops, or time is up. */
  private boolean listening(Process app, RegistrationAgent agent, String host, int port) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
    while (app.isAlive() && System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), 500);
        return true;
      } catch (IOException e) {
        if (!agent.pause(200)) {
          return false;
        }
      }
    }
    return false;
  }

  /** SIGTERM, then SIGKILL (with what it started) after the grace; answers the exit code. */
  private int stop(Process app) {
    try {
      if (app.isAlive()) {
        app.destroy();
        if (!app.waitFor(graceSeconds, TimeUnit.SECONDS)) {
          say(command.get(0) + " did not exit within " + graceSeconds + " s of SIGTERM; killing it");
          app.descendants().forEach(ProcessHandle::destroyForcibly);
          app.destroyForcibly().waitFor();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      app.destroyForcibly();
      return 1;
    }
    return app.exitValue();
  }

  private Matcher checkedAddress() {
    Matcher m = HOST_PORT.matcher(address);
    if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
      throw CliFailure.usage("--address is host:port (port 1 to 65535), e.g. 10.0.0.5:8000; got '" + address + "'");
    }
    return m;
  }

  private void checkOptions() {
    if (!protocol.equals("http") && !protocol.equals("tcp")) {
      throw CliFailure.usage("--protocol is http or tcp, got '" + protocol + "'");
    }
    if (leaseSeconds < 5 || leaseSeconds > 3600) {
      throw CliFailure.usage("--lease-seconds is 5 to 3600, got " + leaseSeconds);
    }
    if (healthPath != null && !healthPath.startsWith("/")) {
      throw CliFailure.usage("--health-path starts with '/', got '" + healthPath + "'");
    }
    if (exec == command.isEmpty()) {
      throw CliFailure.usage(exec ? "--exec needs the command after --, e.g. --exec -- python app.py"
          : "a command (" + command.get(0) + ") is run only with --exec: --exec -- CMD ARGS...");
    }
    if (waitSeconds < 1 || graceSeconds < 0) {
      throw CliFailure.usage("--wait-seconds is at least 1 and --grace-seconds at least 0");
    }
    connection.token();
  }

  /** The body of {@code POST /registrations}. */
  private ObjectNode registration() {
    String ns = namespace != null ? namespace : Connection.env.getOrDefault("GATEHOUSE_NAMESPACE", "default");
    ObjectNode body = AdminApi.JSON.createObjectNode().put("deployment", deployment).put("project", project)
        .put("address", address).put("protocol", protocol).put("namespace", ns).put("leaseSeconds", leaseSeconds);
    if (route != null) {
      body.put("route", route);
    }
    if (healthPath != null) {
      body.put("healthPath", healthPath);
    }
    if (browser) {
      body.put("browser", true);
    }
    return body;
  }

  /** One client per admin URL: GATEHOUSE_URL (or --url) may list several, comma-separated, tried in turn. */
  private List<AdminApi> admins() {
    String[] urls = connection.url().split(",");
    if (urls.length == 1) {
      return List.of(new AdminApi(connection));
    }
    List<AdminApi> apis = new ArrayList<>();
    for (String u : urls) {
      Connection each = new Connection();
      each.url = u.trim();
      each.token = connection.token();
      each.caCert = connection.caCert;
      each.url();
      apis.add(new AdminApi(each));
    }
    return apis;
  }

  private void say(String line) {
    spec.commandLine().getErr().println("gatehouse: " + line);
    spec.commandLine().getErr().flush();
  }
}
