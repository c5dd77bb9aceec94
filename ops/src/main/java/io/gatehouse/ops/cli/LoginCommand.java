package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code gatehouse login}: checks a token against the admin API and keeps it, with the admin
 * API's and the data plane's URLs, in the login file ({@link CliConfig}, mode 0600), so later
 * commands need neither options nor environment. The data plane's URL is learnt from the node
 * that answers ({@code GET /routers}) unless given.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = {"Checks an admin token and saves it, with the URLs, for later commands.",
        "The login file is $GATEHOUSE_CONFIG, else $XDG_CONFIG_HOME/gatehouse/config.json, else ~/.config/gatehouse/config.json "
        + "(mode 0600). Later commands use it when no option or environment variable says otherwise.",
        "The token: --token, else $GATEHOUSE_TOKEN, else standard input when it is not a terminal, else a prompt "
            + "that does not echo. The data plane's URL: --gateway, else $GATEHOUSE_GATEWAY, else the one the "
            + "node announces."},
    footer = {"", "Examples:", "  gatehouse login --url https://gw-admin.example.com:9090",
        "  printenv ADMIN_TOKEN | gatehouse login --url http://127.0.0.1:9090"})
final class LoginCommand implements Callable<Integer> {
  @Mixin
  Connection connection;

  @Mixin
  Output output;

  @Override
  public Integer call() throws IOException {
    String url = connection.url();
    String token = connection.givenToken();
    connection.token = token != null ? token : readToken(url);
    JsonNode routers = new AdminApi(connection).get("/routers");
    String gateway = connection.givenGateway();
    if (gateway == null) {
      gateway = announcedDataPlane(routers);
    }
    Path file = CliConfig.path(Connection.env);
    new CliConfig(url, gateway, connection.token).save(file);
    output.done(Bodies.object().put("url", url).put("gateway", gateway).put("config", file.toString()),
        "Logged in to " + url + (gateway == null ? "" : " (data plane " + gateway + ")") + "; the login is in "
            + file + " (mode 0600).");
    return 0;
  }

  /** The data plane of the node that answered ({@code "self": true}), or null when it did not say. */
  private static String announcedDataPlane(JsonNode routers) {
    for (JsonNode r : routers.path("items")) {
      if (r.path("self").asBoolean() && r.path("dataPlane").isTextual()) {
        return r.path("dataPlane").asText();
      }
    }
    return null;
  }

  private static String readToken(String url) throws IOException {
    Console console = System.console();
    String token;
    if (console != null) {
      char[] typed = console.readPassword("Admin token for %s: ", url);
      token = typed == null ? null : new String(typed);
    } else {
      token = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    if (token == null || token.isBlank()) {
      throw CliFailure.usage("no token: pass --token, set GATEHOUSE_TOKEN, or give it on standard input");
    }
    return token.trim();
  }
}
