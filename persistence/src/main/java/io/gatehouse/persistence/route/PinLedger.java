package io.gatehouse.persistence.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The consumers pinned to one route's instances, as the route's entity keeps them in memory, and
 * the bounded-load choice for a consumer that needs an instance. Each instance's count is kept as
 * pins change, so choosing reads the counts in O(instances), not O(consumers). A consumer not
 * heard of for the expiry (passed to {@link #sweep}) no longer counts for the load bound.
 */
final class PinLedger {
  private record Pin(String instanceId, long lastSeenMillis) {}

  private final Map<String, Pin> byConsumer = new HashMap<>();
  private final Map<String, Integer> perInstance = new HashMap<>();
  private final double loadFactor;

  PinLedger(double loadFactor) {
    this.loadFactor = loadFactor;
  }

  /**
   * The instance for {@code consumer}: its pin while that is in rotation and not {@code avoid},
   * else the bounded-load rendezvous choice among the instances in rotation other than
   * {@code avoid} ({@code avoid} itself when it is the only one left). Null when none is in
   * rotation.
   */
  String choose(String consumer, String avoid, Collection<String> inRotation, long now) {
    Pin current = byConsumer.get(consumer);
    if (current != null && !current.instanceId().equals(avoid) && inRotation.contains(current.instanceId())) {
      byConsumer.put(consumer, new Pin(current.instanceId(), now));
      return current.instanceId();
    }
    List<String> candidates = new ArrayList<>(inRotation.size());
    for (String id : inRotation) {
      if (!id.equals(avoid)) {
        candidates.add(id);
      }
    }
    if (candidates.isEmpty() && avoid != null && inRotation.contains(avoid)) {
      candidates.add(avoid);
    }
    remove(consumer);
    String chosen = Rendezvous.bounded(consumer, candidates, id -> perInstance.getOrDefault(id, 0), loadFactor);
    if (chosen != null) {
      put(consumer, chosen, now);
    }
    return chosen;
  }

  /** The consumer is active and pinned to the instance; answers whether its pin changed. */
  boolean refresh(String consumer, String instanceId, long now) {
    Pin before = put(consumer, instanceId, now);
    return before == null || !before.instanceId().equals(instanceId);
  }

  /** Forgets consumers not heard of since {@code now - expiryMillis}; answers whether any went. */
  boolean sweep(long now, long expiryMillis) {
    return removeIf(p -> now - p.lastSeenMillis() > expiryMillis);
  }

  /** The instance is gone: its consumers are unpinned. */
  void forgetInstance(String instanceId) {
    removeIf(p -> p.instanceId().equals(instanceId));
  }

  void clear() {
    byConsumer.clear();
    perInstance.clear();
  }

  int pinnedTo(String instanceId) {
    return perInstance.getOrDefault(instanceId, 0);
  }

  /** Pinned consumers per instance id (read-only). */
  Map<String, Integer> counts() {
    return Collections.unmodifiableMap(perInstance);
  }

  private Pin put(String consumer, String instanceId, long now) {
    Pin before = byConsumer.put(consumer, new Pin(instanceId, now));
    if (before != null) {
      uncount(before.instanceId());
    }
    perInstance.merge(instanceId, 1, Integer::sum);
    return before;
  }

  private void remove(String consumer) {
    Pin before = byConsumer.remove(consumer);
    if (before != null) {
      uncount(before.instanceId());
    }
  }

  private boolean removeIf(java.util.function.Predicate<Pin> doomed) {
    boolean any = false;
    for (Iterator<Pin> it = byConsumer.values().iterator(); it.hasNext(); ) {
      Pin p = it.next();
      if (doomed.test(p)) {
        it.remove();
        uncount(p.instanceId());
        any = true;
      }
    }
    return any;
  }

  private void uncount(String instanceId) {
    perInstance.computeIfPresent(instanceId, (id, n) -> n == 1 ? null : n - 1);
  }
}
