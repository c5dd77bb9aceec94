package io.gatehouse.node.browser;

import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.session.BrowserSessionEntity;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.token.TokenId;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * This node's memory of browser sessions, so that a browser's requests are admitted without
 * asking anyone: each session in a cookie is checked against the hash of its secret and its host,
 * and gives the token it stands for and the route it is bound to (admission then uses the one for
 * the route the request resolves to). On a miss the session's entity is asked once, but only for
 * a session id this cluster made ({@link IdMint}): a made-up id is refused from memory. Ends
 * (sign-out, the end of access) arrive by the sessions' topic and the journal, and end the open
 * exchanges of the session.
 */
public final class BrowserSessions {
  private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
    @Override
    protected MessageDigest initialValue() {
      return TokenSecrets.sha256();
    }
  };
  static final int MAX_ENTRIES = 200_000;

  /** A session as this node holds it; {@code secretHash} is null until it is open. */
  record Entry(TokenId tokenId, String host, String route, byte[] secretHash, boolean open) {}

  /** A session a cookie proved: its id, the token it stands for and the route it is bound to. */
  public record Session(String sessionId, TokenId tokenId, String route) {}

  /** What one client connection last checked: the same cookie on it is the same answer while the entries are. */
  public static final class Memo {
    private List<String> values;
    private String host;
    private String[] ids;
    private Entry[] entries;
    private List<Session> sessions;
  }

  /** The sessions' entities, as this node reaches them. */
  public interface Entities {
    CompletionStage<BrowserSessionEntity.State> get(String sessionId);

    /** Ends the session for the gateway's reason (no secret needed). */
    CompletionStage<Done> end(String sessionId, String reason);

    /** The entities under cluster sharding. */
    static Entities sharded(ClusterSharding sharding, Duration askTimeout, String node) {
      return new Entities() {
        @Override
        public CompletionStage<BrowserSessionEntity.State> get(String sessionId) {
          return BrowserSessionEntity.ref(sharding, sessionId).ask(BrowserSessionEntity.Get::new, askTimeout);
        }

        @Override
        public CompletionStage<Done> end(String sessionId, String reason) {
          return BrowserSessionEntity.ref(sharding, sessionId)
              .askWithStatus(r -> new BrowserSessionEntity.End(reason, null, Actor.system(node), r), askTimeout);
        }
      };
    }
  }

  private final ConcurrentHashMap<String, Entry> known = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<Entry>> inFlight = new ConcurrentHashMap<>();
  private final Entities entities;
  private final Predicate<String> minted;
  private volatile Consumer<String> ended = id -> {};

  /** @param minted whether a session id is one this cluster could have made (its entity is worth asking) */
  public BrowserSessions(Entities entities, Predicate<String> minted) {
    this.entities = entities;
    this.minted = minted;
  }

  /** Who hears of each session that ends: the open exchanges, which end its exchanges. Must not block. */
  public void onEnded(Consumer<String> listener) {
    this.ended = listener;
  }

  /**
   * The sessions the cookie values prove on {@code host}, from memory; null when an entity must
   * be asked (a session this node has not seen yet). Sessions that are not known, ended, of
   * another host or with a wrong secret are left out.
   */
  public List<Session> fromMemory(List<String> values, String host, Memo memo) {
    if (memo.entries != null && memo.values.equals(values) && java.util.Objects.equals(memo.host, host)
        && unchanged(memo)) {
      return memo.sessions;
    }
    memo.entries = null;
    List<SessionCookie.Value> presented = SessionCookie.sessions(values);
    String[] ids = new String[presented.size()];
    Entry[] entries = new Entry[presented.size()];
    List<Session> sessions = new ArrayList<>(presented.size());
    for (int i = 0; i < presented.size(); i++) {
      SessionCookie.Value v = presented.get(i);
      Entry e = known.get(v.sessionId());
      if (e == null && minted.test(v.sessionId())) {
        return null;
      }
      ids[i] = v.sessionId();
      entries[i] = e;
      Session s = check(v, e, host);
      if (s != null) {
        sessions.add(s);
      }
    }
    memo.values = values;
    memo.host = host;
    memo.ids = ids;
    memo.entries = entries;
    memo.sessions = List.copyOf(sessions);
    return memo.sessions;
  }

  private boolean unchanged(Memo memo) {
    for (int i = 0; i < memo.ids.length; i++) {
      if (known.get(memo.ids[i]) != memo.entries[i]) {
        return false;
      }
    }
    return true;
  }

  /** As {@link #fromMemory}, asking the entities of the sessions this node has not seen. */
  public CompletionStage<List<Session>> fromEntities(List<String> values, String host) {
    List<SessionCookie.Value> presented = SessionCookie.sessions(values);
    List<CompletableFuture<Entry>> lookups = new ArrayList<>();
    for (SessionCookie.Value v : presented) {
      Entry e = known.get(v.sessionId());
      lookups.add(e != null || !minted.test(v.sessionId()) ? CompletableFuture.completedFuture(e)
          : fetch(v.sessionId()).toCompletableFuture());
    }
    return CompletableFuture.allOf(lookups.toArray(new CompletableFuture[0])).thenApply(done -> {
      List<Session> sessions = new ArrayList<>();
      for (int i = 0; i < presented.size(); i++) {
        Session s = check(presented.get(i), lookups.get(i).join(), host);
        if (s != null) {
          sessions.add(s);
        }
      }
      return sessions;
    });
  }

  private static Session check(SessionCookie.Value v, Entry e, String host) {
    if (e == null || !e.open() || e.secretHash() == null || e.route() == null || !e.host().equals(host)) {
      return null;
    }
    byte[] presented = SHA256.get().digest(v.secret().getBytes(StandardCharsets.US_ASCII));
    return MessageDigest.isEqual(presented, e.secretHash()) ? new Session(v.sessionId(), e.tokenId(), e.route()) : null;
  }

  /** Whether the session is open as far as this node knows (an unknown one is taken as open: its token decides). */
  public boolean isOpen(String sessionId) {
    Entry e = known.get(sessionId);
    return e == null || e.open();
  }

  /** The sessions this node knows to be open, with their token and route. */
  public List<Session> open() {
    List<Session> out = new ArrayList<>();
    known.forEach((id, e) -> {
      if (e.open() && e.route() != null) {
        out.add(new Session(id, e.tokenId(), e.route()));
      }
    });
    return out;
  }

  /** Ends a session for the gateway's own reason (its access ended); every node hears of it. */
  public CompletionStage<Done> end(String sessionId, String reason) {
    return entities.end(sessionId, reason);
  }

  private CompletionStage<Entry> fetch(String sessionId) {
    CompletableFuture<Entry> mine = new CompletableFuture<>();
    CompletableFuture<Entry> existing = inFlight.putIfAbsent(sessionId, mine);
    if (existing != null) {
      return existing;
    }
    entities.get(sessionId).whenComplete((state, failure) -> {
          inFlight.remove(sessionId, mine);
          if (failure != null) {
            mine.completeExceptionally(failure);
          } else {
            apply(sessionId, state);
            mine.complete(known.get(sessionId));
          }
        });
    return mine;
  }

  /** Takes a session's state: from its entity's answer, the topic or the journal. */
  public void apply(String sessionId, BrowserSessionEntity.State state) {
    Entry before = known.get(sessionId);
    if (state instanceof BrowserSessionEntity.Open o) {
      if (before == null || before.open()) {
        if (known.size() >= MAX_ENTRIES) {
          known.values().removeIf(e -> !e.open());
        }
        known.put(sessionId, new Entry(o.tokenId(), o.host(), o.route(), TokenSecrets.hashBytes(o.secretHash()), true));
      }
    } else if (state instanceof BrowserSessionEntity.Ended e) {
      known.put(sessionId, new Entry(e.tokenId(), e.host() == null ? "" : e.host(), e.route(), null, false));
      if (before == null || before.open()) {
        ended.accept(sessionId);
      }
    }
  }

  /** Takes a session event from the journal (the path by which a missed broadcast still arrives). */
  public void apply(BrowserSessionEntity.Event event) {
    if (event instanceof BrowserSessionEntity.SessionOpened o) {
      apply(o.sessionId(), new BrowserSessionEntity.Open(o.tokenId(), o.host(), o.route(), o.secretHash(),
          o.audit().at()));
    } else if (event instanceof BrowserSessionEntity.SessionEnded e) {
      Entry before = known.get(e.sessionId());
      apply(e.sessionId(), new BrowserSessionEntity.Ended(e.tokenId(), before == null ? null : before.host(),
          before == null ? null : before.route(), e.reason(), e.audit().at()));
    }
  }
}
