package io.gatehouse.persistence.route;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The health of one route's instances, as the route's entity keeps it in memory: each instance's
 * lease (renewed by heartbeats), its active health checks and its passive ejection by the data
 * planes. Times are epoch milliseconds passed in by the caller, so the rules can be tested as
 * they are.
 *
 * <p>Rules: an instance is in rotation once a check has passed; two failed checks in a row take
 * it out, one passed check puts it back; an instance ejected by a data plane stays out for the
 * ejection time, then needs a passed check. A lease lapses when no heartbeat came within its
 * length.
 */
final class InstanceHealth {
  /** Two failed checks in a row take a healthy instance out; one passed check puts it in. */
  static final int FAILURES_TO_EJECT = 2;

  private static final class Entry {
    long lastHeartbeatMillis;
    boolean healthy;
    boolean checked;
    boolean probing;
    int failures;
    long nextProbeAtMillis;
    long ejectedUntilMillis;
  }

  private final Map<String, Entry> entries = new HashMap<>();
  private final long ejectionMillis;

  InstanceHealth(Duration passiveEjection) {
    this.ejectionMillis = passiveEjection.toMillis();
  }

  /** An instance known from the journal, not checked yet (after the entity's recovery): out of rotation, lease from now. */
  void track(String id, long now) {
    Entry e = new Entry();
    e.lastHeartbeatMillis = now;
    entries.put(id, e);
  }

  /** A new registration whose first check (made before it was persisted) had {@code healthy} as its outcome. */
  void registered(String id, boolean healthy, long now, int intervalSeconds) {
    Entry e = new Entry();
    e.lastHeartbeatMillis = now;
    e.checked = true;
    e.healthy = healthy;
    e.failures = healthy ? 0 : 1;
    e.nextProbeAtMillis = now + intervalSeconds * 1000L;
    entries.put(id, e);
  }

  /** Renews the lease; false when the instance holds none. */
  boolean heartbeat(String id, long now) {
    Entry e = entries.get(id);
    if (e == null) {
      return false;
    }
    e.lastHeartbeatMillis = now;
    return true;
  }

  void forget(String id) {
    entries.remove(id);
  }

  void clear() {
    entries.clear();
  }

  /** The instances whose lease has lapsed. */
  List<String> expired(Collection<RouteEntity.Instance> instances, long now) {
    List<String> out = new ArrayList<>();
    for (RouteEntity.Instance i : instances) {
      Entry e = entries.get(i.id());
      if (e != null && now - e.lastHeartbeatMillis > i.leaseSeconds() * 1000L) {
        out.add(i.id());
      }
    }
    return out;
  }

  /** The instances due for a check now; each is marked as being checked until {@link #checked}. */
  List<RouteEntity.Instance> dueForCheck(Collection<RouteEntity.Instance> instances, long now) {
    List<RouteEntity.Instance> out = new ArrayList<>();
    for (RouteEntity.Instance i : instances) {
      Entry e = entries.computeIfAbsent(i.id(), id -> {
        Entry fresh = new Entry();
        fresh.lastHeartbeatMillis = now;
        return fresh;
      });
      if (!e.probing && now >= e.nextProbeAtMillis) {
        e.probing = true;
        out.add(i);
      }
    }
    return out;
  }

  /** A check ended; answers whether the instance went in or out of rotation. */
  boolean checked(String id, boolean passed, long now, int intervalSeconds) {
    Entry e = entries.get(id);
    if (e == null) {
      return false;
    }
    boolean before = inRotation(id, now);
    e.probing = false;
    e.checked = true;
    e.nextProbeAtMillis = Math.max(now + intervalSeconds * 1000L, e.ejectedUntilMillis);
    if (passed) {
      e.failures = 0;
      if (now >= e.ejectedUntilMillis) {
        e.healthy = true;
      }
    } else if (++e.failures >= FAILURES_TO_EJECT) {
      e.healthy = false;
    }
    return before != inRotation(id, now);
  }

  /** A data plane saw the instance fail: out of rotation for the ejection time. Answers whether that changed anything. */
  boolean ejected(String id, long now) {
    Entry e = entries.get(id);
    if (e == null) {
      return false;
    }
    boolean before = inRotation(id, now);
    e.ejectedUntilMillis = now + ejectionMillis;
    e.nextProbeAtMillis = e.ejectedUntilMillis;
    e.healthy = false;
    return before;
  }

  boolean inRotation(String id, long now) {
    Entry e = entries.get(id);
    return e != null && e.healthy && now >= e.ejectedUntilMillis;
  }

  /** Whether every one of {@code ids} has had a check since it was tracked. */
  boolean allChecked(Collection<String> ids) {
    for (String id : ids) {
      Entry e = entries.get(id);
      if (e == null || !e.checked) {
        return false;
      }
    }
    return true;
  }

  /** The last heartbeat, or {@code fallback} for an instance without one here. */
  long lastHeartbeat(String id, long fallback) {
    Entry e = entries.get(id);
    return e == null ? fallback : e.lastHeartbeatMillis;
  }
}
