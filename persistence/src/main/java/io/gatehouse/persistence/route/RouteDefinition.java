package io.gatehouse.persistence.route;

import io.gatehouse.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * What a route is, as its entity persists it. A static route is an admin's; an ephemeral route
 * belongs to a deployment that registered without one, lives at {@code /deployments/<deployment>}
 * (and {@code <deployment>.<base-domain>}), and is allowed to whoever may use its project.
 *
 * @param pathPrefix normalised ({@code /llm-inference}, no trailing slash), or null
 * @param subdomain one DNS label, or null
 * @param affinity {@code consumer}, {@code none} or {@code header:<Header-Name>}
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
    Instant updatedAt)
    implements CborSerializable {

  public enum Kind { STATIC, EPHEMERAL }

  public static final String EPHEMERAL_PREFIX = "/deployments/";

  /** The route a deployment gets when it registers without one. */
  public static RouteDefinition ephemeral(String deployment, String project, Instant now) {
    return new RouteDefinition(deployment, Kind.EPHEMERAL, EPHEMERAL_PREFIX + deployment, deployment, List.of(),
        List.of(), "consumer", true, "/health", 5, 5, 300, 10L * 1024 * 1024, deployment, project, now, now);
  }

  public boolean isStatic() {
    return kind == Kind.STATIC;
  }

  public RouteDefinition withTimes(Instant created, Instant updated) {
    return new RouteDefinition(name, kind, pathPrefix, subdomain, allowedGroups, allowedServiceAccounts, affinity,
        stripPrefix, healthPath, healthIntervalSeconds, connectTimeoutSeconds, idleTimeoutSeconds,
        maxRequestBodyBytes, deployment, project, created, updated);
  }

  /** The consumer key comes from this request header, or null for token-id (or no) affinity. */
  public String affinityHeader() {
    return affinity.startsWith("header:") ? affinity.substring("header:".length()) : null;
  }

  public boolean sticky() {
    return !affinity.equals("none");
  }
}
