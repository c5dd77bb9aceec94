package io.gatehouse.protocol.api;

import io.gatehouse.protocol.api.RouteRequests.Protocol;
import io.gatehouse.protocol.api.RouteRequests.Timeouts;
import java.time.Instant;
import java.util.List;

/** Answers of the Routes and Registrations sections of API.md. */
public final class RouteJson {
  private RouteJson() {}

  /**
   * A route. {@code kind} is {@code static} or {@code ephemeral}; an ephemeral route also names
   * its {@code deployment} and {@code project} (null on static routes).
   */
  public record Route(
      String name,
      String kind,
      String url,
      MatchJson match,
      Protocol protocol,
      List<String> allowedGroups,
      List<String> allowedServiceAccounts,
      List<String> registrationProjects,
      String affinity,
      boolean stripPrefix,
      HealthCheckJson healthCheck,
      Timeouts timeouts,
      long maxRequestBodyBytes,
      boolean enabled,
      boolean browser,
      RouteRequests.UpstreamProtocol upstreamProtocol,
      String deployment,
      String project,
      int instances,
      int healthyInstances,
      Instant createdAt,
      Instant updatedAt) {}

  /** A route's health check: a path for an http route, none for a tcp one (checked by connecting). */
  public record HealthCheckJson(String path, int intervalSeconds) {}

  /** Where the route answers; an ephemeral route has both a path prefix and a subdomain. */
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record MatchJson(String pathPrefix, String subdomain) {}

  public record Instance(
      String id,
      String address,
      boolean healthy,
      int activeSessions,
      int inFlight,
      Instant registeredAt,
      Instant lastHeartbeatAt) {}

  /** The answer to a registration, given after the instance's first health check. */
  public record Registered(String instanceId, int leaseSeconds, String url, boolean healthy) {}
}
