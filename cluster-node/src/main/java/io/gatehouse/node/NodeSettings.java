package io.gatehouse.node;

import com.typesafe.config.Config;
import io.gatehouse.persistence.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code gatehouse.*} settings of a node, read once at start. API.md "Running a node" names
 * the environment variable of each.
 */
public record NodeSettings(
    String namespace,
    StoreSettings store,
    String host,
    int httpPort,
    int httpsPort,
    String tlsCert,
    String tlsKey,
    int adminPort,
    int managementPort,
    int remotePort,
    List<String> seedNodes,
    String baseDomain,
    String bootstrapToken,
    int maxExpiryDays,
    Duration unknownTokenTtl,
    Duration lastUsedFlushInterval,
    Duration askTimeout,
    String publicUrl,
    int eventLoops,
    boolean accessLog,
    int maxInitialLineBytes,
    int maxHeaderBytes,
    int retryAfterSeconds,
    int maxIdleUpstreamConnections,
    Duration clientIdleTimeout,
    double loadFactor,
    Duration reportActiveConsumersEvery,
    Duration forgetInactiveConsumersAfter,
    Duration passiveEjection,
    Duration sessionAskTimeout,
    io.gatehouse.node.cluster.DiscoveryJoin.Settings discovery,
    Duration metricsFlushInterval,
    Duration metricsRetention,
    int metricsMaxCells) {

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
        g.getInt("http-port"),
        g.getInt("https-port"),
        tls(g, "tls.cert", "tls.key"),
        tls(g, "tls.key", "tls.cert"),
        g.getInt("admin-port"),
        g.getInt("management-port"),
        g.getInt("remote-port"),
        Arrays.stream(g.getString("seed-nodes").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
        g.getString("base-domain").trim(),
        g.getString("bootstrap-token").trim(),
        maxExpiryDays,
        g.getDuration("tokens.unknown-ttl"),
        g.getDuration("tokens.last-used-flush-interval"),
        g.getDuration("admin.ask-timeout"),
        publicUrl(g),
        g.getInt("data-plane.event-loops") > 0 ? g.getInt("data-plane.event-loops")
            : Runtime.getRuntime().availableProcessors(),
        g.getBoolean("data-plane.access-log"),
        g.getInt("data-plane.max-initial-line-bytes"),
        g.getInt("data-plane.max-header-bytes"),
        g.getInt("data-plane.retry-after-seconds"),
        g.getInt("data-plane.max-idle-upstream-connections"),
        positive(g.getDuration("data-plane.client-idle-timeout"), "data-plane.client-idle-timeout"),
        loadFactor(g.getDouble("affinity.load-factor")),
        positive(g.getDuration("affinity.report-active-every"), "affinity.report-active-every"),
        forgetAfter(g),
        g.getDuration("health.passive-ejection"),
        g.getDuration("data-plane.session-ask-timeout"),
        discovery(g),
        g.getDuration("metrics.flush-interval"),
        g.getDuration("metrics.retention"),
        g.getInt("metrics.max-cells"));
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

  private static io.gatehouse.node.cluster.DiscoveryJoin.Settings discovery(Config g) {
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
    return new io.gatehouse.node.cluster.DiscoveryJoin.Settings(method, points, g.getString("discovery.dns-name").trim(),
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
    return discovery != null || seedNodes.stream().anyMatch(seed -> !seed.equals(host + ":" + remotePort));
  }

  public boolean tls() {
    return !tlsCert.isEmpty();
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
        + ", adminPort=" + adminPort + "]";
  }
}
