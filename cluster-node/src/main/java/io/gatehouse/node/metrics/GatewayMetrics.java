package io.gatehouse.node.metrics;

import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.token.TokenValidation;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;

/**
 * This node's Prometheus metrics, served at {@code /metrics} on the admin port. Labels are
 * route, status class, instance and validation outcome: never the token, so the number of series
 * does not grow with the number of tokens (per-token volume is in the endpoints API instead).
 */
public final class GatewayMetrics {
  private static final String[] STATUS_CLASSES = {"", "1xx", "2xx", "3xx", "4xx", "5xx"};
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram duration;
  private final Map<TokenValidation.Reason, LongAdder> refusals = new EnumMap<>(TokenValidation.Reason.class);
  private final LongAdder accepted = new LongAdder();
  private final LongAdder revocations = new LongAdder();
  private final ConcurrentHashMap<String, RouteSeries> byRoute = new ConcurrentHashMap<>();

  public GatewayMetrics(RouteTable routes, Supplier<ClusterEvent.CurrentClusterState> cluster) {
    JvmMetrics.builder().register(registry);
    requests = Counter.builder()
        .name("gatehouse_requests_total")
        .help("Requests answered on a route, by route and status class (2xx, 4xx, 5xx ...)")
        .labelNames("route", "status")
        .register(registry);
    duration = Histogram.builder()
        .name("gatehouse_request_duration_seconds")
        .help("Time from a request's head to the last byte of its answer, by route")
        .labelNames("route")
        .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
        .register(registry);
    for (TokenValidation.Reason r : TokenValidation.Reason.values()) {
      refusals.put(r, new LongAdder());
    }
    CounterWithCallback.builder()
        .name("gatehouse_token_validations_total")
        .help("Bearer tokens checked by this node, by outcome (valid, or the reason for refusal)")
        .labelNames("outcome")
        .callback(cb -> {
          cb.call(accepted.sum(), "valid");
          refusals.forEach((reason, n) -> cb.call(n.sum(), reason.label()));
        })
        .register(registry);
    registerTokenRevocations();
    registerHealth(routes);
    registerCluster(cluster);
  }

  /**
   * How often this node asked a token's entity (a token minted a moment ago elsewhere, or one
   * from before the token table held keys): a flood of made-up tokens leaves it where it was.
   */
  public void registerTokenLookups(java.util.function.LongSupplier asks) {
    CounterWithCallback.builder()
        .name("gatehouse_token_lookups_total")
        .help("Tokens this node did not hold and asked their entity about (made-up tokens are never asked about)")
        .callback(cb -> cb.call(asks.getAsLong()))
        .register(registry);
  }

  private void registerTokenRevocations() {
    CounterWithCallback.builder()
        .name("gatehouse_token_revocations_total")
        .help("Revoke calls answered by this node's admin API")
        .callback(cb -> cb.call(revocations.sum()))
        .register(registry);
  }

  private void registerHealth(RouteTable routes) {
    GaugeWithCallback.builder()
        .name("gatehouse_instance_healthy")
        .help("1 when the instance is in rotation, 0 when not, by route and instance")
        .labelNames("route", "instance")
        .callback(cb -> {
          for (LiveRoute r : routes.all()) {
            r.view().instances().forEach(i -> cb.call(i.healthy() ? 1 : 0, r.name(), i.id()));
          }
        })
        .register(registry);
    GaugeWithCallback.builder()
        .name("gatehouse_route_healthy_instances")
        .help("Instances in rotation, by route")
        .labelNames("route")
        .callback(cb -> {
          for (LiveRoute r : routes.all()) {
            cb.call(r.healthyTargets().length, r.name());
          }
        })
        .register(registry);
  }

  private void registerCluster(Supplier<ClusterEvent.CurrentClusterState> cluster) {
    GaugeWithCallback.builder()
        .name("gatehouse_cluster_members")
        .help("Members of the cluster as this node sees them, by status")
        .labelNames("status")
        .callback(cb -> {
          Map<String, Integer> byStatus = new java.util.TreeMap<>();
          for (Member m : cluster.get().getMembers()) {
            byStatus.merge(m.status().toString(), 1, Integer::sum);
          }
          byStatus.put("Unreachable", cluster.get().getUnreachable().size());
          byStatus.forEach((status, n) -> cb.call(n, status));
        })
        .register(registry);
  }

  /** One route's series, looked up once: the request path then costs one map read. */
  private record RouteSeries(CounterDataPoint[] byClass, DistributionDataPoint duration) {}

  public void request(String route, int status, long nanos) {
    RouteSeries series = byRoute.get(route);
    if (series == null) {
      series = byRoute.computeIfAbsent(route,
          r -> new RouteSeries(new CounterDataPoint[STATUS_CLASSES.length], duration.labelValues(r)));
    }
    int c = status >= 100 && status < 600 ? status / 100 : 0;
    CounterDataPoint counter = series.byClass()[c];
    if (counter == null) {
      // A series appears with its first request; labelValues answers the same point to racing threads.
      counter = requests.labelValues(route, c == 0 ? "other" : STATUS_CLASSES[c]);
      series.byClass()[c] = counter;
    }
    counter.inc();
    series.duration().observe(nanos / 1e9);
  }

  public void validation(TokenValidation v) {
    if (v instanceof TokenValidation.Invalid invalid) {
      refusals.get(invalid.reason()).increment();
    } else {
      accepted.increment();
    }
  }

  public void revoked() {
    revocations.increment();
  }

  /** The text exposition format, as Prometheus scrapes it. */
  public byte[] scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
