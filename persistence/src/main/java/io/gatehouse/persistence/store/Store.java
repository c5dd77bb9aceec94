package io.gatehouse.persistence.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The node's database: opened, migrated and claimed for one namespace before the actor system
 * starts. It owns a small connection pool for the read models; pekko-persistence-jdbc keeps its
 * own pool for the journal, configured from {@link #pekkoConfig()}.
 */
public final class Store implements AutoCloseable {
  private static final String NAMESPACE_KEY = "namespace";

  private final StoreSettings settings;
  private final HikariDataSource dataSource;
  private final Sql sql;
  private final int migrationsApplied;

  private Store(StoreSettings settings, HikariDataSource dataSource, int migrationsApplied) {
    this.settings = settings;
    this.dataSource = dataSource;
    this.sql = new Sql(dataSource);
    this.migrationsApplied = migrationsApplied;
  }

  /** Opens the store, creates or migrates its schema, and checks that it belongs to {@code namespace}. */
  public static Store open(StoreSettings settings, String namespace) {
    if (settings instanceof StoreSettings.H2 h2) {
      try {
        Files.createDirectories(h2.dataDir());
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot create the data directory " + h2.dataDir() + ": " + e.getMessage(), e);
      }
    }
    HikariDataSource ds = pool(settings, "gatehouse-read-models", 4);
    try {
      MigrateResult result = Flyway.configure()
          .dataSource(ds)
          .locations(settings.migrationLocation())
          .load()
          .migrate();
      Store store = new Store(settings, ds, result.migrationsExecuted);
      store.claimNamespace(namespace);
      return store;
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  static HikariDataSource pool(StoreSettings settings, String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setDriverClassName(settings.driverClass());
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setConnectionTimeout(10_000);
    config.setInitializationFailTimeout(10_000);
    return new HikariDataSource(config);
  }

  /** pekko-persistence-jdbc settings for this store, to lay over the node's configuration. */
  public Config pekkoConfig() {
    Map<String, Object> db = new HashMap<>();
    db.put("url", settings.jdbcUrl());
    db.put("user", settings.user());
    db.put("password", settings.password());
    db.put("driver", settings.driverClass());
    return ConfigFactory.empty()
        .withValue("pekko-persistence-jdbc.shared-databases.slick.profile",
            ConfigValueFactory.fromAnyRef(settings.slickProfile()))
        .withValue("pekko-persistence-jdbc.shared-databases.slick.db", ConfigValueFactory.fromMap(db));
  }

  private void claimNamespace(String namespace) {
    // Nodes may race here on a fresh PostgreSQL: the primary key lets one insert win, and the
    // others read the winner's value.
    putMetaIfAbsent(NAMESPACE_KEY, namespace);
    String owner = meta(NAMESPACE_KEY).orElseThrow();
    if (!owner.equals(namespace)) {
      throw new NamespaceMismatchException(owner, namespace, settings.describe());
    }
  }

  public Optional<String> meta(String key) {
    return sql.queryOne("select meta_value from gatehouse_meta where meta_key = ?", rs -> rs.getString(1), key);
  }

  /** Records {@code key} once; answers whether this call recorded it. */
  public boolean putMetaIfAbsent(String key, String value) {
    try {
      return sql.update("insert into gatehouse_meta (meta_key, meta_value) values (?, ?)", key, value) == 1;
    } catch (StoreException e) {
      if (meta(key).isPresent()) {
        return false;
      }
      throw e;
    }
  }

  /** Replaces {@code key}'s value if it is still {@code expected}; answers whether it did. */
  public boolean replaceMeta(String key, String expected, String value) {
    return sql.update("update gatehouse_meta set meta_value = ? where meta_key = ? and meta_value = ?",
        value, key, expected) == 1;
  }

  public StoreSettings settings() {
    return settings;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  public Sql sql() {
    return sql;
  }

  public int migrationsApplied() {
    return migrationsApplied;
  }

  public boolean isH2() {
    return settings instanceof StoreSettings.H2;
  }

  /** The journal's highest ordering now: where a node that starts following events by tag begins. */
  public long journalEnd() {
    String table = isH2() ? "\"event_journal\"" : "event_journal";
    String column = isH2() ? "\"ordering\"" : "ordering";
    return sql.queryOne("select coalesce(max(" + column + "), 0) from " + table, rs -> rs.getLong(1)).orElse(0L);
  }

  /** Checks that the database answers, for readiness. */
  public boolean ping() {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("select 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next();
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }

  /** For tests and tools: the H2 data directory, if this is an H2 store. */
  public Optional<Path> dataDir() {
    return settings instanceof StoreSettings.H2 h2 ? Optional.of(h2.dataDir()) : Optional.empty();
  }
}
