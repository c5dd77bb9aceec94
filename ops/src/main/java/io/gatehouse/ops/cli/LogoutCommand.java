package io.gatehouse.ops.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gatehouse logout}: removes the login file; the token itself stays valid (revoke it for that). */
@Command(name = "logout", mixinStandardHelpOptions = true,
    description = {"Removes the login file that 'gatehouse login' wrote.",
        "The token stays valid: revoke it to end it."},
    footer = {"", "Examples:", "  gatehouse logout"})
final class LogoutCommand implements Callable<Integer> {
  @Mixin
  Output output;

  @Override
  public Integer call() throws IOException {
    Path file = CliConfig.path(Connection.env);
    boolean removed = Files.deleteIfExists(file);
    output.done(Bodies.object().put("removed", removed).put("config", file.toString()),
        removed ? "Logged out: removed " + file + "." : "Not logged in: there is no " + file + ".");
    return 0;
  }
}
