package io.gatehouse.node.metrics;

import io.gatehouse.node.NodeRuntime;
import io.gatehouse.node.route.RouteFeature;
import io.gatehouse.node.token.TokenFeature;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.metrics.MetricsTable;
import java.time.Instant;
import org.slf4j.LoggerFactory;

/**
 * Observability on one node: per-minute request metrics (recorded on the event loops, written to
 * the shared store by {@link #flush()}), the Prometheus metrics, and the endpoints API over the
 * store. {@link #observer()} is what the data plane reports each request and token check to.
 */
public record MetricsFeature(RequestMetrics requests, MetricsTable table, GatewayMetrics gateway,
    EndpointsService endpoints, RequestObserver observer, NodeRuntime rt, RouteFeature routes) {

  public static MetricsFeature start(NodeRuntime rt, RouteFeature routes, TokenFeature tokens) {
    var settings = rt.settings().metrics();
    RequestMetrics requests = new RequestMetrics(rt.clock(), settings.maxCells(), 10);
    MetricsTable table = new MetricsTable(rt.store().sql());
    GatewayMetrics gateway = new GatewayMetrics(routes.table(), rt.cluster()::state);
    gateway.registerTokenLookups(tokens.cache()::entityAsks);
    RequestObserver observer = new RequestObserver() {
      @Override
      public void finished(String route, String tokenId, String instanceId, int status, long nanos, long bytesIn,
          long bytesOut) {
        requests.record(route, tokenId, instanceId, status, nanos, bytesIn, bytesOut);
        gateway.request(route, status, nanos);
      }

      @Override
      public void validated(TokenValidation validation) {
        gateway.validation(validation);
      }
    };
    EndpointsService endpoints = new EndpointsService(routes.table(), table, routes.healthHistory(), tokens.table(),
        rt.jdbc(), rt.clock(), routes.service());
    return new MetricsFeature(requests, table, gateway, endpoints, observer, rt, routes);
  }

  /** Writes this node's counts of the current and previous minute to the store (blocking). */
  public void flush() {
    requests.flush(table, rt.node());
  }

  /** Deletes metrics and health history older than the retention (blocking). */
  public void prune() {
    Instant before = rt.clock().instant().minus(rt.settings().metrics().retention());
    try {
      table.prune(before.toEpochMilli());
      routes.healthHistory().prune(before);
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(MetricsFeature.class).warn("could not delete metrics older than {}: {}", before,
          e.getMessage());
    }
  }
}
