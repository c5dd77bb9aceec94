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
    Duration readYourWritesTimeout) {

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
        g.getDuration("admin.read-your-writes-timeout"));
  }

  @Override
  public String toString() {
    // The bootstrap token is a secret: never print it with the settings.
    return "NodeSettings[namespace=" + namespace + ", store=" + store.describe() + ", host=" + host
        + ", adminPort=" + adminPort + "]";
  }
}
