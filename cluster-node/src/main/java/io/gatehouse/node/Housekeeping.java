package io.gatehouse.node;

import io.gatehouse.node.metrics.MetricsFeature;
import io.gatehouse.node.proxy.DataPlaneFeature;
import io.gatehouse.node.token.TokenFeature;
import java.time.Duration;

/**
 * The node's periodic jobs, in one place with their intervals. Blocking ones (writes to the
 * store) run on the JDBC dispatcher, never on an actor's or an event loop's thread.
 */
final class Housekeeping {
  private Housekeeping() {}

  static void start(NodeRuntime rt, TokenFeature tokens, MetricsFeature metrics, DataPlaneFeature dataPlane) {
    var scheduler = rt.system().scheduler();
    Duration metricsFlush = rt.settings().metrics().flushInterval();
    Duration lastUsedFlush = rt.settings().tokens().lastUsedFlushInterval();
    // Request counts of this node to the shared store (the endpoints API sums all nodes).
    scheduler.scheduleWithFixedDelay(metricsFlush, metricsFlush, metrics::flush, rt.jdbc());
    // Metrics and health history past their retention.
    scheduler.scheduleWithFixedDelay(Duration.ofMinutes(1), Duration.ofHours(6), metrics::prune, rt.jdbc());
    // Tokens' lastUsedAt, one batch per interval however busy the tokens are.
    scheduler.scheduleWithFixedDelay(lastUsedFlush, lastUsedFlush, tokens.lastUsed()::flush, rt.jdbc());
    // Pins this node has not used for a while (their sessions have passivated by then).
    scheduler.scheduleWithFixedDelay(Duration.ofMinutes(1), Duration.ofMinutes(1),
        () -> dataPlane.sessions().sweep(rt.clock().millis()), rt.system().executionContext());
  }
}
