package io.gatehouse.node.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.persistence.testing.FreePorts;
import java.util.ArrayList;
import java.util.List;

/** Three nodes in this JVM (three actor systems on their own ports) sharing one PostgreSQL. */
public final class ThreeNodes implements AutoCloseable {
  public final List<Gateway> nodes = new ArrayList<>();
  private final Config[] configs = new Config[3];

  public ThreeNodes(StoreSettings.Postgres pg) {
    int seed = FreePorts.allocate(1)[0];
    for (int i = 0; i < 3; i++) {
      Config c = TestNodes.postgres(pg)
          .withValue("gatehouse.seed-nodes", ConfigValueFactory.fromAnyRef("127.0.0.1:" + seed));
      if (i == 0) {
        c = c.withValue("gatehouse.remote-port", ConfigValueFactory.fromAnyRef(seed));
      }
      configs[i] = c;
    }
    start();
  }

  /** Starts the three nodes, the seed first (each start returns once the node is ready). */
  public void start() {
    for (Config c : configs) {
      nodes.add(new Gateway(c));
    }
  }

  /** Stops the three nodes gracefully, the seed last. */
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
