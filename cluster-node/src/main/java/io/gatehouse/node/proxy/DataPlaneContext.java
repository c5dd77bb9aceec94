package io.gatehouse.node.proxy;

import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.session.SessionCache;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.persistence.route.RouteEntity;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.LoggerFactory;

/**
 * What the data plane reads per request: node-local views (tokens, routes, directory, pins) and
 * this node's counters. The only cluster calls from here are asks on a miss (an unknown token, a
 * consumer without pin) and fire-and-forget reports of failing instances.
 */
public final class DataPlaneContext {
  final TokenCache tokens;
  final RouteTable routes;
  final DirectoryView directory;
  final SessionCache sessions;
  final ClusterSharding sharding;
  final LastUsedRecorder lastUsed;
  final InstanceLoad load = new InstanceLoad();
  final AccessLog accessLog;
  final Duration askTimeout;
  final Duration sessionAskTimeout;
  /** A consumer session's pin as the journal holds it (by session entity id). */
  final Function<String, CompletionStage<Optional<String>>> persistedPin;
  final RequestObserver observer;
  final int retryAfterSeconds;
  final int maxIdleUpstreamConnections;
  /** The node's clock, for pins and their reports to the route. */
  final Clock clock;
  /** How long a client connection may wait for its next request head (opened or kept alive). */
  final long clientIdleNanos;
  final Transport transport = Transport.best();
  final AtomicInteger active = new AtomicInteger();
  private final ConcurrentHashMap<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();

  public DataPlaneContext(TokenCache tokens, RouteTable routes, DirectoryView directory, SessionCache sessions,
      ClusterSharding sharding, LastUsedRecorder lastUsed, boolean accessLog, Duration askTimeout,
      Duration sessionAskTimeout, int retryAfterSeconds, int maxIdleUpstreamConnections, Duration clientIdleTimeout,
      Function<String, CompletionStage<Optional<String>>> persistedPin, RequestObserver observer, Clock clock) {
    this.persistedPin = persistedPin;
    this.clock = clock;
    this.observer = observer;
    this.tokens = tokens;
    this.routes = routes;
    this.directory = directory;
    this.sessions = sessions;
    this.sharding = sharding;
    this.lastUsed = lastUsed;
    this.accessLog = new AccessLog(accessLog);
    this.askTimeout = askTimeout;
    this.sessionAskTimeout = sessionAskTimeout;
    this.retryAfterSeconds = retryAfterSeconds;
    this.maxIdleUpstreamConnections = maxIdleUpstreamConnections;
    this.clientIdleNanos = clientIdleTimeout.toNanos();
  }

  UpstreamPool pool(EventLoop loop) {
    UpstreamPool p = pools.get(loop);
    return p != null ? p : pools.computeIfAbsent(loop, l -> new UpstreamPool(l, transport, maxIdleUpstreamConnections));
  }

  /** {@code epoll} or {@code nio}. */
  public String transport() {
    return transport.name();
  }

  public InstanceLoad load() {
    return load;
  }

  /** Requests being proxied by this node right now. */
  public int active() {
    return active.get();
  }

  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicLong lastFallbackWarning = new AtomicLong();

  /**
   * A consumer's session did not answer in time and the request took the local rendezvous
   * choice: normal for a moment while the cluster settles, a fault if it lasts, so it is logged
   * (at most once a minute, with the count since).
   */
  void sessionFallback(Throwable cause) {
    long n = fallbacks.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastFallbackWarning.get();
    if (now - last > 60_000 && lastFallbackWarning.compareAndSet(last, now)) {
      fallbacks.set(0);
      LoggerFactory.getLogger(DataPlaneContext.class).warn(
          "{} requests took the local rendezvous choice because consumer sessions did not answer in time ({})",
          n, cause.toString());
    }
  }

  /** Tells the instance's route that it failed here, at most once per instance per few seconds. */
  void reportFailure(String route, String instanceId, String reason) {
    InstanceLoad.Counters c = load.of(instanceId);
    if (InstanceLoad.shouldReport(c, System.currentTimeMillis())) {
      RouteEntity.ref(sharding, route).tell(new RouteEntity.PassiveFailure(instanceId, reason));
    }
  }
}
