package io.gatehouse.node.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import io.gatehouse.persistence.testing.FreePorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Nodes without a seed list find each other through their contact points and form one cluster. */
class DiscoveryTest {

  @Test
  void threeNodesFindEachOtherThroughConfigDiscovery() throws Exception {
    StoreSettings.Postgres pg = EmbeddedPostgresFixture.newDatabase();
    List<int[]> ports = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ports.add(FreePorts.allocate(4));
    }
    String contactPoints = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p[1]).toList());
    List<CompletableFuture<GatehouseNode>> starting = new ArrayList<>();
    for (int[] p : ports) {
      Config c = TestNodes.postgres(pg)
          .withValue("gatehouse.admin-port", ConfigValueFactory.fromAnyRef(p[0]))
          .withValue("gatehouse.management-port", ConfigValueFactory.fromAnyRef(p[1]))
          .withValue("gatehouse.remote-port", ConfigValueFactory.fromAnyRef(p[2]))
          .withValue("gatehouse.http-port", ConfigValueFactory.fromAnyRef(p[3]))
          .withValue("gatehouse.discovery.method", ConfigValueFactory.fromAnyRef("config"))
          .withValue("gatehouse.discovery.contact-points", ConfigValueFactory.fromAnyRef(contactPoints))
          .withValue("gatehouse.discovery.required-contact-points", ConfigValueFactory.fromAnyRef(3))
          .withValue("gatehouse.discovery.stable-margin", ConfigValueFactory.fromAnyRef("1s"));
      // Started together: none of them can finish starting before the others answer.
      starting.add(CompletableFuture.supplyAsync(() -> TestNodes.start(c)));
    }
    List<GatehouseNode> nodes = new ArrayList<>();
    try {
      for (CompletableFuture<GatehouseNode> s : starting) {
        nodes.add(s.get(120, TimeUnit.SECONDS));
      }
      for (GatehouseNode n : nodes) {
        AdminClient admin = new AdminClient(n.adminPort(), TestNodes.ADMIN_TOKEN);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
          JsonNode routers = admin.get("/api/v1/routers").json().path("items");
          assertThat(routers).hasSize(3);
          routers.forEach(r -> assertThat(r.path("status").asText()).isEqualTo("Up"));
        });
      }
    } finally {
      for (CompletableFuture<GatehouseNode> s : starting) {
        s.thenAccept(GatehouseNode::close);
      }
      nodes.forEach(GatehouseNode::close);
    }
  }
}
