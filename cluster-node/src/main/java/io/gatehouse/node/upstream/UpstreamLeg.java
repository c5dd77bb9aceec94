package io.gatehouse.node.upstream;

import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.affinity.InstancePicker;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.protocol.api.RouteRequests.UpstreamProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;

/**
 * The instance side of one exchange, up to a connection it can write to: the instance is picked
 * (affinity), a connection taken from this loop's pool or made, and the failures handled by one
 * rule each. A connect failure is reported to the route and retried once on another instance in
 * rotation, if there is one. A pooled connection that the instance had closed meanwhile (found
 * out before any byte of the answer, with nothing of a body sent) is retried once on a fresh one.
 * Otherwise the owner gets a refusal: 503 without an instance, 504 for a connect timeout, 502.
 */
public final class UpstreamLeg {
  /** The exchange the leg works for. */
  public interface Owner {
    /** A connection to {@link #target()}: the owner writes its request to it now. */
    void connected(Channel upstream, BackendHandler backend);

    /** No instance could be reached. */
    void unreachable(Refusal why);

    /** Whether the owner has ended meanwhile (a connection that arrives late is then closed). */
    boolean ended();
  }

  private final Upstreams upstreams;
  private final InstancePicker picker;
  private final UpstreamPool pool;
  private final EventLoop loop;
  private final LiveRoute route;
  private final String consumer;
  private final boolean exclusive;
  private final int retryAfterSeconds;
  private final Owner owner;
  private LiveRoute.Target target;
  private InstanceLoad.Counters counters;
  private boolean reused;
  private boolean retried;
  private boolean raw;

  /**
   * @param consumer the consumer key for affinity, or null
   * @param exclusive a fresh connection that will not go back to the pool (an upgrade)
   */
  public UpstreamLeg(Upstreams upstreams, InstancePicker picker, EventLoop loop, LiveRoute route, String consumer,
      boolean exclusive, int retryAfterSeconds, Owner owner) {
    this.upstreams = upstreams;
    this.picker = picker;
    this.pool = upstreams.pool(loop);
    this.loop = loop;
    this.route = route;
    this.consumer = consumer;
    this.exclusive = exclusive;
    this.retryAfterSeconds = retryAfterSeconds;
    this.owner = owner;
  }

  /** A plain TCP connection instead of a pooled HTTP one (a tcp route); the owner gets no backend handler. */
  public UpstreamLeg raw() {
    this.raw = true;
    return this;
  }

  /** Picks the instance and connects to it. */
  public void start() {
    picker.pick(route, consumer, null, loop, t -> connect(t, false));
  }

  /** The instance this leg connects or connected to (null before the pick). */
  public LiveRoute.Target target() {
    return target;
  }

  public UpstreamPool pool() {
    return pool;
  }

  private void connect(LiveRoute.Target t, boolean fresh) {
    if (owner.ended()) {
      return;
    }
    if (t == null) {
      owner.unreachable(Refusal.noHealthyInstance(route.name(), retryAfterSeconds));
      return;
    }
    target = t;
    int timeout = route.definition().timeouts().connectSeconds() * 1000;
    UpstreamProtocol protocol = route.definition().upstream().protocol();
    Future<Channel> f = raw ? pool.connectRaw(t, timeout)
        : protocol == UpstreamProtocol.HTTP1 ? pool.acquire(t, timeout, fresh || exclusive)
        : pool.acquireStream(t, timeout, protocol == UpstreamProtocol.H2, fresh);
    if (f.isDone()) {
      onConnect(f);
    } else {
      f.addListener(this::onConnect);
    }
  }

  private void onConnect(Future<? super Channel> f) {
    if (owner.ended()) {
      if (f.isSuccess()) {
        ((Channel) f.getNow()).close();
      }
      return;
    }
    if (!f.isSuccess()) {
      failed(f.cause());
      return;
    }
    Channel ch = (Channel) f.getNow();
    BackendHandler backend = raw ? null : BackendHandler.of(ch);
    reused = backend != null && backend.takeReused();
    counters = upstreams.load().of(target.id());
    counters.inFlight.incrementAndGet();
    owner.connected(ch, backend);
  }

  private void failed(Throwable cause) {
    upstreams.connectFailed(route.name(), target.id(), describe(cause));
    if (!retried && picker.hasOther(route.name(), target.id())) {
      retried = true;
      picker.pick(route, consumer, target.id(), loop, t -> connect(t, false));
      return;
    }
    String where = " (route '" + route.name() + "')";
    if (cause instanceof AddressPolicy.Refused refused) {
      owner.unreachable(Refusal.upstreamUnavailable("the instance's address is refused: " + refused.getMessage()
          + where));
      return;
    }
    owner.unreachable(cause instanceof ConnectTimeoutException
        ? Refusal.upstreamTimeout("connecting to the instance timed out" + where)
        : Refusal.upstreamUnavailable("the instance refused the connection" + where));
  }

  /**
   * The connection closed before any byte of the answer: when it came from the pool and this is
   * the first retry, connect again on a fresh one (the owner has sent nothing it cannot send
   * again) and answer true; else false.
   */
  public boolean retryOnFreshConnection() {
    if (!reused || retried) {
      return false;
    }
    retried = true;
    done();
    connect(target, true);
    return true;
  }

  /** The instance answered with {@code status} (passive health counts the 5xx). */
  public void answered(int status) {
    upstreams.answered(route.name(), target.id(), status);
  }

  /** The exchange is over with this instance: it no longer counts as in flight. */
  public void done() {
    if (counters != null) {
      counters.inFlight.decrementAndGet();
      counters = null;
    }
  }

  public static String describe(Throwable t) {
    if (t == null) {
      return "unknown";
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
