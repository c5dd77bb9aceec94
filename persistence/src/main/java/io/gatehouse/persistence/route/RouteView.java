package io.gatehouse.persistence.route;

import io.gatehouse.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A route as every node's route table holds it: published by the route's entity at every change.
 * {@code definition} is null once the route is deleted. Versions only grow, also across
 * incarnations of the entity (they start from the wall clock).
 */
public record RouteView(String name, RouteDefinition definition, List<InstanceView> instances, long version)
    implements RouteEntity.KeepAliveReply {

  /** An instance as the data planes see it: in rotation or not, and its pinned consumers. */
  public record InstanceView(String id, String address, boolean healthy, int activeSessions, Instant registeredAt,
      Instant lastHeartbeatAt) implements CborSerializable {}

  public static RouteView deleted(String name, long version) {
    return new RouteView(name, null, List.of(), version);
  }

  public boolean exists() {
    return definition != null;
  }

  public int healthyInstances() {
    int n = 0;
    for (InstanceView i : instances) {
      n += i.healthy() ? 1 : 0;
    }
    return n;
  }
}
