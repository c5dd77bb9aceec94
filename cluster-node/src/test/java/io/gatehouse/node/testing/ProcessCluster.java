package io.gatehouse.node.testing;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Node processes on one PostgreSQL (the first is the seed of the others), and the route the
 * multi-process tests share: {@code /llm} for group {@code ml}, with three probe instances, and
 * tokens of user {@code load}.
 */
public final class ProcessCluster implements AutoCloseable {
  public final List<NodeProcess> nodes = new ArrayList<>();
  private final List<ProbeServer> probes = new ArrayList<>();

  /** Starts {@code size} nodes, one after the other, each ready before the next. */
  public ProcessCluster(Path work, int size, Map<String, String> env) throws IOException {
    StoreSettings.Postgres pg = EmbeddedPostgresFixture.newDatabase();
    for (int i = 0; i < size; i++) {
      nodes.add(new NodeProcess(i, work, pg, env));
    }
    for (NodeProcess n : nodes) {
      n.start(nodes.get(0).remote).awaitReady();
    }
  }

  public AdminClient admin() {
    return nodes.get(0).adminClient();
  }

  /** The route {@code llm} at {@code /llm}, with three probe instances ({@code gpu-a}, -b, -c). */
  public void llmRoute() throws InterruptedException {
    AdminClient admin = admin();
    admin.post("/api/v1/groups", "{\"name\":\"ml\"}");
    admin.post("/api/v1/users", "{\"name\":\"load\",\"groups\":[\"ml\"]}");
    admin.post("/api/v1/projects", "{\"name\":\"llm\",\"groups\":[\"ml\"]}");
    assertThat(admin.post("/api/v1/routes", "{\"name\":\"llm\",\"match\":{\"pathPrefix\":\"/llm\"},"
        + "\"allowedGroups\":[\"ml\"],\"healthCheck\":{\"intervalSeconds\":1}}").status()).isEqualTo(201);
    for (String id : List.of("gpu-a", "gpu-b", "gpu-c")) {
      ProbeServer p = ProbeServer.start("127.0.0.1", 0, id);
      probes.add(p);
      assertThat(admin.post("/api/v1/registrations", json("{'deployment':'llm','project':'llm','route':'llm',"
          + "'address':'127.0.0.1:%d','namespace':'test','leaseSeconds':3600}", p.port())).status()).isEqualTo(201);
    }
  }

  /** A token of user {@code load}. */
  public String token(String label) {
    return admin().post("/api/v1/tokens", "{\"label\":\"" + label + "\",\"expiresInDays\":1,"
        + "\"principal\":{\"type\":\"user\",\"name\":\"load\"}}").json().path("token").asText();
  }

  @Override
  public void close() throws InterruptedException {
    for (NodeProcess n : nodes) {
      if (n.alive()) {
        n.kill();
      }
    }
    probes.forEach(ProbeServer::close);
  }
}
