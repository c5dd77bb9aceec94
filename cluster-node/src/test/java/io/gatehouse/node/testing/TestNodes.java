package io.gatehouse.node.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.PrintStream;
import java.time.Clock;
import java.nio.file.Path;

/** Nodes for tests: each on free loopback ports of its own, with a known bootstrap admin token. */
public final class TestNodes {
  /** A syntactically valid token that tests preset as GATEHOUSE_BOOTSTRAP_TOKEN. */
  public static final String ADMIN_TOKEN = "gth_TestAdmin1_" + "Q".repeat(21) + "7".repeat(22);

  private TestNodes() {}

  public static Config h2(Path dataDir) {
    return ConfigFactory.empty().withValue("gatehouse.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()));
  }

  public static Config postgres(StoreSettings.Postgres pg) {
    return ConfigFactory.empty()
        .withValue("gatehouse.db.url", ConfigValueFactory.fromAnyRef(pg.jdbcUrl()))
        .withValue("gatehouse.db.user", ConfigValueFactory.fromAnyRef(pg.user()))
        .withValue("gatehouse.db.password", ConfigValueFactory.fromAnyRef(pg.password()));
  }

  /** The settings every test node shares; {@code store} picks H2 or PostgreSQL. */
  public static Config config(Config store) {
    int[] ports = FreePorts.allocate(4);
    return store
        .withFallback(GatehouseNode.ports(ports[0], ports[1], ports[2], ports[3]))
        .withFallback(ConfigFactory.parseString("""
            gatehouse.namespace = "test"
            gatehouse.bootstrap-token = "%s"
            gatehouse.tokens.last-used-flush-interval = 200ms
            gatehouse.health.passive-ejection = 2s
            gatehouse.metrics.flush-interval = 300ms
            gatehouse.data-plane.drain-period = 0s
            pekko.cluster.jmx.enabled = off
            pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            """.formatted(ADMIN_TOKEN)));
  }

  public static GatehouseNode start(Config store) {
    return GatehouseNode.start(config(store));
  }

  public static GatehouseNode start(Config store, PrintStream out) {
    return GatehouseNode.start(config(store), out);
  }

  public static GatehouseNode start(Config store, PrintStream out, Clock clock) {
    return GatehouseNode.start(config(store), out, clock);
  }
}
