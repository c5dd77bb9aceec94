package io.gatehouse.node.admission;

import io.gatehouse.protocol.token.TokenId;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The one owner of every exchange's lifecycle, whatever its door (a request, an HTTP/2 stream, a
 * WebSocket, a tunnel, a session port's connection): {@link Loop#begin} opens it and counts it as
 * in flight; {@link Open#admitted} registers it under its token, route and browser session;
 * {@link Open#finish} ends it exactly once, unregisters it, and hands it to the {@link Recorder}
 * (the request metrics and the access log). Doors never count, log or measure themselves.
 *
 * <p>Whoever ends access ends the exchanges that depended on it: a revoked token, a deleted
 * principal, a principal taken out of the route's groups, a route deleted or disabled, a browser
 * session signed out. The node's views call in when they take such a change; each open exchange
 * affected is reconsidered by {@link Admission#reconsider} and cut when refused. A sweep every
 * second catches what no change announces (a token expiring mid-stream).
 *
 * <p>Exchanges are kept per event loop in an intrusive list, touched only on that loop: opening
 * and closing one costs two pointer writes, no lock and no allocation. A recheck runs on each
 * loop as a task of its own.
 */
public final class OpenExchanges {
  /** Where a finished exchange is recorded (request metrics, the access log); on its loop, must not block. */
  @FunctionalInterface
  public interface Recorder {
    void finished(Open exchange);
  }

  /** How an exchange is ended when its access ends; called on its own loop. */
  @FunctionalInterface
  public interface Cut {
    void cut(Refusal why);
  }

  /** One exchange, from its beginning to its one end. Touched only on its loop. */
  public static final class Open {
    private final Loop loop;
    private final Arrival.Door door;
    private final String requestId;
    private final String method;
    private final String target;
    private final boolean recorded;
    private final long startNanos = System.nanoTime();
    private Cut cut;
    private Admission.Admitted admitted;
    private String instance;
    private long bytesIn;
    private long bytesOut;
    private int status;
    private boolean finished;
    private boolean registered;
    private Open prev;
    private Open next;

    private Open(Loop loop, Arrival.Door door, String requestId, String method, String target, boolean recorded,
        Cut cut) {
      this.loop = loop;
      this.door = door;
      this.requestId = requestId;
      this.method = method;
      this.target = target;
      this.recorded = recorded;
      this.cut = cut;
    }

    /** Admitted: from now on it is open under the token, route and session, and ends when their access does. */
    public void admitted(Admission.Admitted a) {
      this.admitted = a;
      if (!finished && a.route() != null) {
        loop.register(this);
      }
    }

    /** Who ends it from now on (an HTTP exchange that became a WebSocket hands over to its tunnel). */
    public void onCut(Cut c) {
      this.cut = c;
    }

    public void instance(String instanceId) {
      this.instance = instanceId;
    }

    public void bytesIn(long n) {
      bytesIn += n;
    }

    public void bytesOut(long n) {
      bytesOut += n;
    }

    public boolean finished() {
      return finished;
    }

    /** Ends the exchange with {@code finalStatus}; answers false (and does nothing) if it had ended. */
    public boolean finish(int finalStatus) {
      if (finished) {
        return false;
      }
      finished = true;
      status = finalStatus;
      loop.unregister(this);
      if (recorded) {
        loop.owner.active.decrementAndGet();
        loop.owner.recorder.finished(this);
      }
      return true;
    }

    public Arrival.Door door() {
      return door;
    }

    public String requestId() {
      return requestId;
    }

    public String method() {
      return method;
    }

    /** The request target as sent (the access log shows its path, never the query). */
    public String target() {
      return target;
    }

    /** The admission it got, or null when it was refused before. */
    public Admission.Admitted admittedAs() {
      return admitted;
    }

    public String instanceId() {
      return instance;
    }

    public long bytesInCount() {
      return bytesIn;
    }

    public long bytesOutCount() {
      return bytesOut;
    }

    public int status() {
      return status;
    }

    /** Since it began, in nanoseconds. */
    public long nanos() {
      return System.nanoTime() - startNanos;
    }

    TokenId tokenId() {
      return admitted.token().tokenId();
    }

    String route() {
      return admitted.route().name();
    }

    String session() {
      return admitted.session();
    }
  }

  /** The open exchanges of one event loop; every method runs on that loop. */
  public static final class Loop {
    private final OpenExchanges owner;
    private final EventExecutor executor;
    private final Open head;
    private int size;

    Loop(OpenExchanges owner, EventExecutor executor) {
      this.owner = owner;
      this.executor = executor;
      this.head = new Open(this, null, null, null, null, false, why -> { });
      head.prev = head;
      head.next = head;
    }

    /**
     * Begins an exchange at {@code door}: in flight from now on, recorded when it finishes.
     *
     * @param cut how it is ended if its access ends once it is admitted
     */
    public Open begin(Arrival.Door door, String requestId, String method, String target, Cut cut) {
      owner.active.incrementAndGet();
      return new Open(this, door, requestId, method, target, true, cut);
    }

    /**
     * A standing grant rather than an exchange (a session port's listener): open under its
     * token and route like an exchange, so it ends with their access, but neither counted in
     * flight nor recorded.
     */
    public Open grant(Cut cut) {
      return new Open(this, Arrival.Door.SESSION_PORT, null, null, null, false, cut);
    }

    private void register(Open x) {
      if (x.registered) {
        return;
      }
      x.registered = true;
      x.prev = head.prev;
      x.next = head;
      head.prev.next = x;
      head.prev = x;
      size++;
    }

    private void unregister(Open x) {
      if (!x.registered) {
        return;
      }
      x.registered = false;
      x.prev.next = x.next;
      x.next.prev = x.prev;
      x.prev = null;
      x.next = null;
      size--;
    }

    public int size() {
      return size;
    }

    private void recheck(Predicate<Open> affected, Admission admission) {
      List<Open> doomed = new ArrayList<>();
      List<Refusal> why = new ArrayList<>();
      for (Open x = head.next; x != head; x = x.next) {
        if (affected.test(x)) {
          Refusal r = admission.reconsider(x.tokenId(), x.route(), x.session());
          if (r != null) {
            doomed.add(x);
            why.add(r);
          }
        }
      }
      // Cut after the walk: a cut finishes the exchange, which unlinks it.
      for (int i = 0; i < doomed.size(); i++) {
        Open x = doomed.get(i);
        unregister(x);
        x.cut.cut(why.get(i));
      }
    }
  }

  private final Admission admission;
  private final List<Loop> loops = new CopyOnWriteArrayList<>();
  private final AtomicInteger active = new AtomicInteger();
  private volatile Recorder recorder = x -> { };

  public OpenExchanges(Admission admission) {
    this.admission = admission;
  }

  /** Where finished exchanges are recorded (set once, when the data plane starts). */
  public void recordTo(Recorder recorder) {
    this.recorder = recorder;
  }

  /** The list of {@code executor}'s exchanges (made on first use; then found without a lock). */
  public Loop on(EventExecutor executor) {
    for (Loop l : loops) {
      if (l.executor == executor) {
        return l;
      }
    }
    synchronized (loops) {
      for (Loop l : loops) {
        if (l.executor == executor) {
          return l;
        }
      }
      Loop l = new Loop(this, executor);
      loops.add(l);
      return l;
    }
  }

  /** A token was revoked: its exchanges end. */
  public void tokenRevoked(TokenId id) {
    recheck(x -> x.tokenId().equals(id));
  }

  /** A browser session ended (signed out, or its access ended): its exchanges end. */
  public void sessionEnded(String session) {
    recheck(x -> session.equals(x.session()));
  }

  /** The directory changed (a principal deleted, groups changed): every exchange is checked. */
  public void directoryChanged() {
    recheck(x -> true);
  }

  /** A route's definition changed, or the route went: its exchanges are checked. */
  public void routeChanged(String route) {
    recheck(x -> x.route().equals(route));
  }

  /** Checks every open exchange (expiry, and anything a lost announcement would have missed). */
  public void sweep() {
    recheck(x -> true);
  }

  /** Exchanges registered under their access on this node now (a moment's count across loops). */
  public int count() {
    int n = 0;
    for (Loop l : loops) {
      n += l.size;
    }
    return n;
  }

  /** Exchanges begun and not finished on this node now: what draining waits for. */
  public int active() {
    return active.get();
  }

  private void recheck(Predicate<Open> affected) {
    for (Loop l : loops) {
      l.executor.execute(() -> l.recheck(affected, admission));
    }
  }
}
