package io.gatehouse.persistence.route;

import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.api.RouteDefaults;
import java.time.Instant;
import java.util.List;

/**
 * What a route is, as its entity persists it. A static route is an admin's; an ephemeral route
 * belongs to a deployment that registered without one, lives at {@code /deployments/<deployment>}
 * (and {@code <deployment>.<base-domain>}), and is allowed to whoever may use its project.
 *
 * @param pathPrefix normalised ({@code /llm-inference}, no trailing slash), or null
 * @param subdomain one DNS label, or null
 * @param affinity {@code consumer}, {@code none} or {@code header:<Header-Name>}, as the API took it
 * @param enabled false: the route keeps its URL and answers 503 until enabled again (null, in
 *     events written before the field existed, reads as true)
 * @param browser true: the route also admits browsers by a session cookie (null reads as false)
 * @param protocol {@code http} or {@code tcp} (null reads as http); a tcp route has no match
 * @param upstreamProtocol how an http route speaks to its instances: {@code http1}, {@code h2c},
 *     {@code h2} (null reads as http1)
 */
public record RouteDefinition(
    String name,
    Kind kind,
    String pathPrefix,
    String subdomain,
    List<String> allowedGroups,
    List<String> allowedServiceAccounts,
    String affinity,
    boolean stripPrefix,
    String healthPath,
    int healthIntervalSeconds,
    int connectTimeoutSeconds,
    int idleTimeoutSeconds,
    long maxRequestBodyBytes,
    String deployment,
    String project,
    Instant createdAt,
    Instant updatedAt,
    Boolean enabled,
    Boolean browser,
    String protocol,
    String upstreamProtocol)
    implements CborSerializable {

  public enum Kind { STATIC, EPHEMERAL }

  public static final String EPHEMERAL_PREFIX = "/deployments/";

  public RouteDefinition {
    enabled = enabled == null || enabled;
    browser = browser != null && browser;
    protocol = protocol == null ? "http" : protocol;
    upstreamProtocol = upstreamProtocol == null ? "http1" : upstreamProtocol;
  }

  /**
   * The route a deployment gets when it registers without one: the defaults, browser if it asked;
   * a tcp deployment's has no match (it is reached through the tunnel and session ports).
   */
  public static RouteDefinition ephemeral(String deployment, String project, boolean browser, boolean tcp,
      Instant now) {
    return new RouteDefinition(deployment, Kind.EPHEMERAL, tcp ? null : EPHEMERAL_PREFIX + deployment,
        tcp ? null : deployment, List.of(), List.of(), RouteDefaults.AFFINITY, !tcp && RouteDefaults.STRIP_PREFIX,
        tcp ? null : RouteDefaults.HEALTH_PATH, RouteDefaults.HEALTH_INTERVAL_SECONDS,
        RouteDefaults.CONNECT_TIMEOUT_SECONDS, RouteDefaults.IDLE_TIMEOUT_SECONDS,
        tcp ? 0 : RouteDefaults.MAX_REQUEST_BODY_BYTES, deployment, project, now, now, RouteDefaults.ENABLED, browser,
        tcp ? "tcp" : "http", "http1");
  }

  public boolean isTcp() {
    return protocol.equals("tcp");
  }

  /**
   * Whether its instances are checked by connecting rather than by an HTTP GET of the health
   * path: tcp routes, and routes whose instances speak HTTP/2 (gRPC servers answer no plain GET).
   */
  public boolean checkedByConnecting() {
    return isTcp() || !upstreamProtocol.equals("http1");
  }

  public boolean isStatic() {
    return kind == Kind.STATIC;
  }

  /** How long one health check may take: the check interval, or the connect timeout if shorter (1 s at least). */
  public java.time.Duration checkTimeout() {
    return java.time.Duration.ofSeconds(Math.max(1, Math.min(healthIntervalSeconds, connectTimeoutSeconds)));
  }

  public boolean isEnabled() {
    return enabled;
  }

  public boolean isBrowser() {
    return browser;
  }

  public RouteDefinition withTimes(Instant created, Instant updated) {
    return new RouteDefinition(name, kind, pathPrefix, subdomain, allowedGroups, allowedServiceAccounts, affinity,
        stripPrefix, healthPath, healthIntervalSeconds, connectTimeoutSeconds, idleTimeoutSeconds,
        maxRequestBodyBytes, deployment, project, created, updated, enabled, browser, protocol, upstreamProtocol);
  }
}
