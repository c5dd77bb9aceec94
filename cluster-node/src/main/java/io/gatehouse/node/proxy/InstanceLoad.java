package io.gatehouse.node.proxy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-instance counters of this node: requests in flight (for least-outstanding choice and the
 * instances listing) and the current streak of 5xx answers (for passive ejection).
 */
public final class InstanceLoad {
  /** This many 5xx in a row from one instance report it to its route as failing. */
  static final int FIVE_XX_BURST = 5;
  /** A node reports one instance's passive failure at most this often. */
  static final long REPORT_EVERY_MILLIS = 5_000;

  static final class Counters {
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

  /** Whether a passive failure of this instance should be reported now (rate-limited). */
  static boolean shouldReport(Counters c, long nowMillis) {
    long last = c.lastReportMillis.get();
    return nowMillis - last >= REPORT_EVERY_MILLIS && c.lastReportMillis.compareAndSet(last, nowMillis);
  }

  /** Forgets instances no route has any more. */
  void retain(java.util.Set<String> live) {
    counters.keySet().retainAll(live);
  }
}
