package io.gatehouse.protocol.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.gatehouse.protocol.FieldError;
import io.gatehouse.protocol.Name;
import java.util.List;
import java.util.regex.Pattern;

/** Request bodies of the Routes and Registrations sections of API.md. */
public final class RouteRequests {
  private RouteRequests() {}

  /** The data plane's own paths: no route may answer under it. */
  public static final String RESERVED_PREFIX = "/_gatehouse";
  private static final Pattern PREFIX_SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");
  private static final Pattern SUBDOMAIN = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  private static final Pattern HEADER_NAME = Pattern.compile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$");
  private static final Pattern HOST_PORT = Pattern.compile("^([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})$");

  /** Where a route answers: a path prefix, or a subdomain of the base domain. */
  public record Match(String pathPrefix, String subdomain) {
    public Match {
      if ((pathPrefix == null) == (subdomain == null)) {
        throw new FieldError("pathPrefix", "give exactly one of pathPrefix and subdomain");
      }
      if (pathPrefix != null) {
        pathPrefix = normalisePrefix(pathPrefix);
      }
      if (subdomain != null && !SUBDOMAIN.matcher(subdomain).matches()) {
        throw new FieldError("subdomain", "must be one DNS label: a-z, 0-9 and '-', at most 63 characters");
      }
    }

    static String normalisePrefix(String prefix) {
      if (!prefix.startsWith("/")) {
        throw new FieldError("pathPrefix", "must start with '/'");
      }
      String trimmed = prefix.endsWith("/") && prefix.length() > 1 ? prefix.substring(0, prefix.length() - 1) : prefix;
      if (trimmed.equals("/")) {
        throw new FieldError("pathPrefix", "must name at least one path segment; '/' would shadow every route");
      }
      for (String segment : trimmed.substring(1).split("/", -1)) {
        if (segment.equals(".") || segment.equals("..") || !PREFIX_SEGMENT.matcher(segment).matches()) {
          throw new FieldError("pathPrefix",
              "segments must be non-empty and made of A-Z, a-z, 0-9, '.', '_', '~' and '-' (no '.' or '..')");
        }
      }
      if (trimmed.equals("/deployments") || trimmed.startsWith("/deployments/")) {
        throw new FieldError("pathPrefix", "/deployments is where ephemeral routes live; choose another prefix");
      }
      if (trimmed.equals(RESERVED_PREFIX) || trimmed.startsWith(RESERVED_PREFIX + "/")) {
        throw new FieldError("pathPrefix", RESERVED_PREFIX + " is the gateway's own; choose another prefix");
      }
      if (trimmed.length() > 512) {
        throw new FieldError("pathPrefix", "is longer than 512 characters");
      }
      return trimmed;
    }
  }

  public enum Protocol {
    HTTP("http"), TCP("tcp");

    private final String wire;

    Protocol(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Protocol fromWire(String wire) {
      for (Protocol p : values()) {
        if (p.wire.equals(wire)) {
          return p;
        }
      }
      throw new IllegalArgumentException("must be one of http, tcp");
    }
  }

  /** How a route reaches its instances over HTTP: HTTP/1.1, or HTTP/2 (gRPC) in clear text or over TLS. */
  public enum UpstreamProtocol {
    HTTP1("http1"), H2C("h2c"), H2("h2");

    private final String wire;

    UpstreamProtocol(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static UpstreamProtocol fromWire(String wire) {
      for (UpstreamProtocol p : values()) {
        if (p.wire.equals(wire)) {
          return p;
        }
      }
      throw new IllegalArgumentException("must be one of http1, h2c, h2");
    }
  }

  public record HealthCheck(String path, Integer intervalSeconds) {
    public HealthCheck {
      path = checkedPath(path == null ? RouteDefaults.HEALTH_PATH : path, "path");
      intervalSeconds = intervalSeconds == null ? RouteDefaults.HEALTH_INTERVAL_SECONDS : intervalSeconds;
      if (intervalSeconds < 1 || intervalSeconds > 300) {
        throw new FieldError("intervalSeconds", "must be an integer from 1 to 300");
      }
    }

    public static HealthCheck defaults() {
      return new HealthCheck(null, null);
    }
  }

  public record Timeouts(Integer connectSeconds, Integer idleSeconds) {
    public Timeouts {
      connectSeconds = connectSeconds == null ? RouteDefaults.CONNECT_TIMEOUT_SECONDS : connectSeconds;
      idleSeconds = idleSeconds == null ? RouteDefaults.IDLE_TIMEOUT_SECONDS : idleSeconds;
      if (connectSeconds < 1 || connectSeconds > 120) {
        throw new FieldError("connectSeconds", "must be an integer from 1 to 120");
      }
      if (idleSeconds < 1 || idleSeconds > 86_400) {
        throw new FieldError("idleSeconds", "must be an integer from 1 to 86400");
      }
    }

    public static Timeouts defaults() {
      return new Timeouts(null, null);
    }
  }

  /**
   * {@code POST /routes} (with {@code name}) and {@code PUT /routes/{name}} (without). Omitted
   * optional fields take the {@link RouteDefaults}, and no principal is allowed.
   */
  public record RouteBody(
      Name name,
      Match match,
      Protocol protocol,
      List<Name> allowedGroups,
      List<Name> allowedServiceAccounts,
      List<Name> registrationProjects,
      String affinity,
      Boolean stripPrefix,
      HealthCheck healthCheck,
      Timeouts timeouts,
      Long maxRequestBodyBytes,
      Boolean enabled,
      Boolean browser,
      UpstreamProtocol upstreamProtocol) {
    public RouteBody {
      protocol = protocol == null ? Protocol.HTTP : protocol;
      if (protocol == Protocol.TCP) {
        checkTcp(match, affinity, stripPrefix, browser, upstreamProtocol, maxRequestBodyBytes);
      } else {
        FieldError.required(match, "match");
      }
      upstreamProtocol = upstreamProtocol == null ? UpstreamProtocol.HTTP1 : upstreamProtocol;
      allowedGroups = DirectoryRequests.distinct(allowedGroups, "allowedGroups");
      allowedServiceAccounts = DirectoryRequests.distinct(allowedServiceAccounts, "allowedServiceAccounts");
      registrationProjects = DirectoryRequests.distinct(registrationProjects, "registrationProjects");
      affinity = checkedAffinity(affinity == null ? RouteDefaults.AFFINITY : affinity);
      stripPrefix = stripPrefix == null ? RouteDefaults.STRIP_PREFIX : stripPrefix;
      healthCheck = healthCheck == null ? HealthCheck.defaults() : healthCheck;
      timeouts = timeouts == null ? Timeouts.defaults() : timeouts;
      maxRequestBodyBytes = maxRequestBodyBytes == null ? RouteDefaults.MAX_REQUEST_BODY_BYTES : maxRequestBodyBytes;
      if (maxRequestBodyBytes < 0) {
        throw new FieldError("maxRequestBodyBytes", "must be 0 (no request body) or more");
      }
      enabled = enabled == null ? RouteDefaults.ENABLED : enabled;
      browser = browser == null ? RouteDefaults.BROWSER : browser;
    }
  }

  /** A TCP route is reached through the tunnel and session ports, not by path or host: no HTTP fields. */
  private static void checkTcp(Match match, String affinity, Boolean stripPrefix, Boolean browser,
      UpstreamProtocol upstreamProtocol, Long maxRequestBodyBytes) {
    if (match != null) {
      throw new FieldError("match", "a tcp route has none: it is reached through /_gatehouse/tunnel/{route} or a session port");
    }
    if (affinity != null && !affinity.equals("consumer") && !affinity.equals("none")) {
      throw new FieldError("affinity", "a tcp route's affinity is consumer or none");
    }
    if (stripPrefix != null || browser != null || upstreamProtocol != null || maxRequestBodyBytes != null) {
      throw new FieldError(stripPrefix != null ? "stripPrefix" : browser != null ? "browser"
          : upstreamProtocol != null ? "upstreamProtocol" : "maxRequestBodyBytes", "is for http routes only");
    }
  }

  /** {@code consumer}, {@code none} or {@code header:<Header-Name>}. */
  static String checkedAffinity(String affinity) {
    if (affinity.equals("consumer") || affinity.equals("none")) {
      return affinity;
    }
    if (affinity.startsWith("header:") && HEADER_NAME.matcher(affinity.substring(7)).matches()
        && affinity.length() <= 7 + 64) {
      return affinity;
    }
    throw new FieldError("affinity", "must be consumer, none, or header:<Header-Name>");
  }

  static String checkedPath(String path, String field) {
    if (!path.startsWith("/") || path.length() > 512 || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
      throw new FieldError(field, "must be a path starting with '/', printable ASCII, at most 512 characters");
    }
    return path;
  }

  /** {@code POST /registrations}: an instance of a deployment asks to be routed to. */
  public record Register(
      Name deployment,
      Name project,
      String route,
      String address,
      Protocol protocol,
      String healthPath,
      String namespace,
      Integer leaseSeconds,
      Boolean browser) {
    public Register {
      FieldError.required(deployment, "deployment");
      FieldError.required(project, "project");
      if (route != null && route.isBlank()) {
        route = null;
      }
      if (route != null && !Name.isValid(route)) {
        throw new FieldError("route", "must be the name of a static route, or blank for an ephemeral route");
      }
      FieldError.required(address, "address");
      java.util.regex.Matcher m = HOST_PORT.matcher(address);
      if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
        throw new FieldError("address", "must be host:port, for example 10.0.0.5:8000");
      }
      protocol = protocol == null ? Protocol.HTTP : protocol;
      if (protocol == Protocol.TCP && healthPath != null) {
        throw new FieldError("healthPath", "a tcp instance is checked by connecting to it; it has no health path");
      }
      healthPath = healthPath == null ? null : checkedPath(healthPath, "healthPath");
      leaseSeconds = leaseSeconds == null ? 30 : leaseSeconds;
      if (leaseSeconds < 5 || leaseSeconds > 3600) {
        throw new FieldError("leaseSeconds", "must be an integer from 5 to 3600");
      }
      if (browser != null && route != null) {
        throw new FieldError("browser", "is set on the static route itself; a registration sets it only for its ephemeral route");
      }
      browser = browser != null && browser;
    }
  }
}
