package io.gatehouse.persistence.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.protocol.api.RouteDefaults;
import io.gatehouse.protocol.api.RouteRequests.Protocol;
import io.gatehouse.protocol.api.RouteRequests.UpstreamProtocol;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a persisted {@link RouteDefinition} tolerantly: the definition in parts as it is written
 * now, and the flat record that events and snapshots written before the parts existed hold
 * ({@code pathPrefix}, {@code allowedGroups}, {@code connectTimeoutSeconds}, ... at the top, and
 * {@code enabled}, {@code browser}, {@code protocol}, {@code upstreamProtocol} missing from the
 * oldest). A field that is missing takes its default; nothing a route was ever stored with is lost.
 */
final class RouteDefinitionReader {
  private RouteDefinitionReader() {}

  static RouteDefinition read(JsonNode n) {
    RouteDefinition.Builder b = RouteDefinition.builder(text(n, "name"))
        .kind(RouteDefinition.Kind.valueOf(text(n, "kind")))
        .times(instant(n.get("createdAt")), instant(n.get("updatedAt")));
    if (n.has("upstream") || n.has("access")) {
      parts(n, b);
    } else {
      flat(n, b);
    }
    return b.build();
  }

  private static void parts(JsonNode n, RouteDefinition.Builder b) {
    if (Protocol.TCP.wire().equals(text(n, "protocol"))) {
      b.tcp();
    }
    JsonNode match = n.path("match");
    b.match(new RouteDefinition.Match(text(match, "pathPrefix"), text(match, "subdomain")));
    JsonNode access = n.path("access");
    b.groups(strings(access, "groups")).serviceAccounts(strings(access, "serviceAccounts"))
        .registrationProjects(strings(access, "registrationProjects")).browser(access.path("browser").asBoolean(false));
    JsonNode up = n.path("upstream");
    JsonNode health = up.path("health");
    b.upstreamProtocol(upstreamProtocol(text(up, "protocol")))
        .affinity(orElse(text(up, "affinity"), RouteDefaults.AFFINITY))
        .stripPrefix(up.path("stripPrefix").asBoolean(false))
        .health(text(health, "path"), health.path("intervalSeconds").asInt(RouteDefaults.HEALTH_INTERVAL_SECONDS));
    JsonNode t = n.path("timeouts");
    b.timeouts(t.path("connectSeconds").asInt(RouteDefaults.CONNECT_TIMEOUT_SECONDS),
        t.path("idleSeconds").asInt(RouteDefaults.IDLE_TIMEOUT_SECONDS));
    b.maxRequestBodyBytes(n.path("limits").path("maxRequestBodyBytes").asLong(0));
    JsonNode owner = n.path("owner");
    if (owner.isObject()) {
      b.owner(new RouteDefinition.Owner(text(owner, "deployment"), text(owner, "project")));
    }
    b.enabled(n.path("enabled").asBoolean(true));
  }

  /** The record of before the parts: every field at the top; some of the newest missing. */
  private static void flat(JsonNode n, RouteDefinition.Builder b) {
    if (Protocol.TCP.wire().equals(text(n, "protocol"))) {
      b.tcp();
    }
    b.match(new RouteDefinition.Match(text(n, "pathPrefix"), text(n, "subdomain")))
        .groups(strings(n, "allowedGroups")).serviceAccounts(strings(n, "allowedServiceAccounts"))
        .browser(n.path("browser").asBoolean(false))
        .upstreamProtocol(upstreamProtocol(text(n, "upstreamProtocol")))
        .affinity(orElse(text(n, "affinity"), RouteDefaults.AFFINITY))
        .stripPrefix(n.path("stripPrefix").asBoolean(false))
        .health(text(n, "healthPath"), n.path("healthIntervalSeconds").asInt(RouteDefaults.HEALTH_INTERVAL_SECONDS))
        .timeouts(n.path("connectTimeoutSeconds").asInt(RouteDefaults.CONNECT_TIMEOUT_SECONDS),
            n.path("idleTimeoutSeconds").asInt(RouteDefaults.IDLE_TIMEOUT_SECONDS))
        .maxRequestBodyBytes(n.path("maxRequestBodyBytes").asLong(0))
        .enabled(!n.hasNonNull("enabled") || n.get("enabled").asBoolean());
    String deployment = text(n, "deployment");
    String project = text(n, "project");
    if (deployment != null || project != null) {
      b.owner(new RouteDefinition.Owner(deployment, project));
    }
  }

  private static UpstreamProtocol upstreamProtocol(String wire) {
    return wire == null ? UpstreamProtocol.HTTP1 : UpstreamProtocol.fromWire(wire);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static String orElse(String value, String fallback) {
    return value == null ? fallback : value;
  }

  private static List<String> strings(JsonNode n, String field) {
    List<String> out = new ArrayList<>();
    n.path(field).forEach(v -> out.add(v.asText()));
    return out;
  }

  /** An instant as Jackson writes one: an ISO-8601 string, or seconds with a fraction. */
  private static Instant instant(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isNumber()) {
      BigDecimal seconds = v.decimalValue();
      return Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }
    return Instant.parse(v.asText());
  }
}
