package io.gatehouse.persistence.metrics;

import io.gatehouse.persistence.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-minute request metrics of all nodes: each node writes its own rows (counts per route,
 * token, instance and status class; one latency histogram per route), readers sum over nodes.
 */
public final class MetricsTable {
  private final Sql sql;

  public MetricsTable(Sql sql) {
    this.sql = sql;
  }

  /** One cell of one minute as a node counted it. */
  public record Row(long minuteStart, String route, String tokenId, String instanceId, int statusClass, long requests,
      long errors, long latencySumMicros, long bytesIn, long bytesOut) {}

  /** One route's latency histogram of one minute ({@link LatencyHistogram} counts). */
  public record Latency(long minuteStart, String route, long[] counts) {}

  /** Everything a node counted in one minute. */
  public record Minute(List<Row> rows, List<Latency> latencies) {}

  /**
   * Request totals of a set of rows; {@code latency} holds {@link LatencyHistogram} counts; bytes
   * in are the consumers' (request bodies, a tcp connection's bytes to the instance), bytes out
   * the answers'.
   */
  public record Totals(long requests, long errors, long latencySumMicros, long[] latency, long bytesIn,
      long bytesOut) {
    public Double averageMillis() {
      return requests == 0 ? null : latencySumMicros / 1000.0 / requests;
    }

    public Double p95Millis() {
      return LatencyHistogram.quantileMillis(latency, 0.95);
    }
  }

  /** Replaces this node's rows of the given minutes, in one transaction. */
  public void replace(String node, Map<Long, Minute> byMinute) {
    sql.inTransaction(c -> {
      for (Map.Entry<Long, Minute> minute : byMinute.entrySet()) {
        Sql.update(c, "delete from request_metrics where node = ? and minute_start = ?", node, minute.getKey());
        Sql.update(c, "delete from request_latency where node = ? and minute_start = ?", node, minute.getKey());
        insert(c, node, minute.getValue());
      }
      return null;
    });
  }

  private static void insert(Connection c, String node, Minute minute) throws SQLException {
    try (var ps = c.prepareStatement("insert into request_metrics (minute_start, node, route, token_id, instance_id, "
        + "status_class, requests, errors, latency_sum_us, bytes_in, bytes_out) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Row r : minute.rows()) {
        ps.setLong(1, r.minuteStart());
        ps.setString(2, node);
        ps.setString(3, r.route());
        ps.setString(4, r.tokenId());
        ps.setString(5, r.instanceId());
        ps.setInt(6, r.statusClass());
        ps.setLong(7, r.requests());
        ps.setLong(8, r.errors());
        ps.setLong(9, r.latencySumMicros());
        ps.setLong(10, r.bytesIn());
        ps.setLong(11, r.bytesOut());
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (var ps = c.prepareStatement(
        "insert into request_latency (minute_start, node, route, histogram) values (?, ?, ?, ?)")) {
      for (Latency l : minute.latencies()) {
        ps.setLong(1, l.minuteStart());
        ps.setString(2, node);
        ps.setString(3, l.route());
        ps.setBytes(4, LatencyHistogram.encode(l.counts()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Totals per route over [from, to) (epoch millis), summed over every node. */
  public Map<String, Totals> totalsByRoute(long from, long to) {
    Map<String, long[]> counts = new HashMap<>();
    sql.query("select route, sum(requests), sum(errors), sum(latency_sum_us), sum(bytes_in), sum(bytes_out) "
        + "from request_metrics where minute_start >= ? and minute_start < ? group by route", rs -> {
          counts.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
              rs.getLong(6)});
          return null;
        }, from, to);
    Map<String, long[]> latency = new HashMap<>();
    sql.query("select route, histogram from request_latency where minute_start >= ? and minute_start < ?", rs -> {
      LatencyHistogram.addEncoded(rs.getBytes(2),
          latency.computeIfAbsent(rs.getString(1), r -> new long[LatencyHistogram.COUNT]));
      return null;
    }, from, to);
    Map<String, Totals> out = new HashMap<>();
    counts.forEach((route, c) -> out.put(route,
        new Totals(c[0], c[1], c[2], latency.getOrDefault(route, new long[LatencyHistogram.COUNT]), c[3], c[4])));
    return out;
  }

  /** Requests and bytes per minute and token of one route over [from, to). */
  public record TokenMinute(long minuteStart, String tokenId, long requests, long bytesIn, long bytesOut) {}

  public List<TokenMinute> requestsByToken(String route, long from, long to) {
    return sql.query("select minute_start, token_id, sum(requests), sum(bytes_in), sum(bytes_out) from request_metrics "
            + "where route = ? and minute_start >= ? and minute_start < ? group by minute_start, token_id "
            + "order by minute_start",
        rs -> new TokenMinute(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)), route,
        from, to);
  }

  /** Whether any node counted a request of {@code route} in [from, to). */
  public boolean hasRequests(String route, long from, long to) {
    return sql.queryOne("select 1 from request_metrics where route = ? and minute_start >= ? and minute_start < ? "
        + "fetch first 1 rows only", rs -> 1, route, from, to).isPresent();
  }

  /** Totals per minute of one route over [from, to), in time order. */
  public TreeMap<Long, Totals> totalsByMinute(String route, long from, long to) {
    Map<Long, long[]> counts = new HashMap<>();
    sql.query("select minute_start, sum(requests), sum(errors), sum(latency_sum_us), sum(bytes_in), sum(bytes_out) "
            + "from request_metrics where route = ? and minute_start >= ? and minute_start < ? group by minute_start",
        rs -> {
          counts.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
              rs.getLong(6)});
          return null;
        }, route, from, to);
    Map<Long, long[]> latency = new HashMap<>();
    sql.query("select minute_start, histogram from request_latency where route = ? and minute_start >= ? "
        + "and minute_start < ?", rs -> {
          LatencyHistogram.addEncoded(rs.getBytes(2),
              latency.computeIfAbsent(rs.getLong(1), m -> new long[LatencyHistogram.COUNT]));
          return null;
        }, route, from, to);
    TreeMap<Long, Totals> out = new TreeMap<>();
    counts.forEach((minute, c) -> out.put(minute,
        new Totals(c[0], c[1], c[2], latency.getOrDefault(minute, new long[LatencyHistogram.COUNT]), c[3], c[4])));
    return out;
  }

  /** Deletes the rows of every node (gone ones too) older than {@code before}; any node may run it. */
  public int prune(long before) {
    return sql.update("delete from request_metrics where minute_start < ?", before)
        + sql.update("delete from request_latency where minute_start < ?", before);
  }
}
