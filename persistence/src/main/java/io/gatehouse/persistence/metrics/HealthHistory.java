package io.gatehouse.persistence.metrics;

import io.gatehouse.persistence.store.Sql;
import java.time.Instant;
import java.util.Optional;

/** Changes of each route's healthy instances over time, and the uptime they add up to. */
public final class HealthHistory {
  private final Sql sql;

  public HealthHistory(Sql sql) {
    this.sql = sql;
  }

  public void record(String route, Instant at, int healthy, int instances) {
    sql.update("insert into route_health (route, at, healthy_instances, instances) values (?, ?, ?, ?)",
        route, at.toEpochMilli(), healthy, instances);
  }

  /**
   * Deletes history older than {@code before} that no uptime depends on: of the older rows, only
   * each route's first "up" row after its last "down" row stays.
   */
  public int prune(Instant before) {
    return sql.update("delete from route_health r where r.at < ? and r.id <> coalesce((select min(u.id) "
        + "from route_health u where u.route = r.route and u.healthy_instances > 0 and u.at > coalesce("
        + "(select max(d.at) from route_health d where d.route = r.route and d.healthy_instances = 0), -1)), -1)",
        before.toEpochMilli());
  }

  /**
   * Since when the route has had at least one healthy instance without a break, or empty when it
   * has none now (or no history).
   */
  public Optional<Instant> upSince(String route) {
    Optional<Long> lastDown = sql.queryOne(
        "select max(at) from route_health where route = ? and healthy_instances = 0", rs -> {
          long v = rs.getLong(1);
          return rs.wasNull() ? null : v;
        }, route);
    Optional<Long> firstUp = sql.queryOne(
        "select min(at) from route_health where route = ? and healthy_instances > 0 and at > ?", rs -> {
          long v = rs.getLong(1);
          return rs.wasNull() ? null : v;
        }, route, lastDown.orElse(-1L));
    Optional<Long> latest = sql.queryOne(
        "select healthy_instances from route_health where route = ? order by at desc, id desc limit 1",
        rs -> rs.getLong(1), route);
    if (latest.isEmpty() || latest.get() == 0 || firstUp.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Instant.ofEpochMilli(firstUp.get()));
  }
}
