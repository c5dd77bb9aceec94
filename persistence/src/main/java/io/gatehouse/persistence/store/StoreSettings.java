package io.gatehouse.persistence.store;

import java.nio.file.Path;

/**
 * Where a node keeps its journal, snapshots and read models: an embedded H2 file database under
 * the data directory (the default, nothing to install), or a PostgreSQL database shared by every
 * node of a namespace.
 */
public sealed interface StoreSettings permits StoreSettings.H2, StoreSettings.Postgres {

  /** The JDBC URL, as the connection pools use it. */
  String jdbcUrl();

  String user();

  String password();

  String driverClass();

  /** Slick's profile for pekko-persistence-jdbc. */
  String slickProfile();

  /** The folder of Flyway migrations for this database. */
  String migrationLocation();

  /** One line for the start-up summary, without credentials. */
  String describe();

  record H2(Path dataDir) implements StoreSettings {
    public H2 {
      dataDir = dataDir.toAbsolutePath().normalize();
    }

    @Override
    public String jdbcUrl() {
      // DB_CLOSE_ON_EXIT=FALSE: the node closes its pools in its own shutdown sequence, after the
      // journal's last write, instead of H2's JVM hook racing it.
      return "jdbc:h2:file:" + dataDir.resolve("gatehouse") + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    @Override
    public String user() {
      return "gatehouse";
    }

    @Override
    public String password() {
      return "";
    }

    @Override
    public String driverClass() {
      return "org.h2.Driver";
    }

    @Override
    public String slickProfile() {
      return "slick.jdbc.H2Profile$";
    }

    @Override
    public String migrationLocation() {
      return "classpath:db/migration/h2";
    }

    @Override
    public String describe() {
      return "H2 file database in " + dataDir;
    }
  }

  record Postgres(String jdbcUrl, String user, String password) implements StoreSettings {
    public Postgres {
      if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            "GATEHOUSE_DB_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database), got: "
                + jdbcUrl);
      }
      user = user == null ? "" : user;
      password = password == null ? "" : password;
    }

    @Override
    public String driverClass() {
      return "org.postgresql.Driver";
    }

    @Override
    public String slickProfile() {
      return "slick.jdbc.PostgresProfile$";
    }

    @Override
    public String migrationLocation() {
      return "classpath:db/migration/postgresql";
    }

    @Override
    public String describe() {
      int query = jdbcUrl.indexOf('?');
      return "PostgreSQL " + (query < 0 ? jdbcUrl : jdbcUrl.substring(0, query))
          + (user.isEmpty() ? "" : " as " + user);
    }

    @Override
    public String toString() {
      return "Postgres[" + describe() + "]";
    }
  }
}
