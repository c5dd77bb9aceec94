package io.gatehouse.node.browser;

import io.gatehouse.persistence.session.BrowserSessionEntity;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.token.TokenId;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * This node's memory of browser sessions, so that a browser's requests are admitted without
 * asking anyone: a session cookie is checked against the hash of its secret, and gives the token
 * the session stands for (admitted then like that token). On a miss the session's entity is
 * asked once; ends (sign-out) arrive by the sessions' topic and the journal, and end the open
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
  record Entry(TokenId tokenId, String host, byte[] secretHash, boolean open) {}

  /** The outcome of checking a session cookie. */
  public sealed interface Check permits Valid, Invalid {}

  public record Valid(String sessionId, TokenId tokenId) implements Check {}

  public record Invalid(String why) implements Check {}

  private static final Invalid UNKNOWN = new Invalid("the browser session is not known (sign in again)");
  private static final Invalid ENDED = new Invalid("the browser session has ended (sign in again)");
  private static final Invalid OTHER_HOST = new Invalid("the browser session is for another host");

  /** What one client connection last checked: the same cookie on it is the same answer while the entry is. */
  public static final class Memo {
    private String cookie;
    private Entry entry;
    private Valid valid;
  }

  private final ConcurrentHashMap<String, Entry> known = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, CompletableFuture<Entry>> inFlight = new ConcurrentHashMap<>();
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private volatile Consumer<String> ended = id -> {};

  public BrowserSessions(ClusterSharding sharding, Duration askTimeout) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  /** Who hears of each session that ends: the open exchanges, which end its exchanges. Must not block. */
  public void onEnded(Consumer<String> listener) {
    this.ended = listener;
  }

  /** Checks a cookie value for {@code host} from memory; null when the session's entity must be asked. */
  public Check fromMemory(String cookie, String host, Memo memo) {
    if (memo.entry != null && memo.cookie.equals(cookie)) {
      SessionCookie.Value v = SessionCookie.parse(cookie);
      if (known.get(v.sessionId()) == memo.entry) {
        return memo.entry.host().equals(host) ? memo.valid : OTHER_HOST;
      }
    }
    memo.entry = null;
    SessionCookie.Value v = SessionCookie.parse(cookie);
    if (v == null) {
      return UNKNOWN;
    }
    Entry e = known.get(v.sessionId());
    if (e == null) {
      return null;
    }
    Check c = check(v, e, host);
    if (c instanceof Valid valid) {
      memo.cookie = cookie;
      memo.entry = e;
      memo.valid = valid;
    }
    return c;
  }

  /** Checks a cookie value, asking the session's entity (a session this node has not seen). */
  public CompletionStage<Check> fromEntity(String cookie, String host) {
    SessionCookie.Value v = SessionCookie.parse(cookie);
    if (v == null) {
      return CompletableFuture.completedFuture(UNKNOWN);
    }
    return fetch(v.sessionId()).thenApply(e -> e == null ? UNKNOWN : check(v, e, host));
  }

  private static Check check(SessionCookie.Value v, Entry e, String host) {
    if (!e.open() || e.secretHash() == null) {
      return e.open() ? UNKNOWN : ENDED;
    }
    byte[] presented = SHA256.get().digest(v.secret().getBytes(StandardCharsets.US_ASCII));
    if (!MessageDigest.isEqual(presented, e.secretHash())) {
      return UNKNOWN;
    }
    return e.host().equals(host) ? new Valid(v.sessionId(), e.tokenId()) : OTHER_HOST;
  }

  /** Whether the session is open as far as this node knows (an unknown one is taken as open: its token decides). */
  public boolean isOpen(String sessionId) {
    Entry e = known.get(sessionId);
    return e == null || e.open();
  }

  private CompletionStage<Entry> fetch(String sessionId) {
    CompletableFuture<Entry> mine = new CompletableFuture<>();
    CompletableFuture<Entry> existing = inFlight.putIfAbsent(sessionId, mine);
    if (existing != null) {
      return existing;
    }
    BrowserSessionEntity.ref(sharding, sessionId)
        .<BrowserSessionEntity.State>ask(BrowserSessionEntity.Get::new, askTimeout)
        .whenComplete((state, failure) -> {
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
        known.put(sessionId, new Entry(o.tokenId(), o.host(), TokenSecrets.hashBytes(o.secretHash()), true));
      }
    } else if (state instanceof BrowserSessionEntity.Ended e) {
      known.put(sessionId, new Entry(e.tokenId(), e.host() == null ? "" : e.host(), null, false));
      if (before == null || before.open()) {
        ended.accept(sessionId);
      }
    }
  }

  /** Takes a session event from the journal (the path by which a missed broadcast still arrives). */
  public void apply(BrowserSessionEntity.Event event) {
    if (event instanceof BrowserSessionEntity.SessionOpened o) {
      apply(o.sessionId(), new BrowserSessionEntity.Open(o.tokenId(), o.host(), o.secretHash(), o.audit().at()));
    } else if (event instanceof BrowserSessionEntity.SessionEnded e) {
      Entry before = known.get(e.sessionId());
      apply(e.sessionId(), new BrowserSessionEntity.Ended(e.tokenId(), before == null ? null : before.host(), e.reason(),
          e.audit().at()));
    }
  }
}
