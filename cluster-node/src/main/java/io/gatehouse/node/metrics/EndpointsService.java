package io.gatehouse.node.metrics;

import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteService;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.persistence.metrics.HealthHistory;
import io.gatehouse.persistence.metrics.LatencyHistogram;
import io.gatehouse.persistence.metrics.MetricsTable;
import io.gatehouse.persistence.token.TokenTable;
import io.gatehouse.protocol.api.EndpointJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.LongStream;

/**
 * The Model Endpoints view: every route with its health (this node's route table), its uptime
 * (the health history) and its traffic (the metrics of all nodes, summed).
 */
public final class EndpointsService {
  private static final long MINUTE = 60_000;

  private final RouteTable routes;
  private final MetricsTable metrics;
  private final HealthHistory health;
  private final TokenTable tokens;
  private final Executor jdbc;
  private final Clock clock;
  private final RouteService routeService;

  public EndpointsService(RouteTable routes, MetricsTable metrics, HealthHistory health, TokenTable tokens,
      Executor jdbc, Clock clock, RouteService routeService) {
    this.routes = routes;
    this.metrics = metrics;
    this.health = health;
    this.tokens = tokens;
    this.jdbc = jdbc;
    this.clock = clock;
    this.routeService = routeService;
  }

  public Clock clock() {
    return clock;
  }

  public CompletionStage<List<EndpointJson.Endpoint>> list(Instant from, Instant to) {
    return CompletableFuture.supplyAsync(() -> {
      Map<String, MetricsTable.Totals> totals = metrics.totalsByRoute(floor(from), to.toEpochMilli());
      Instant now = clock.instant();
      List<EndpointJson.Endpoint> out = new ArrayList<>();
      for (LiveRoute r : routes.all().stream().sorted(Comparator.comparing(LiveRoute::name)).toList()) {
        int total = r.view().instances().size();
        int healthy = r.healthyTargets().length;
        String status = healthy == 0 ? "down" : healthy < total ? "degraded" : "up";
        long uptime = health.upSince(r.name()).map(since -> Math.max(0, Duration.between(since, now).toSeconds()))
            .orElse(0L);
        MetricsTable.Totals t = totals.get(r.name());
        long requests = t == null ? 0 : t.requests();
        Instant start = r.definition().createdAt() != null && r.definition().createdAt().isAfter(from)
            ? r.definition().createdAt() : from;
        double minutes = Math.max(1.0, Duration.between(start, to).toMillis() / 60_000.0);
        out.add(new EndpointJson.Endpoint(r.name(), r.definition().isStatic() ? "static" : "ephemeral",
            routeService.url(r.definition()), status, healthy, total, uptime, requests,
            round(requests / minutes), t == null ? null : round(t.averageMillis()), t == null ? null : round(t.p95Millis()),
            requests == 0 ? 0.0 : round((double) t.errors() / requests), r.definition().protocol().wire(),
            t == null ? 0 : t.bytesIn(), t == null ? 0 : t.bytesOut()));
      }
      return out;
    }, jdbc);
  }

  /**
   * Request volume by token; empty when {@code route} is neither a route now nor had requests in
   * the window (a deleted route's history stays readable).
   */
  public CompletionStage<Optional<EndpointJson.Requests>> requestsByToken(String route, Instant from, Instant to,
      int step) {
    return series(route, from, to, step, w -> {
      Map<String, TreeMap<Long, Long>> byToken = new LinkedHashMap<>();
      Map<String, long[]> sums = new LinkedHashMap<>();
      for (MetricsTable.TokenMinute m : metrics.requestsByToken(route, w.start(), w.end())) {
        byToken.computeIfAbsent(m.tokenId(), t -> new TreeMap<>()).merge(w.step(m.minuteStart()), m.requests(), Long::sum);
        long[] sum = sums.computeIfAbsent(m.tokenId(), t -> new long[3]);
        sum[0] += m.requests();
        sum[1] += m.bytesIn();
        sum[2] += m.bytesOut();
      }
      Map<String, String> labels = tokens.labels(byToken.keySet());
      List<EndpointJson.Series> series = new ArrayList<>();
      byToken.forEach((token, counts) -> {
        List<List<Object>> points = new ArrayList<>();
        for (long t : w.steps()) {
          points.add(List.of(Instant.ofEpochMilli(t).toString(), counts.getOrDefault(t, 0L)));
        }
        long[] sum = sums.get(token);
        series.add(new EndpointJson.Series(token, labels.getOrDefault(token, token), points, sum[0], sum[1], sum[2]));
      });
      series.sort(Comparator.comparing(EndpointJson.Series::label));
      return new EndpointJson.Requests(route, w.from(), to.toString(), step, series);
    });
  }

  /** Latency over time; empty as for {@link #requestsByToken}. */
  public CompletionStage<Optional<EndpointJson.Latency>> latency(String route, Instant from, Instant to, int step) {
    return series(route, from, to, step, w -> {
      TreeMap<Long, long[]> merged = new TreeMap<>();
      metrics.totalsByMinute(route, w.start(), w.end()).forEach((minute, totals) -> {
        long[] acc = merged.computeIfAbsent(w.step(minute), b -> new long[2 + LatencyHistogram.COUNT]);
        acc[0] += totals.requests();
        acc[1] += totals.latencySumMicros();
        for (int i = 0; i < LatencyHistogram.COUNT; i++) {
          acc[2 + i] += totals.latency()[i];
        }
      });
      List<List<Object>> points = new ArrayList<>();
      for (long t : w.steps()) {
        long[] acc = merged.get(t);
        List<Object> point = new ArrayList<>();
        point.add(Instant.ofEpochMilli(t).toString());
        if (acc == null || acc[0] == 0) {
          point.add(0L);
          point.add(null);
          point.add(null);
        } else {
          point.add(acc[0]);
          point.add(round(acc[1] / 1000.0 / acc[0]));
          point.add(round(LatencyHistogram.quantileMillis(Arrays.copyOfRange(acc, 2, acc.length), 0.95)));
        }
        points.add(point);
      }
      return new EndpointJson.Latency(route, w.from(), to.toString(), step, points);
    });
  }

  /** A series' window: minutes from {@code start} (floored to a minute) to {@code end}, in steps. */
  private record Window(long start, long end, long stepMillis) {
    /** The step a minute falls in. */
    long step(long minute) {
      return start + (minute - start) / stepMillis * stepMillis;
    }

    long[] steps() {
      return LongStream.iterate(start, t -> t < end, t -> t + stepMillis).toArray();
    }

    String from() {
      return Instant.ofEpochMilli(start).toString();
    }
  }

  /** Runs {@code body} on the JDBC executor; empty when the route is unknown in the window. */
  private <T> CompletionStage<Optional<T>> series(String route, Instant from, Instant to, int step,
      Function<Window, T> body) {
    return CompletableFuture.supplyAsync(() -> {
      Window w = new Window(floor(from), to.toEpochMilli(), step * 1000L);
      return known(route, w.start(), w.end()) ? Optional.of(body.apply(w)) : Optional.empty();
    }, jdbc);
  }

  private boolean known(String route, long start, long end) {
    return routes.get(route) != null || metrics.hasRequests(route, start, end);
  }

  private static long floor(Instant t) {
    return t.toEpochMilli() / MINUTE * MINUTE;
  }

  private static Double round(Double v) {
    return v == null ? null : Math.round(v * 1000.0) / 1000.0;
  }
}
