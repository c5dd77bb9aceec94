package io.gatehouse.node.upstream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-instance counters of this node: requests in flight (for the least-loaded choice and the
 * instances listing) and the current streak of 5xx answers (for passive ejection).
 */
public final class InstanceLoad {
  /** One instance's counters. */
  public static final class Counters {
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger fiveXxStreak = new AtomicInteger();
    final AtomicLong lastReportMillis = new AtomicLong();
  }

  private final ConcurrentHashMap<String, Counters> counters = new ConcurrentHashMap<>();

  Counters of(String instanceId) {
    Counters c = counters.get(instanceId);
    return c != null ? c : counters.computeIfAbsent(instanceId, id -> new Counters());
  }

  public int inFlight(String instanceId) {
    Counters c = counters.get(instanceId);
    return c == null ? 0 : c.inFlight.get();
  }

  /** Forgets instances no route has any more. */
  public void retain(Set<String> live) {
    counters.keySet().retainAll(live);
  }
}
