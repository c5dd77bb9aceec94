package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gatehouse routes}: where the gateway answers, who may use it, and how it reaches the instances. */
@Command(name = "routes", mixinStandardHelpOptions = true,
    description = "Routes: where the gateway answers (a path prefix or a subdomain, or a tcp route), who may use "
        + "them, and how they reach their instances.",
    subcommands = {ResourceCommands.List.class, ResourceCommands.Get.class, RoutesCommand.Create.class,
        RoutesCommand.Update.class, RoutesCommand.Instances.class, ResourceCommands.Delete.class},
    footer = {"", "Examples:", "  gatehouse routes create llm --path-prefix /llm --allow-group ml-team",
        "  gatehouse routes instances llm"})
final class RoutesCommand extends ResourceCommands.Group {
  static final Resource ROUTES = new Resource("/routes", "route", Table.of(column("NAME", "name"),
      column("KIND", "kind"), column("MATCH", RoutesCommand::match), column("PROTOCOL", "protocol"),
      column("INSTANCES", r -> Table.ratio(r, "healthyInstances", "instances")), column("ENABLED", "enabled"),
      column("URL", "url")),
      List.of("match", "protocol", "allowedGroups", "allowedServiceAccounts", "affinity", "stripPrefix",
          "healthCheck", "timeouts", "maxRequestBodyBytes", "enabled", "browser", "upstreamProtocol"));

  /** What a tcp route's PUT must leave out: it has no match and none of the HTTP fields. */
  private static final List<String> HTTP_ONLY = List.of("match", "stripPrefix", "browser", "upstreamProtocol",
      "maxRequestBodyBytes");

  private static final Table INSTANCES = Table.of(column("ID", "id"), column("ADDRESS", "address"),
      column("HEALTHY", "healthy"), column("SESSIONS", "activeSessions"), column("IN-FLIGHT", "inFlight"),
      column("REGISTERED", "registeredAt"), column("LAST-HEARTBEAT", "lastHeartbeatAt"));

  RoutesCommand() {
    super(ROUTES);
  }

  /** {@code /prefix}, {@code subdomain.} (of the base domain), or both for an ephemeral route. */
  static String match(JsonNode route) {
    JsonNode m = route.path("match");
    String prefix = m.path("pathPrefix").asText("");
    String subdomain = m.path("subdomain").isTextual() ? m.path("subdomain").asText() + "." : "";
    return String.join(" ", List.of(prefix, subdomain).stream().filter(s -> !s.isEmpty()).toList());
  }

  abstract static class Fields extends ResourceCommands.Write {
    @Option(names = "--path-prefix", paramLabel = "PATH", description = "Answer under this path prefix, e.g. /llm.")
    String pathPrefix;

    @Option(names = "--subdomain", paramLabel = "LABEL",
        description = "Answer on this subdomain of the base domain (GATEHOUSE_BASE_DOMAIN) instead.")
    String subdomain;

    @Option(names = "--protocol", paramLabel = "http|tcp", description = "http (default) or tcp (no match).")
    String protocol;

    @Option(names = "--allow-group", paramLabel = "GROUP",
        description = "A group that may use the route; repeat for several. On update it replaces them ('' for none).")
    List<String> allowedGroups;

    @Option(names = "--allow-service-account", paramLabel = "NAME",
        description = "A service account that may use the route; repeat for several. On update it replaces them.")
    List<String> allowedServiceAccounts;

    @Option(names = "--affinity", paramLabel = "AFFINITY",
        description = "consumer (default: one token, one instance), none, or header:<Header-Name>.")
    String affinity;

    @Option(names = "--strip-prefix", negatable = true,
        description = "Whether the instance gets the path without the prefix (default: yes).")
    Boolean stripPrefix;

    @Option(names = "--health-path", paramLabel = "PATH", description = "The instances' health check path (/health).")
    String healthPath;

    @Option(names = "--health-interval", paramLabel = "SECONDS", description = "Seconds between health checks (5).")
    Integer healthInterval;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "Connecting to an instance (5).")
    Integer connectTimeout;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "An idle exchange is closed after (300).")
    Integer idleTimeout;

    @Option(names = "--max-body-bytes", paramLabel = "BYTES", description = "The largest request body (10485760).")
    Long maxBodyBytes;

    @Option(names = "--browser", negatable = true,
        description = "Whether browsers may sign in to it with a session cookie (for web UIs; default: no).")
    Boolean browser;

    @Option(names = "--enabled", negatable = true,
        description = "Whether it serves; a disabled route answers 503 and keeps its URL (default: yes).")
    Boolean enabled;

    @Option(names = "--upstream-protocol", paramLabel = "http1|h2c|h2", description = "How instances are reached (http1).")
    String upstreamProtocol;

    @Override
    void apply(ObjectNode body) {
      if (pathPrefix != null || subdomain != null) {
        ObjectNode match = body.putObject("match");
        Bodies.put(match, "pathPrefix", pathPrefix);
        Bodies.put(match, "subdomain", subdomain);
      }
      Bodies.put(body, "protocol", protocol);
      Bodies.names(body, "allowedGroups", allowedGroups);
      Bodies.names(body, "allowedServiceAccounts", allowedServiceAccounts);
      Bodies.put(body, "affinity", affinity);
      Bodies.put(body, "stripPrefix", stripPrefix);
      Bodies.nested(body, "healthCheck", "path", healthPath);
      Bodies.nested(body, "healthCheck", "intervalSeconds", healthInterval);
      Bodies.nested(body, "timeouts", "connectSeconds", connectTimeout);
      Bodies.nested(body, "timeouts", "idleSeconds", idleTimeout);
      Bodies.put(body, "maxRequestBodyBytes", maxBodyBytes);
      Bodies.put(body, "browser", browser);
      Bodies.put(body, "enabled", enabled);
      Bodies.put(body, "upstreamProtocol", upstreamProtocol);
    }

    @Override
    ObjectNode current() {
      ObjectNode body = super.current();
      if ("tcp".equals(body.path("protocol").asText())) {
        body.remove(HTTP_ONLY);
      }
      return body;
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates a static route; what no option names takes the defaults (in parentheses).",
      footer = {"", "Examples:", "  gatehouse routes create llm --path-prefix /llm --allow-group ml-team",
          "  gatehouse routes create lab --path-prefix /lab --browser --no-strip-prefix",
          "  gatehouse routes create pg --protocol tcp --allow-group dba",
          "  gatehouse routes create grpc --subdomain grpc --upstream-protocol h2c \\",
          "      --from-file timeouts.json"})
  static final class Create extends Fields {}

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Changes a static route; what no option names keeps its value.",
      footer = {"", "Examples:", "  gatehouse routes update llm --allow-group ml-team --allow-group search",
          "  gatehouse routes update llm --no-enabled"})
  static final class Update extends Fields {}

  @Command(name = "instances", mixinStandardHelpOptions = true,
      description = "Lists a route's instances, with their health and load.",
      footer = {"", "Examples:", "  gatehouse routes instances llm"})
  static final class Instances extends ResourceCommands.Named {
    @Override
    public Integer call() {
      options.out().list(options.api().get(resource().item(name) + "/instances"), INSTANCES);
      return 0;
    }
  }
}
