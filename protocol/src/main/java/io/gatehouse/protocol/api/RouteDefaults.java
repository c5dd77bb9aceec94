package io.gatehouse.protocol.api;

/**
 * What a route is when its definition leaves a field out: the one place these values are written.
 * Static routes created through the API, ephemeral routes made for a registration, and the
 * dashboard's form (through {@code GET /api/v1/route-defaults}) all take them from here.
 */
public final class RouteDefaults {
  private RouteDefaults() {}

  public static final String AFFINITY = "consumer";
  public static final boolean STRIP_PREFIX = true;
  public static final String HEALTH_PATH = "/health";
  public static final int HEALTH_INTERVAL_SECONDS = 5;
  public static final int CONNECT_TIMEOUT_SECONDS = 5;
  public static final int IDLE_TIMEOUT_SECONDS = 300;
  public static final long MAX_REQUEST_BODY_BYTES = 10L * 1024 * 1024;
  public static final boolean ENABLED = true;
  public static final boolean BROWSER = false;

  /** The defaults as the admin API shows them. */
  public record Json(RouteRequests.Protocol protocol, String affinity, boolean stripPrefix,
      RouteRequests.HealthCheck healthCheck, RouteRequests.Timeouts timeouts, long maxRequestBodyBytes,
      boolean enabled, boolean browser, RouteRequests.UpstreamProtocol upstreamProtocol) {}

  public static Json json() {
    return new Json(RouteRequests.Protocol.HTTP, AFFINITY, STRIP_PREFIX, RouteRequests.HealthCheck.defaults(),
        RouteRequests.Timeouts.defaults(), MAX_REQUEST_BODY_BYTES, ENABLED, BROWSER, RouteRequests.UpstreamProtocol.HTTP1);
  }
}
