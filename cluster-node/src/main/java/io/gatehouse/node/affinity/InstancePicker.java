package io.gatehouse.node.affinity;

import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.upstream.InstanceLoad;
import io.gatehouse.persistence.route.Rendezvous;
import io.gatehouse.persistence.session.ConsumerSessionEntity;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the instance for a request is chosen, for every door: one call, {@link #pick}, for "an
 * instance of this route for this consumer, avoiding that one".
 *
 * <p>With affinity, the consumer's pin decides. This node remembers the pins it has seen
 * ({@link SessionCache}), so in steady state a pick is a map read; on a miss, or when the pinned
 * instance has left rotation here, the consumer's sharded session is asked (it asks the route,
 * which pins by bounded-load rendezvous). When the session cannot answer in time (its node was
 * just lost, say) the request does not wait for the cluster to settle: it takes the pin the
 * journal holds, and without one the consumer's unbounded rendezvous choice among the instances
 * this node sees, which is where the route would most likely have pinned it.
 *
 * <p>Without affinity: the less loaded of two instances drawn at random (by this node's requests
 * in flight). Avoiding an instance (the one retry after a failed connect): the best other by
 * rendezvous for a consumer, else the least loaded other.
 */
public final class InstancePicker {
  private static final Logger log = LoggerFactory.getLogger(InstancePicker.class);

  /** The cluster side of affinity: the consumers' sharded sessions. */
  public interface Sessions {
    /** The consumer's pin, asking its session; completes with null when no instance is in rotation. */
    CompletionStage<String> resolve(String route, String consumer, String avoid);

    /** The consumer's pin as the journal holds it, read without its session. */
    CompletionStage<Optional<String>> persisted(String route, String consumer);

    /** Tells the route the consumer is still active on its instance (it counts for the load bound). */
    void stillActive(String route, String consumer, String instanceId);
  }

  private final RouteTable routes;
  private final SessionCache cache;
  private final Sessions sessions;
  private final InstanceLoad load;
  private final Clock clock;
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicLong lastFallbackWarning = new AtomicLong();

  public InstancePicker(RouteTable routes, SessionCache cache, Sessions sessions, InstanceLoad load, Clock clock) {
    this.routes = routes;
    this.cache = cache;
    this.sessions = sessions;
    this.load = load;
    this.clock = clock;
  }

  /**
   * Picks an instance of {@code route} in rotation and gives it to {@code then} (null when there
   * is none): at once when this node's memory decides, else on {@code loop} when the cluster has
   * answered.
   *
   * @param consumer the consumer key ({@link Affinity#consumer}), or null for no affinity
   * @param avoid an instance this request could not connect to, or null
   */
  public void pick(LiveRoute route, String consumer, String avoid, Executor loop, Consumer<LiveRoute.Target> then) {
    if (avoid != null) {
      then.accept(other(route, consumer, avoid));
      return;
    }
    if (consumer == null) {
      then.accept(leastLoaded(route.healthyTargets()));
      return;
    }
    SessionCache.Entry pin = cache.get(key(route.name(), consumer));
    if (pin != null) {
      LiveRoute.Target t = route.healthyTarget(pin.instanceId());
      if (t != null) {
        if (cache.used(pin, clock.millis())) {
          sessions.stillActive(route.name(), consumer, t.id());
        }
        then.accept(t);
        return;
      }
    }
    ask(route.name(), consumer, pin == null ? null : pin.instanceId(), true, loop, then);
  }

  /**
   * Asks the consumer's session. A pin this node does not see in rotation is asked once more,
   * avoiding it (this node may know of a failure the route has not heard of yet).
   */
  private void ask(String route, String consumer, String avoid, boolean mayAskAgain, Executor loop,
      Consumer<LiveRoute.Target> then) {
    sessions.resolve(route, consumer, avoid).whenComplete((pinned, failure) -> loop.execute(() -> {
      if (failure != null) {
        fellBack(failure);
        fromJournal(route, consumer, loop, then);
        return;
      }
      LiveRoute live = routes.get(route);
      LiveRoute.Target t = live == null || pinned == null ? null : live.healthyTarget(pinned);
      if (pinned != null && t == null && mayAskAgain) {
        ask(route, consumer, pinned, false, loop, then);
        return;
      }
      then.accept(t != null ? remember(route, consumer, t) : unpinned(live, consumer));
    }));
  }

  /**
   * The session did not answer in time: the pin the journal holds, remembered as any pin is; else
   * this request alone goes to the consumer's unbounded rendezvous choice, and it is not
   * remembered, so that the consumer's next request asks its session again and follows the pin
   * the route chose by bounded load (the route counts it from that pin on).
   */
  private void fromJournal(String route, String consumer, Executor loop, Consumer<LiveRoute.Target> then) {
    sessions.persisted(route, consumer).whenComplete((pin, failure) -> loop.execute(() -> {
      LiveRoute live = routes.get(route);
      LiveRoute.Target t = live == null || failure != null || pin.isEmpty() ? null : live.healthyTarget(pin.get());
      then.accept(t != null ? remember(route, consumer, t) : unpinned(live, consumer));
    }));
  }

  private LiveRoute.Target remember(String route, String consumer, LiveRoute.Target t) {
    cache.put(key(route, consumer), t.id(), clock.millis());
    return t;
  }

  /** No pin could be had: the consumer's own rendezvous choice among what this node sees in rotation. */
  private static LiveRoute.Target unpinned(LiveRoute live, String consumer) {
    if (live == null) {
      return null;
    }
    List<String> ids = new ArrayList<>();
    for (LiveRoute.Target t : live.healthyTargets()) {
      ids.add(t.id());
    }
    String id = Rendezvous.unbounded(consumer, ids);
    return id == null ? null : live.target(id);
  }

  private LiveRoute.Target other(LiveRoute route, String consumer, String avoid) {
    LiveRoute live = routes.get(route.name());
    if (live == null) {
      return null;
    }
    List<LiveRoute.Target> others = new ArrayList<>();
    for (LiveRoute.Target t : live.healthyTargets()) {
      if (!t.id().equals(avoid)) {
        others.add(t);
      }
    }
    if (consumer == null) {
      return leastLoaded(others.toArray(new LiveRoute.Target[0]));
    }
    String id = Rendezvous.unbounded(consumer, others.stream().map(LiveRoute.Target::id).toList());
    return id == null ? null : live.target(id);
  }

  /** Whether the route has an instance in rotation other than {@code instanceId}. */
  public boolean hasOther(String route, String instanceId) {
    LiveRoute live = routes.get(route);
    if (live != null) {
      for (LiveRoute.Target t : live.healthyTargets()) {
        if (!t.id().equals(instanceId)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Power of two choices by this node's requests in flight. */
  private LiveRoute.Target leastLoaded(LiveRoute.Target[] up) {
    if (up.length <= 1) {
      return up.length == 0 ? null : up[0];
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    LiveRoute.Target a = up[r.nextInt(up.length)];
    LiveRoute.Target b = up[r.nextInt(up.length - 1)];
    if (b == a) {
      b = up[up.length - 1];
    }
    return load.inFlight(a.id()) <= load.inFlight(b.id()) ? a : b;
  }

  private static String key(String route, String consumer) {
    return ConsumerSessionEntity.entityId(route, consumer);
  }

  /**
   * A session did not answer in time and the request went on without it: normal for a moment
   * while the cluster settles, a fault if it lasts, so it is logged at most once a minute with
   * the count since.
   */
  private void fellBack(Throwable cause) {
    long n = fallbacks.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastFallbackWarning.get();
    if (now - last > 60_000 && lastFallbackWarning.compareAndSet(last, now)) {
      fallbacks.set(0);
      log.warn("{} requests went on without their consumer session's answer ({}): pin from the journal, "
          + "else the local rendezvous choice", n, cause.toString());
    }
  }
}
