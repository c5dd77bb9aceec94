package io.gatehouse.node.admission;

import io.gatehouse.protocol.token.TokenId;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Every exchange in progress on this node (a request, a stream, a WebSocket, later a TCP
 * connection), each registered under its token and route, so that whoever ends access ends them:
 * a revoked token, a deleted principal, a principal taken out of the route's groups, a route
 * deleted or disabled. The node's views call in when they take such a change; each open exchange
 * affected is checked again by {@link Admission#recheck} and cut when refused. A sweep every
 * second catches what no change announces (a token expiring mid-stream).
 *
 * <p>Exchanges are kept per event loop in an intrusive list, touched only on that loop: opening
 * and closing one costs two pointer writes, no lock and no allocation. A recheck runs on each
 * loop as a task of its own.
 */
public final class OpenExchanges {
  /** An exchange in progress: registered under its token and route while it is open. */
  public abstract static class Open {
    private Open prev;
    private Open next;
    private Loop loop;
    private TokenId tokenId;
    private String route;
    private String session;

    /** Ends the exchange because its access ended; called on its own loop. */
    protected abstract void cut(Refusal why);

    public final boolean isOpen() {
      return loop != null;
    }
  }

  /** The open exchanges of one event loop; every method runs on that loop. */
  public static final class Loop {
    private final EventExecutor executor;
    private final Open head = new Open() {
      @Override
      protected void cut(Refusal why) {}
    };
    private int size;

    Loop(EventExecutor executor) {
      this.executor = executor;
      head.prev = head;
      head.next = head;
    }

    /** Registers {@code x}, open under {@code tokenId} on {@code route} (in browser session {@code session}, or null). */
    public void open(Open x, TokenId tokenId, String route, String session) {
      if (x.loop != null) {
        close(x);
      }
      x.tokenId = tokenId;
      x.route = route;
      x.session = session;
      x.loop = this;
      x.prev = head.prev;
      x.next = head;
      head.prev.next = x;
      head.prev = x;
      size++;
    }

    /** Unregisters {@code x}; nothing when it is not open. */
    public void close(Open x) {
      if (x.loop != this) {
        return;
      }
      x.prev.next = x.next;
      x.next.prev = x.prev;
      x.prev = null;
      x.next = null;
      x.loop = null;
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
          Refusal r = admission.recheck(x.tokenId, x.route, x.session);
          if (r != null) {
            doomed.add(x);
            why.add(r);
          }
        }
      }
      // Cut after the walk: a cut closes the exchange, which unlinks it.
      for (int i = 0; i < doomed.size(); i++) {
        Open x = doomed.get(i);
        close(x);
        x.cut(why.get(i));
      }
    }
  }

  private final Admission admission;
  private final List<Loop> loops = new CopyOnWriteArrayList<>();

  public OpenExchanges(Admission admission) {
    this.admission = admission;
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
      Loop l = new Loop(executor);
      loops.add(l);
      return l;
    }
  }

  /** A token was revoked: its exchanges end. */
  public void tokenRevoked(TokenId id) {
    recheck(x -> x.tokenId.equals(id));
  }

  /** A browser session ended (signed out): its exchanges end. */
  public void sessionEnded(String session) {
    recheck(x -> session.equals(x.session));
  }

  /** The directory changed (a principal deleted, groups changed): every exchange is checked. */
  public void directoryChanged() {
    recheck(x -> true);
  }

  /** A route's definition changed, or the route went: its exchanges are checked. */
  public void routeChanged(String route) {
    recheck(x -> x.route.equals(route));
  }

  /** Checks every open exchange (expiry, and anything a lost announcement would have missed). */
  public void sweep() {
    recheck(x -> true);
  }

  /** Exchanges open on this node now (a moment's count across loops). */
  public int count() {
    int n = 0;
    for (Loop l : loops) {
      n += l.size;
    }
    return n;
  }

  private void recheck(Predicate<Open> affected) {
    for (Loop l : loops) {
      l.executor.execute(() -> l.recheck(affected, admission));
    }
  }
}
