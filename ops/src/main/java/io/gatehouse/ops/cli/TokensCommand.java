package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gatehouse tokens}: issue, list, show and revoke tokens. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
    description = "Tokens: issued for a user or a service account, expiring, revocable. The secret is shown once.",
    subcommands = {TokensCommand.Create.class, TokensCommand.ListTokens.class, TokensCommand.Get.class,
        TokensCommand.Revoke.class},
    footer = {"", "Examples:", "  gatehouse tokens create --label alice-laptop --user alice --expires-in-days 30",
        "  gatehouse tokens list --status active", "  gatehouse tokens revoke tok_3oB0d7XeK1mQ"})
final class TokensCommand extends CommandGroup {
  static final Table TOKENS = Table.of(column("ID", "id"), column("LABEL", "label"),
      column("PRINCIPAL", t -> Table.principal(t.path("principal"))), column("STATUS", "status"),
      column("EXPIRES", "expiresAt"), column("LAST-USED", "lastUsedAt"));
  /** A page as large as the API's default; {@code --limit} makes it smaller. */
  static final int PAGE = 100;

  static String item(String id) {
    return "/tokens/" + AdminApi.segment(id);
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Issues a token. Its secret (\"token\") is in this answer only.",
      footer = {"", "Examples:", "  gatehouse tokens create --label alice-laptop --user alice --expires-in-days 30",
          "  gatehouse tokens create --label acme-prod --service-account partner-acme \\",
          "      --expires-in-days 90 --route llm-inference --metadata ticket=OPS-12",
          "  gatehouse tokens create --label demo --user alice --expires-in-hours 2 \\",
          "      --json | jq -r .token"})
  static final class Create implements Callable<Integer> {
    @Mixin
    ApiOptions options;

    @Option(names = "--label", paramLabel = "TEXT", description = "What the token is for, shown in listings.")
    String label;

    @Option(names = "--expires-in-days", paramLabel = "DAYS", description = "Its lifetime in days.")
    Integer days;

    @Option(names = "--expires-in-hours", paramLabel = "HOURS", description = "Its lifetime in hours, instead.")
    Integer hours;

    @ArgGroup(exclusive = true)
    Principal principal = new Principal();

    static final class Principal {
      @Option(names = "--user", paramLabel = "NAME", description = "Issue it for this user.")
      String user;

      @Option(names = "--service-account", paramLabel = "NAME", description = "Issue it for this service account.")
      String serviceAccount;
    }

    @Option(names = "--route", paramLabel = "ROUTE",
        description = "Limit the token to this route; repeat for several (default: every route its principal may use).")
    List<String> routes;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "A pair shown in listings; repeat for several.")
    Map<String, String> metadata;

    @Mixin
    FromFile fromFile;

    @Override
    public Integer call() {
      ObjectNode body = fromFile.read();
      Bodies.put(body, "label", label);
      if (days != null && hours != null) {
        throw CliFailure.usage("give --expires-in-days or --expires-in-hours, not both");
      }
      Bodies.put(body, "expiresInDays", days);
      Bodies.put(body, "expiresInHours", hours);
      if (principal.user != null || principal.serviceAccount != null) {
        body.putObject("principal").put("type", principal.user != null ? "user" : "service-account")
            .put("name", principal.user != null ? principal.user : principal.serviceAccount);
      }
      Bodies.names(body, "routes", routes);
      Bodies.put(body, "metadata", metadata);
      require(body, "label", "--label TEXT");
      require(body, "principal", "--user NAME or --service-account NAME");
      if (!body.has("expiresInHours")) {
        require(body, "expiresInDays", "--expires-in-days DAYS or --expires-in-hours HOURS");
      }
      JsonNode issued = options.api().post("/tokens", body);
      options.out().row(issued, TOKENS);
      options.out().say("Token (shown only this once): " + issued.path("token").asText());
      return 0;
    }

    private static void require(ObjectNode body, String field, String option) {
      if (!body.hasNonNull(field)) {
        throw CliFailure.usage("give " + option + " (or \"" + field + "\" in --from-file)");
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists tokens, newest first, following the pages of the answer (nextCursor).",
      footer = {"", "Examples:", "  gatehouse tokens list --status active", "  gatehouse tokens list --limit 20 --json"})
  static final class ListTokens implements Callable<Integer> {
    @Mixin
    ApiOptions options;

    @Option(names = "--status", paramLabel = "STATUS", description = "active, revoked, expired or all (default).")
    String status;

    @Option(names = "--limit", paramLabel = "N", description = "At most this many tokens (default: all).")
    Integer limit;

    @Option(names = "--cursor", paramLabel = "CURSOR",
        description = "Start where an earlier listing stopped (its nextCursor).")
    String cursor;

    @Override
    public Integer call() {
      if (limit != null && limit < 1) {
        throw CliFailure.usage("--limit is 1 or more, got " + limit);
      }
      ArrayNode items = AdminApi.JSON.createArrayNode();
      String next = cursor;
      do {
        int size = limit == null ? PAGE : Math.min(PAGE, limit - items.size());
        JsonNode page = options.api().get("/tokens?limit=" + size + (status == null ? "" : "&status="
            + AdminApi.segment(status)) + (next == null ? "" : "&cursor=" + AdminApi.segment(next)));
        page.path("items").forEach(items::add);
        next = page.path("nextCursor").isTextual() ? page.path("nextCursor").asText() : null;
      } while (next != null && (limit == null || items.size() < limit));
      ObjectNode all = Bodies.object();
      all.set("items", items);
      all.put("nextCursor", next);
      options.out().list(all, TOKENS);
      if (next != null && !options.out().json) {
        System.err.println("gatehouse: more tokens follow: --cursor " + next);
      }
      return 0;
    }
  }

  /** A subcommand on one token, named by its id. */
  abstract static class OnToken implements Callable<Integer> {
    @Mixin
    ApiOptions options;

    @Parameters(index = "0", paramLabel = "ID", description = "The token's id (tok_...).")
    String id;
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Shows one token (never its secret).",
      footer = {"", "Examples:", "  gatehouse tokens get tok_3oB0d7XeK1mQ --json"})
  static final class Get extends OnToken {
    @Override
    public Integer call() {
      options.out().details(options.api().get(item(id)));
      return 0;
    }
  }

  @Command(name = "revoke", aliases = "delete", mixinStandardHelpOptions = true,
      description = "Revokes a token: it is refused from then on, on every node, and its exchanges in progress end. "
          + "Revoking again does nothing. 'delete' is the same.",
      footer = {"", "Examples:", "  gatehouse tokens revoke tok_3oB0d7XeK1mQ"})
  static final class Revoke extends OnToken {
    @Override
    public Integer call() {
      options.out().row(options.api().post(item(id) + "/revoke", null), TOKENS);
      return 0;
    }
  }
}
