package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gatehouse status}: the cluster's nodes and the endpoints' health, at a glance. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Shows the cluster's nodes and the endpoints' health.",
        "The nodes: GET /routers. Every endpoint's health and traffic over the last 24 hours: GET /endpoints.", "With --json: {\"routers\": <the first answer>, \"endpoints\": <the second>}."},
    footer = {"", "Examples:", "  gatehouse status", "  gatehouse status --json | jq '.endpoints.items[] | select(.status != \"up\")'"})
final class StatusCommand implements Callable<Integer> {
  static final Table ROUTERS = Table.of(
      column("NODE", r -> r.path("address").asText() + (r.path("self").asBoolean() ? " (this)" : "")),
      column("STATUS", "status"), column("REACHABLE", "reachable"), column("LEADER", "leader"),
      column("VERSION", "version"), column("UPTIME", r -> Table.duration(r.path("uptimeSeconds"))),
      column("DATA-PLANE", "dataPlane"));
  static final Table ENDPOINTS = Table.of(column("ROUTE", "route"), column("KIND", "kind"),
      column("STATUS", "status"), column("INSTANCES", e -> Table.ratio(e, "healthyInstances", "instances")),
      column("REQUESTS", "totalRequests"), column("AVG-MS", "avgLatencyMs"), column("P95-MS", "p95LatencyMs"),
      column("ERRORS", "errorRate"), column("URL", "url"));

  @Mixin
  ApiOptions options;

  @Override
  public Integer call() {
    JsonNode routers = options.api().get("/routers");
    JsonNode endpoints = options.api().get("/endpoints");
    Output out = options.out();
    if (out.json) {
      ObjectNode both = Bodies.object();
      both.set("routers", routers);
      both.set("endpoints", endpoints);
      out.print(both);
      return 0;
    }
    out.list(routers, ROUTERS);
    out.say("");
    if (endpoints.path("items").isEmpty()) {
      out.say("No routes yet.");
    } else {
      out.list(endpoints, ENDPOINTS);
    }
    return 0;
  }
}
