package io.gatehouse.node.metrics;

import io.gatehouse.persistence.metrics.LatencyHistogram;
import io.gatehouse.persistence.metrics.MetricsTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's request counts per minute, route, token, instance and status class, and a latency
 * histogram per minute and route: recorded on the event loops without locks or I/O, and written
 * to the shared metrics table every few seconds (this node's rows of the current and the previous
 * minute are replaced).
 *
 * <p>Memory is bounded: past {@code maxCells} distinct cells a minute's further tokens are folded
 * into the token {@code (other)} (a cell is a few dozen bytes, a route's histogram about 4 KiB).
 * A failed write keeps the cells for the next one; cells more than {@code keepMinutes} old are
 * dropped, and the loss is logged with its request count.
 */
public final class RequestMetrics {
  private static final Logger log = LoggerFactory.getLogger(RequestMetrics.class);
  public static final String OTHER = "(other)";
  private static final long MINUTE = 60_000;

  record Key(long minute, String route, String tokenId, String instanceId, int statusClass) {}

  static final class Cell {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong latencySumMicros = new AtomicLong();
    final AtomicLong bytesIn = new AtomicLong();
    final AtomicLong bytesOut = new AtomicLong();
  }

  record RouteMinute(long minute, String route) {}

  private final ConcurrentHashMap<Key, Cell> cells = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<RouteMinute, AtomicLongArray> latencies = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int maxCells;
  private final int keepMinutes;
  private final AtomicLong folded = new AtomicLong();

  public RequestMetrics(Clock clock, int maxCells, int keepMinutes) {
    this.clock = clock;
    this.maxCells = maxCells;
    this.keepMinutes = keepMinutes;
  }

  /** One finished request on a route; {@code instanceId} is null when none was chosen. */
  public void record(String route, String tokenId, String instanceId, int status, long latencyNanos, long bytesIn,
      long bytesOut) {
    long minute = clock.millis() / MINUTE * MINUTE;
    Key key = new Key(minute, route, tokenId, instanceId == null ? "" : instanceId, status / 100);
    Cell cell = cells.get(key);
    if (cell == null) {
      if (cells.size() >= maxCells) {
        key = new Key(minute, route, OTHER, key.instanceId(), key.statusClass());
        folded.incrementAndGet();
      }
      cell = cells.computeIfAbsent(key, k -> new Cell());
    }
    long micros = latencyNanos / 1000;
    cell.requests.incrementAndGet();
    if (status >= 500) {
      cell.errors.incrementAndGet();
    }
    cell.latencySumMicros.addAndGet(micros);
    cell.bytesIn.addAndGet(bytesIn);
    cell.bytesOut.addAndGet(bytesOut);
    AtomicLongArray histogram = latencies.get(new RouteMinute(minute, route));
    if (histogram == null) {
      histogram = latencies.computeIfAbsent(new RouteMinute(minute, route),
          k -> new AtomicLongArray(LatencyHistogram.COUNT));
    }
    histogram.incrementAndGet(LatencyHistogram.index(micros));
  }

  /** Writes what this node counted; blocking, run it on the JDBC dispatcher. */
  public void flush(MetricsTable table, String node) {
    long current = clock.millis() / MINUTE * MINUTE;
    Map<Long, MetricsTable.Minute> byMinute = new HashMap<>();
    cells.forEach((k, c) -> minute(byMinute, k.minute()).rows().add(new MetricsTable.Row(k.minute(), k.route(),
        k.tokenId(), k.instanceId(), k.statusClass(), c.requests.get(), c.errors.get(), c.latencySumMicros.get(),
        c.bytesIn.get(), c.bytesOut.get())));
    latencies.forEach((k, h) -> {
      long[] counts = new long[LatencyHistogram.COUNT];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = h.get(i);
      }
      minute(byMinute, k.minute()).latencies().add(new MetricsTable.Latency(k.minute(), k.route(), counts));
    });
    if (byMinute.isEmpty()) {
      return;
    }
    try {
      table.replace(node, byMinute);
      // Written: minutes before the previous one will not change any more.
      cells.keySet().removeIf(k -> k.minute() < current - MINUTE);
      latencies.keySet().removeIf(k -> k.minute() < current - MINUTE);
      long n = folded.getAndSet(0);
      if (n > 0) {
        log.warn("{} requests were counted under token {} because more than {} metric cells were open", n, OTHER,
            maxCells);
      }
    } catch (RuntimeException e) {
      long lost = 0;
      for (var it = cells.entrySet().iterator(); it.hasNext(); ) {
        var entry = it.next();
        if (entry.getKey().minute() < current - keepMinutes * MINUTE) {
          lost += entry.getValue().requests.get();
          it.remove();
        }
      }
      latencies.keySet().removeIf(k -> k.minute() < current - keepMinutes * MINUTE);
      log.warn("could not write request metrics ({}); will retry{}", e.getMessage(),
          lost > 0 ? "; dropped " + lost + " requests older than " + keepMinutes + " minutes" : "");
    }
  }

  private static MetricsTable.Minute minute(Map<Long, MetricsTable.Minute> byMinute, long minute) {
    return byMinute.computeIfAbsent(minute, m -> new MetricsTable.Minute(new ArrayList<>(), new ArrayList<>()));
  }

  /** Cells held in memory now (bounded by {@code maxCells} per minute kept). */
  public int cells() {
    return cells.size();
  }
}
