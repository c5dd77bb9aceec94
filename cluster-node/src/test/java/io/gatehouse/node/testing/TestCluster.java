package io.gatehouse.node.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.persistence.testing.FreePorts;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** Several nodes in this JVM (actor systems on their own ports) sharing one PostgreSQL. */
public final class TestCluster implements AutoCloseable {
  public final List<Gateway> nodes = new ArrayList<>();
  private final Config[] configs;
  private final Clock clock;

  /** Three nodes. */
  public TestCluster(StoreSettings.Postgres pg) {
    this(pg, 3, Clock.systemUTC());
  }

  /** {@code size} nodes that all read {@code clock}. */
  public TestCluster(StoreSettings.Postgres pg, int size, Clock clock) {
    this(pg, size, clock, com.typesafe.config.ConfigFactory.empty());
  }

  /** {@code size} nodes that all read {@code clock}, with {@code extra} settings on each. */
  public TestCluster(StoreSettings.Postgres pg, int size, Clock clock, Config extra) {
    this.clock = clock;
    configs = new Config[size];
    int seed = FreePorts.allocate(1)[0];
    for (int i = 0; i < size; i++) {
      Config c = extra.withFallback(TestNodes.postgres(pg))
          .withValue("gatehouse.seed-nodes", ConfigValueFactory.fromAnyRef("127.0.0.1:" + seed));
      if (i == 0) {
        c = c.withValue("gatehouse.remote-port", ConfigValueFactory.fromAnyRef(seed));
      }
      configs[i] = c;
    }
    start();
  }

  /** Starts the nodes, the seed first (each start returns once the node is ready). */
  public void start() {
    for (Config c : configs) {
      nodes.add(new Gateway(c, clock));
    }
  }

  /** One more node that joins the cluster (not one of {@link #nodes}: the caller closes it, and it leaves). */
  public Gateway join() {
    return new Gateway(configs[configs.length - 1], clock);
  }

  /** Stops the nodes gracefully, the seed last. */
  public void stop() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
  }

  public Gateway a() {
    return nodes.get(0);
  }

  public Gateway b() {
    return nodes.get(1);
  }

  public Gateway c() {
    return nodes.get(2);
  }

  @Override
  public void close() {
    stop();
  }
}
