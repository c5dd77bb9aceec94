package io.gatehouse.persistence.route;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.api.RouteDefaults;
import io.gatehouse.protocol.api.RouteRequests.Protocol;
import io.gatehouse.protocol.api.RouteRequests.UpstreamProtocol;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a route is, as its entity persists it, in parts: where it answers ({@link Match}), who
 * may use it and register onto it ({@link Access}), how its instances are reached
 * ({@link Upstream}), its {@link Timeouts} and its {@link Limits}. A static route is an admin's;
 * an ephemeral route belongs to a deployment that registered without one ({@link Owner}), lives at
 * {@code /deployments/<deployment>} (and {@code <deployment>.<base-domain>}), and is allowed to
 * whoever may use its project.
 *
 * <p>Build one with {@link #builder(String)}: a field added to a part is one edit there and in the
 * builder. Events written before the parts existed (one flat record) are still read: see
 * {@link RouteDefinitionReader}.
 *
 * @param enabled false: the route keeps its URL and answers 503 until enabled again
 */
public record RouteDefinition(
    String name,
    Kind kind,
    Protocol protocol,
    Match match,
    Access access,
    Upstream upstream,
    Timeouts timeouts,
    Limits limits,
    Owner owner,
    boolean enabled,
    Instant createdAt,
    Instant updatedAt)
    implements CborSerializable {

  public enum Kind { STATIC, EPHEMERAL }

  public static final String EPHEMERAL_PREFIX = "/deployments/";

  /**
   * Where the route answers: a path prefix (normalised, {@code /llm}, no trailing slash) and/or a
   * subdomain (one DNS label). A tcp route has neither; an ephemeral http route has both.
   */
  public record Match(String pathPrefix, String subdomain) implements CborSerializable {
    public static final Match NONE = new Match(null, null);
  }

  /**
   * Who may use the route (a static route's groups and service accounts; an ephemeral route's
   * project decides instead), whether browsers may come with a session cookie, and which projects'
   * registrars may register instances onto it (admins always may).
   */
  public record Access(List<String> groups, List<String> serviceAccounts, List<String> registrationProjects,
      boolean browser) implements CborSerializable {
    public Access {
      groups = groups == null ? List.of() : List.copyOf(groups);
      serviceAccounts = serviceAccounts == null ? List.of() : List.copyOf(serviceAccounts);
      registrationProjects = registrationProjects == null ? List.of() : List.copyOf(registrationProjects);
    }
  }

  /**
   * How the route reaches its instances: over which protocol (an http route's), with which
   * affinity ({@code consumer}, {@code none} or {@code header:<Header-Name>}), whether the
   * instance sees the route's prefix, and how they are checked (the path is null where instances
   * are checked by connecting).
   */
  public record Upstream(UpstreamProtocol protocol, String affinity, boolean stripPrefix, Health health)
      implements CborSerializable {}

  public record Health(String path, int intervalSeconds) implements CborSerializable {}

  public record Timeouts(int connectSeconds, int idleSeconds) implements CborSerializable {}

  /** What one request may bring: its body (0 for tcp routes). Rate and concurrency limits go here too. */
  public record Limits(long maxRequestBodyBytes) implements CborSerializable {}

  /** The deployment and project an ephemeral route belongs to. */
  public record Owner(String deployment, String project) implements CborSerializable {}

  public RouteDefinition {
    protocol = protocol == null ? Protocol.HTTP : protocol;
    match = match == null ? Match.NONE : match;
    access = access == null ? new Access(null, null, null, false) : access;
  }

  /** Reads both the parts and the flat record of earlier events. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static RouteDefinition fromJson(JsonNode node) {
    return RouteDefinitionReader.read(node);
  }

  /** A new route named {@code name}, with every field at its default (an http static route). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** This route as a builder, to change some fields. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The route a deployment gets when it registers without one: the defaults, browser if it asked;
   * a tcp deployment's has no match (it is reached through the tunnel and session ports).
   */
  public static RouteDefinition ephemeral(String deployment, String project, boolean browser, boolean tcp,
      Instant now) {
    Builder b = builder(deployment).kind(Kind.EPHEMERAL).owner(new Owner(deployment, project)).browser(browser)
        .times(now, now);
    return tcp ? b.tcp().build() : b.match(new Match(EPHEMERAL_PREFIX + deployment, deployment)).build();
  }

  @JsonIgnore
  public boolean isTcp() {
    return protocol == Protocol.TCP;
  }

  @JsonIgnore
  public boolean isStatic() {
    return kind == Kind.STATIC;
  }

  @JsonIgnore
  public boolean isBrowser() {
    return access.browser();
  }

  /**
   * Whether its instances are checked by connecting rather than by an HTTP GET of the health
   * path: tcp routes, and routes whose instances speak HTTP/2 (gRPC servers answer no plain GET).
   */
  @JsonIgnore
  public boolean checkedByConnecting() {
    return isTcp() || upstream.protocol() != UpstreamProtocol.HTTP1;
  }

  /** The project of an ephemeral route, else null. */
  @JsonIgnore
  public String project() {
    return owner == null ? null : owner.project();
  }

  /** How long one health check may take: the check interval, or the connect timeout if shorter (1 s at least). */
  public Duration checkTimeout() {
    return Duration.ofSeconds(Math.max(1, Math.min(upstream.health().intervalSeconds(), timeouts.connectSeconds())));
  }

  public RouteDefinition withTimes(Instant created, Instant updated) {
    return toBuilder().times(created, updated).build();
  }

  /** Builds a {@link RouteDefinition}; every field starts at {@link RouteDefaults}. */
  public static final class Builder {
    private final String name;
    private Kind kind = Kind.STATIC;
    private Protocol protocol = Protocol.HTTP;
    private Match match = Match.NONE;
    private List<String> groups = List.of();
    private List<String> serviceAccounts = List.of();
    private List<String> registrationProjects = List.of();
    private boolean browser = RouteDefaults.BROWSER;
    private UpstreamProtocol upstreamProtocol = UpstreamProtocol.HTTP1;
    private String affinity = RouteDefaults.AFFINITY;
    private boolean stripPrefix = RouteDefaults.STRIP_PREFIX;
    private String healthPath = RouteDefaults.HEALTH_PATH;
    private int healthIntervalSeconds = RouteDefaults.HEALTH_INTERVAL_SECONDS;
    private int connectSeconds = RouteDefaults.CONNECT_TIMEOUT_SECONDS;
    private int idleSeconds = RouteDefaults.IDLE_TIMEOUT_SECONDS;
    private long maxRequestBodyBytes = RouteDefaults.MAX_REQUEST_BODY_BYTES;
    private Owner owner;
    private boolean enabled = RouteDefaults.ENABLED;
    private Instant createdAt;
    private Instant updatedAt;

    private Builder(String name) {
      this.name = name;
    }

    private Builder(RouteDefinition d) {
      this.name = d.name();
      this.kind = d.kind();
      this.protocol = d.protocol();
      this.match = d.match();
      this.groups = d.access().groups();
      this.serviceAccounts = d.access().serviceAccounts();
      this.registrationProjects = d.access().registrationProjects();
      this.browser = d.access().browser();
      this.upstreamProtocol = d.upstream().protocol();
      this.affinity = d.upstream().affinity();
      this.stripPrefix = d.upstream().stripPrefix();
      this.healthPath = d.upstream().health().path();
      this.healthIntervalSeconds = d.upstream().health().intervalSeconds();
      this.connectSeconds = d.timeouts().connectSeconds();
      this.idleSeconds = d.timeouts().idleSeconds();
      this.maxRequestBodyBytes = d.limits().maxRequestBodyBytes();
      this.owner = d.owner();
      this.enabled = d.enabled();
      this.createdAt = d.createdAt();
      this.updatedAt = d.updatedAt();
    }

    public Builder kind(Kind kind) {
      this.kind = kind;
      return this;
    }

    /** A tcp route: no match, no prefix to strip, no health path, no body limit. */
    public Builder tcp() {
      this.protocol = Protocol.TCP;
      this.match = Match.NONE;
      this.stripPrefix = false;
      this.healthPath = null;
      this.maxRequestBodyBytes = 0;
      return this;
    }

    public Builder match(Match match) {
      this.match = match;
      return this;
    }

    public Builder pathPrefix(String prefix) {
      return match(new Match(prefix, null));
    }

    public Builder subdomain(String subdomain) {
      return match(new Match(null, subdomain));
    }

    public Builder groups(List<String> groups) {
      this.groups = groups;
      return this;
    }

    public Builder groups(String... groups) {
      return groups(List.of(groups));
    }

    public Builder serviceAccounts(List<String> serviceAccounts) {
      this.serviceAccounts = serviceAccounts;
      return this;
    }

    public Builder serviceAccounts(String... serviceAccounts) {
      return serviceAccounts(List.of(serviceAccounts));
    }

    public Builder registrationProjects(List<String> projects) {
      this.registrationProjects = projects;
      return this;
    }

    public Builder browser(boolean browser) {
      this.browser = browser;
      return this;
    }

    public Builder upstreamProtocol(UpstreamProtocol protocol) {
      this.upstreamProtocol = protocol;
      return this;
    }

    public Builder affinity(String affinity) {
      this.affinity = affinity;
      return this;
    }

    public Builder stripPrefix(boolean strip) {
      this.stripPrefix = strip;
      return this;
    }

    public Builder health(String path, int intervalSeconds) {
      this.healthPath = path;
      this.healthIntervalSeconds = intervalSeconds;
      return this;
    }

    public Builder timeouts(int connectSeconds, int idleSeconds) {
      this.connectSeconds = connectSeconds;
      this.idleSeconds = idleSeconds;
      return this;
    }

    public Builder maxRequestBodyBytes(long bytes) {
      this.maxRequestBodyBytes = bytes;
      return this;
    }

    public Builder owner(Owner owner) {
      this.owner = owner;
      return this;
    }

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder times(Instant created, Instant updated) {
      this.createdAt = created;
      this.updatedAt = updated;
      return this;
    }

    public RouteDefinition build() {
      return new RouteDefinition(name, kind, protocol, match,
          new Access(groups, serviceAccounts, registrationProjects, browser),
          new Upstream(upstreamProtocol, affinity, stripPrefix, new Health(healthPath, healthIntervalSeconds)),
          new Timeouts(connectSeconds, idleSeconds), new Limits(maxRequestBodyBytes), owner, enabled,
          createdAt, updatedAt);
    }
  }
}
