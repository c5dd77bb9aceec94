package io.gatehouse.node.session;

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
  static final long FORGET_AFTER_MILLIS = 30 * 60_000L;

  /** A pin as this node holds it. */
  public static final class Entry {
    final String instanceId;
    volatile long lastUseMillis;
    volatile long lastTouchMillis;

    Entry(String instanceId, long now) {
      this.instanceId = instanceId;
      this.lastUseMillis = now;
      this.lastTouchMillis = now;
    }

    public String instanceId() {
      return instanceId;
    }
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final long reportEveryMillis;

  /** Reporting an active consumer to its route every 5 minutes. */
  public SessionCache() {
    this(Duration.ofMinutes(5));
  }

  public SessionCache(Duration reportEvery) {
    this.reportEveryMillis = reportEvery.toMillis();
  }

  public Entry get(String key) {
    return entries.get(key);
  }

  public void put(String key, String instanceId, long nowMillis) {
    entries.put(key, new Entry(instanceId, nowMillis));
  }

  public void forget(String key) {
    entries.remove(key);
  }

  /** Marks a use; answers whether the route should be told of the consumer now. */
  public boolean used(Entry e, long nowMillis) {
    e.lastUseMillis = nowMillis;
    if (nowMillis - e.lastTouchMillis >= reportEveryMillis) {
      e.lastTouchMillis = nowMillis;
      return true;
    }
    return false;
  }

  /** Forgets pins not used for a while (their session actors have passivated by then). */
  public void sweep(long nowMillis) {
    entries.values().removeIf(e -> nowMillis - e.lastUseMillis > FORGET_AFTER_MILLIS);
  }

  public int size() {
    return entries.size();
  }
}
