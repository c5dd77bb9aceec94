package io.gatehouse.node.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's side of every instance: the keep-alive pools (one per event loop), the load
 * counters, and passive health: a connect failure, or a burst of 5xx answers, is reported to the
 * instance's route, which takes the instance out of rotation for a while. Reports are rate-limited
 * per instance, so a failing instance costs its route one message every few seconds per node.
 */
public final class Upstreams {
  /** This many 5xx in a row from one instance report it to its route as failing. */
  public static final int FIVE_XX_BURST = 5;
  /** A node reports one instance's passive failure at most this often. */
  static final long REPORT_EVERY_MILLIS = 5_000;

  /** Where passive failures go: the instance's route (its entity). */
  @FunctionalInterface
  public interface FailureReporter {
    void failed(String route, String instanceId, String reason);
  }

  private final Transport transport = Transport.best();
  private final int maxIdlePerInstance;
  private final FailureReporter reporter;
  private final InstanceLoad load = new InstanceLoad();
  private final ConcurrentHashMap<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();

  public Upstreams(int maxIdlePerInstance, FailureReporter reporter) {
    this.maxIdlePerInstance = maxIdlePerInstance;
    this.reporter = reporter;
  }

  /** The pool of connections made on {@code loop} (a connection serves clients of its loop only). */
  public UpstreamPool pool(EventLoop loop) {
    UpstreamPool p = pools.get(loop);
    return p != null ? p : pools.computeIfAbsent(loop, l -> new UpstreamPool(l, transport, maxIdlePerInstance));
  }

  public InstanceLoad load() {
    return load;
  }

  /** {@code epoll} or {@code nio}. */
  public String transport() {
    return transport.name();
  }

  public EventLoopGroup eventLoops(int threads, String name) {
    return transport.group(threads, name);
  }

  public Class<? extends io.netty.channel.ServerChannel> serverChannel() {
    return transport.serverChannel();
  }

  /** An exchange could not connect to the instance. */
  public void connectFailed(String route, String instanceId, String reason) {
    report(route, instanceId, load.of(instanceId), "connect failed: " + reason);
  }

  /** The instance answered with {@code status}: counts toward, or ends, a streak of 5xx. */
  public void answered(String route, String instanceId, int status) {
    InstanceLoad.Counters c = load.of(instanceId);
    if (status < 500) {
      if (c.fiveXxStreak.get() != 0) {
        c.fiveXxStreak.set(0);
      }
    } else if (c.fiveXxStreak.incrementAndGet() >= FIVE_XX_BURST) {
      c.fiveXxStreak.set(0);
      report(route, instanceId, c, FIVE_XX_BURST + " answers 5xx in a row");
    }
  }

  private void report(String route, String instanceId, InstanceLoad.Counters c, String reason) {
    long now = System.currentTimeMillis();
    long last = c.lastReportMillis.get();
    if (now - last >= REPORT_EVERY_MILLIS && c.lastReportMillis.compareAndSet(last, now)) {
      reporter.failed(route, instanceId, reason);
    }
  }
}
