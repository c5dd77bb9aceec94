package io.gatehouse.node;

import com.typesafe.config.Config;
import io.gatehouse.node.cluster.DiscoveryJoin;
import io.gatehouse.node.proxy.DataPlaneSettings;
import io.gatehouse.node.tcp.SessionPorts;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.protocol.net.AddressRange;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code gatehouse.*} settings of a node, read once at start, grouped by the feature that
 * uses them. API.md "Running a node" names the environment variable of each.
 *
 * @param publicUrl the URL consumers use to reach the data plane, as route URLs show it
 * @param askTimeout how long an admin call waits for an entity before answering 503
 * @param passiveEjection how long an instance ejected by a data plane stays out of rotation
 * @param instanceNetworks the networks instances must be in ({@code GATEHOUSE_INSTANCE_NETWORKS}); empty: any
 */
public record NodeSettings(
    String namespace,
    StoreSettings store,
    String host,
    Ports ports,
    ClusterSettings cluster,
    String baseDomain,
    String bootstrapToken,
    String publicUrl,
    Duration askTimeout,
    TokenSettings tokens,
    DataPlaneSettings dataPlane,
    AffinitySettings affinity,
    Duration passiveEjection,
    MetricsSettings metrics,
    List<AddressRange> instanceNetworks) {

  /** The ports this node listens on (HTTPS: {@link DataPlaneSettings#tls()}). */
  public record Ports(int http, int admin, int management, int remote) {}

  /** How this node finds its cluster: seed nodes, or discovery (null when off). */
  public record ClusterSettings(List<String> seedNodes, DiscoveryJoin.Settings discovery) {}

  /** Token policy and the token cache. */
  public record TokenSettings(int maxExpiryDays, Duration unknownTtl, Duration lastUsedFlushInterval) {}

  /** Bounded-load affinity and how long a route counts a consumer that went quiet. */
  public record AffinitySettings(double loadFactor, Duration reportActiveEvery, Duration forgetInactiveAfter) {}

  /** Request metrics: flushed to the store this often, kept this long, at most this many cells per node. */
  public record MetricsSettings(Duration flushInterval, Duration retention, int maxCells) {}

  public static NodeSettings from(Config config) {
    Config g = config.getConfig("gatehouse");
    String namespace = g.getString("namespace");
    if (!io.gatehouse.protocol.Name.isValid(namespace)) {
      throw new IllegalArgumentException(
          "GATEHOUSE_NAMESPACE must be a name (a-z, 0-9 and '-', up to 63 characters), got '" + namespace + "'");
    }
    String dbUrl = g.getString("db.url").trim();
    StoreSettings store = dbUrl.isEmpty()
        ? new StoreSettings.H2(Path.of(g.getString("data-dir")))
        : new StoreSettings.Postgres(dbUrl, g.getString("db.user"), g.getString("db.password"));
    int maxExpiryDays = g.getInt("tokens.max-expiry-days");
    if (maxExpiryDays < 1) {
      throw new IllegalArgumentException("gatehouse.tokens.max-expiry-days must be at least 1");
    }
    return new NodeSettings(
        namespace,
        store,
        g.getString("host"),
        new Ports(g.getInt("http-port"), g.getInt("admin-port"), g.getInt("management-port"), g.getInt("remote-port")),
        new ClusterSettings(Arrays.stream(g.getString("seed-nodes").split(",")).map(String::trim)
            .filter(s -> !s.isEmpty()).toList(), discovery(g)),
        g.getString("base-domain").trim(),
        g.getString("bootstrap-token").trim(),
        publicUrl(g),
        g.getDuration("admin.ask-timeout"),
        new TokenSettings(maxExpiryDays, g.getDuration("tokens.unknown-ttl"),
            g.getDuration("tokens.last-used-flush-interval")),
        dataPlane(g),
        new AffinitySettings(loadFactor(g.getDouble("affinity.load-factor")),
            positive(g.getDuration("affinity.report-active-every"), "affinity.report-active-every"), forgetAfter(g)),
        g.getDuration("health.passive-ejection"),
        new MetricsSettings(g.getDuration("metrics.flush-interval"), g.getDuration("metrics.retention"),
            g.getInt("metrics.max-cells")),
        ranges(g.getString("instances.networks"), "GATEHOUSE_INSTANCE_NETWORKS"));
  }

  /** Comma-separated addresses or CIDR ranges; empty: none. */
  static List<AddressRange> ranges(String value, String variable) {
    List<AddressRange> out = new java.util.ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        try {
          out.add(AddressRange.parse(part.trim()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(variable + " must be addresses or CIDR ranges (10.0.0.0/8, fd00::/8), "
              + "comma-separated: " + e.getMessage());
        }
      }
    }
    return List.copyOf(out);
  }

  private static DataPlaneSettings dataPlane(Config g) {
    Config d = g.getConfig("data-plane");
    String cert = tls(g, "tls.cert", "tls.key");
    String key = tls(g, "tls.key", "tls.cert");
    return new DataPlaneSettings(
        d.getInt("event-loops") > 0 ? d.getInt("event-loops") : Runtime.getRuntime().availableProcessors(),
        d.getBoolean("access-log"),
        d.getInt("max-initial-line-bytes"),
        d.getInt("max-header-bytes"),
        d.getInt("retry-after-seconds"),
        d.getInt("max-idle-upstream-connections"),
        positive(d.getDuration("client-idle-timeout"), "data-plane.client-idle-timeout"),
        d.getDuration("session-ask-timeout"),
        d.getDuration("drain-period"),
        d.getDuration("in-flight-grace"),
        cert.isEmpty() ? null : new DataPlaneSettings.Tls(g.getInt("https-port"), new File(cert), new File(key)),
        d.getBoolean("h2c"),
        tcpSessions(g),
        upstreamCa(d.getString("upstream-ca-cert").trim()));
  }

  private static File upstreamCa(String path) {
    if (path.isEmpty()) {
      return null;
    }
    if (!java.nio.file.Files.isReadable(Path.of(path))) {
      throw new IllegalArgumentException("cannot read GATEHOUSE_UPSTREAM_CA_CERT " + path);
    }
    return new File(path);
  }

  /** {@code GATEHOUSE_TCP_PORTS} ({@code 30000-30099}, or one port; empty: off) and the host sessions name. */
  private static SessionPorts.Settings tcpSessions(Config g) {
    String range = g.getString("tcp.ports").trim();
    String host = g.getString("tcp.host").trim();
    if (host.isEmpty()) {
      String bind = g.getString("host");
      host = bind.equals("0.0.0.0") || bind.equals("::") ? java.net.URI.create(publicUrl(g)).getHost() : bind;
    }
    int perPrincipal = g.getInt("tcp.sessions-per-principal");
    if (perPrincipal < 1) {
      throw new IllegalArgumentException("GATEHOUSE_TCP_SESSIONS_PER_PRINCIPAL must be at least 1, got " + perPrincipal);
    }
    int[] widest = widestAllowFrom(g.getString("tcp.allow-from-widest").trim());
    if (range.isEmpty()) {
      return new SessionPorts.Settings(0, 0, g.getString("host"), host, perPrincipal, widest[0], widest[1]);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d{1,5})(?:-(\\d{1,5}))?$").matcher(range);
    int first = m.matches() ? Integer.parseInt(m.group(1)) : -1;
    int last = m.matches() ? (m.group(2) == null ? first : Integer.parseInt(m.group(2))) : -1;
    if (first < 1 || last > 65535 || last < first) {
      throw new IllegalArgumentException("GATEHOUSE_TCP_PORTS must be a port range such as 30000-30099, got '"
          + range + "'");
    }
    return new SessionPorts.Settings(first, last, g.getString("host"), host, perPrincipal, widest[0], widest[1]);
  }

  /** {@code GATEHOUSE_TCP_ALLOW_FROM_WIDEST}: {@code 24,64} (IPv4, IPv6 prefix lengths). */
  private static int[] widestAllowFrom(String value) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^/?(\\d{1,2})\\s*,\\s*/?(\\d{1,3})$").matcher(value);
    int v4 = m.matches() ? Integer.parseInt(m.group(1)) : -1;
    int v6 = m.matches() ? Integer.parseInt(m.group(2)) : -1;
    if (v4 < 0 || v4 > 32 || v6 < 0 || v6 > 128) {
      throw new IllegalArgumentException("GATEHOUSE_TCP_ALLOW_FROM_WIDEST must be two prefix lengths, IPv4 and IPv6, "
          + "such as 24,64; got '" + value + "'");
    }
    return new int[] {v4, v6};
  }

  private static Duration forgetAfter(Config g) {
    Duration forget = positive(g.getDuration("affinity.forget-inactive-after"), "affinity.forget-inactive-after");
    if (forget.compareTo(g.getDuration("affinity.report-active-every").multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "gatehouse.affinity.forget-inactive-after must be at least twice affinity.report-active-every");
    }
    return forget;
  }

  private static Duration positive(Duration d, String key) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("gatehouse." + key + " must be positive, got " + d);
    }
    return d;
  }

  private static DiscoveryJoin.Settings discovery(Config g) {
    String method = g.getString("discovery.method").trim();
    if (!List.of("off", "config", "dns").contains(method)) {
      throw new IllegalArgumentException("GATEHOUSE_DISCOVERY must be off, config or dns, got '" + method + "'");
    }
    if (method.equals("off")) {
      return null;
    }
    List<String> points = Arrays.stream(g.getString("discovery.contact-points").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (method.equals("config") && points.isEmpty()) {
      throw new IllegalArgumentException("GATEHOUSE_DISCOVERY=config needs GATEHOUSE_CONTACT_POINTS (host:managementPort,...)");
    }
    if (method.equals("dns") && g.getString("discovery.dns-name").isBlank()) {
      throw new IllegalArgumentException("GATEHOUSE_DISCOVERY=dns needs GATEHOUSE_DISCOVERY_DNS_NAME");
    }
    return new DiscoveryJoin.Settings(method, points, g.getString("discovery.dns-name").trim(),
        g.getInt("management-port"), g.getInt("discovery.required-contact-points"),
        g.getDuration("discovery.stable-margin"), g.getString("host") + ":" + g.getInt("management-port"));
  }

  /** A TLS file path; the certificate and the key come together or not at all. */
  private static String tls(Config g, String key, String other) {
    String value = g.getString(key).trim();
    if (value.isEmpty() != g.getString(other).trim().isEmpty()) {
      throw new IllegalArgumentException(
          "HTTPS needs both GATEHOUSE_TLS_CERT and GATEHOUSE_TLS_KEY (PEM files); only one is set");
    }
    if (!value.isEmpty() && !java.nio.file.Files.isReadable(Path.of(value))) {
      throw new IllegalArgumentException("cannot read the TLS file " + value);
    }
    return value;
  }

  /**
   * Whether this node expects other nodes: discovery, or seed nodes other than itself. (A seed
   * list naming only this node is a cluster of one.)
   */
  public boolean clustered() {
    return cluster.discovery() != null
        || cluster.seedNodes().stream().anyMatch(seed -> !seed.equals(selfRemote()));
  }

  /** This node's {@code host:remotePort}, as seed lists name nodes. */
  public String selfRemote() {
    return host + ":" + ports.remote();
  }

  private static String publicUrl(Config g) {
    String url = g.getString("public-url").trim();
    if (url.isEmpty()) {
      return "http://" + g.getString("host") + ":" + g.getInt("http-port");
    }
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new IllegalArgumentException("GATEHOUSE_PUBLIC_URL must start with http:// or https://, got '" + url + "'");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static double loadFactor(double f) {
    if (f < 1.0) {
      throw new IllegalArgumentException("gatehouse.affinity.load-factor must be 1.0 or more, got " + f);
    }
    return f;
  }

  @Override
  public String toString() {
    // The bootstrap token is a secret: never print it with the settings.
    return "NodeSettings[namespace=" + namespace + ", store=" + store.describe() + ", host=" + host
        + ", adminPort=" + ports.admin() + "]";
  }
}
