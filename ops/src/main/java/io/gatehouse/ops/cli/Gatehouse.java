package io.gatehouse.ops.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gatehouse} command line: a client of the admin API and the data plane, like any
 * user's. Exit codes: 0 on success, 1 when the gateway refused (its message on stderr), 2 on a
 * usage error.
 */
@Command(name = "gatehouse", mixinStandardHelpOptions = true, versionProvider = Gatehouse.Version.class,
    description = "Gatehouse, the secure front door for model serving: its command line.",
    subcommands = {LoginCommand.class, LogoutCommand.class, StatusCommand.class, UsersCommand.class,
        GroupsCommand.class, ServiceAccountsCommand.class, ProjectsCommand.class, TokensCommand.class,
        RoutesCommand.class, OpenCommand.class, TestConnectivityCommand.class, TunnelCommand.class,
        RegisterCommand.class, CompletionCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Environment: GATEHOUSE_URL (admin API), GATEHOUSE_GATEWAY (data plane), GATEHOUSE_TOKEN."})
public final class Gatehouse {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line; answers the exit code. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Gatehouse());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof CliFailure f) {
        cmd.getErr().println("gatehouse: " + f.getMessage());
        return f.exitCode();
      }
      cmd.getErr().println("gatehouse: " + e);
      return 1;
    });
    return cli.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Gatehouse.class.getPackage().getImplementationVersion();
      return new String[] {"gatehouse " + (v == null ? "(development)" : v)};
    }
  }
}
