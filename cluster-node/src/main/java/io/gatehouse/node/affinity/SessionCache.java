package io.gatehouse.node.affinity;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's memory of pins, so that a consumer's requests after the first need no ask: the key
 * is {@code <route>|<consumer>}, the value the pinned instance. The authority stays the sharded
 * {@link io.gatehouse.persistence.session.ConsumerSessionEntity}; the data plane asks it on a miss
 * and whenever the pinned instance has left rotation. Each entry also remembers when the route was
 * last told of the consumer, so that an active consumer counts for its instance's load bound with
 * one message to the route every few minutes, not one per request.
 */
public final class SessionCache {
  static final int FORGET_AFTER_SECONDS = 30 * 60;
  /** Times are kept as int seconds since 2020-01-01 (good until 2088): 8 bytes less per pin. */
  private static final long BASE_SECONDS = 1_577_836_800L;

  /** A pin as this node holds it. */
  public static final class Entry {
    final String instanceId;
    volatile int lastUseSeconds;
    volatile int lastReportSeconds;

    Entry(String instanceId, int now) {
      this.instanceId = instanceId;
      this.lastUseSeconds = now;
      this.lastReportSeconds = now;
    }

    public String instanceId() {
      return instanceId;
    }
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final int reportEverySeconds;

  /** Reporting an active consumer to its route every 5 minutes. */
  public SessionCache() {
    this(Duration.ofMinutes(5));
  }

  public SessionCache(Duration reportEvery) {
    this.reportEverySeconds = (int) Math.max(1, (reportEvery.toMillis() + 999) / 1000);
  }

  public Entry get(String key) {
    return entries.get(key);
  }

  public void put(String key, String instanceId, long nowMillis) {
    entries.put(key, new Entry(instanceId, seconds(nowMillis)));
  }

  public void forget(String key) {
    entries.remove(key);
  }

  /** Marks a use; answers whether the route should be told of the consumer now. */
  public boolean used(Entry e, long nowMillis) {
    int now = seconds(nowMillis);
    e.lastUseSeconds = now;
    if (now - e.lastReportSeconds >= reportEverySeconds) {
      e.lastReportSeconds = now;
      return true;
    }
    return false;
  }

  /** Forgets pins not used for a while (their session actors have passivated by then). */
  public void sweep(long nowMillis) {
    int now = seconds(nowMillis);
    entries.values().removeIf(e -> now - e.lastUseSeconds > FORGET_AFTER_SECONDS);
  }

  public int size() {
    return entries.size();
  }

  private static int seconds(long epochMillis) {
    return (int) (epochMillis / 1000 - BASE_SECONDS);
  }
}
