package io.gatehouse.node.token;

import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.token.TokenEntity;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.PresentedToken;
import io.gatehouse.protocol.token.TokenId;
import io.netty.util.concurrent.FastThreadLocal;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Validates bearer tokens on this node from memory. The node holds every token that has not long
 * expired: loaded from the token table and the journal when it starts ({@link #load}), then kept
 * current by the token topic and the journal. So a token it does not hold is unknown, and is
 * refused in microseconds, without a lookup: a flood of made-up tokens costs the node nothing
 * but their parsing. Only two kinds of ids are worth asking a token's entity about: an id this
 * cluster minted ({@link TokenSecrets#minted}) that has not reached this node yet (a token
 * issued on another node a moment ago, its broadcast still on its way), and a token whose row
 * predates the table holding keys. Concurrent misses for one id share the ask, and the answer is
 * kept, "no such token" included, for a short while. Records only move forward by version, so a
 * revocation that reached the cache is never undone by a slower, older answer.
 *
 * <p>Each validation also checks the principal against the node's {@link DirectoryView}: a
 * deleted user's tokens stop working the moment the view has the deletion.
 */
public final class TokenCache {
  /** A SHA-256 per thread; a FastThreadLocal is one array read on the data plane's event loops. */
  private static final FastThreadLocal<MessageDigest> SHA256 = new FastThreadLocal<>() {
    @Override
    protected MessageDigest initialValue() {
      return TokenSecrets.sha256();
    }
  };

  /** Above this many remembered unknown ids the memory is cleared rather than grown. */
  static final int MAX_UNKNOWN = 100_000;

  private final ConcurrentHashMap<TokenId, CachedToken> known = new ConcurrentHashMap<>();
  /** One instance per principal, shared by its tokens (a principal with many tokens is common). */
  private final ConcurrentHashMap<PrincipalRef, PrincipalRef> principals = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TokenId, Long> unknownUntil = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TokenId, CompletableFuture<CachedToken>> inFlight = new ConcurrentHashMap<>();
  /** Tokens whose rows were written before the table held keys: real, so their entity is worth asking. */
  private final Set<TokenId> withoutKeys = ConcurrentHashMap.newKeySet();
  private final java.util.function.Predicate<TokenId> minted;
  private final java.util.concurrent.atomic.AtomicLong entityAsks = new java.util.concurrent.atomic.AtomicLong();
  private final DirectoryView directory;
  private final ClusterSharding sharding;
  private final Clock clock;
  private final Duration askTimeout;
  private final long unknownTtlMillis;
  private volatile java.util.function.Consumer<TokenId> revoked = id -> {};

  /** @param minted whether a token id is one this cluster minted (see {@link TokenSecrets#minted}) */
  public TokenCache(DirectoryView directory, ClusterSharding sharding, Clock clock, Duration askTimeout,
      Duration unknownTtl, java.util.function.Predicate<TokenId> minted) {
    this.minted = minted;
    this.directory = directory;
    this.sharding = sharding;
    this.clock = clock;
    this.askTimeout = askTimeout;
    this.unknownTtlMillis = unknownTtl.toMillis();
  }

  /**
   * Who hears of each token this node learns is revoked, once per token: the open exchanges, which
   * end those of the token. Called on the thread that applied the revocation; must not block.
   */
  public void onRevoked(java.util.function.Consumer<TokenId> listener) {
    this.revoked = listener;
  }

  /** Validates {@code raw} (the bearer string), asking the token's entity only on a miss. */
  public CompletionStage<TokenValidation> validate(CharSequence raw) {
    PresentedToken presented = PresentedToken.parse(raw);
    if (presented == null) {
      return CompletableFuture.completedFuture(TokenValidation.Reason.MALFORMED.invalid());
    }
    TokenValidation cached = fromMemory(presented);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    return fetch(presented.id()).thenApply(record -> check(presented, record));
  }

  /** Validates from memory only; null when the entity would have to be asked. */
  public TokenValidation validateCached(CharSequence raw) {
    PresentedToken presented = PresentedToken.parse(raw);
    return presented == null ? TokenValidation.Reason.MALFORMED.invalid() : fromMemory(presented);
  }

  /**
   * What one client connection last validated. A keep-alive client sends the same token with
   * every request; while the cache's entry for it is the very same object (a revocation or any
   * newer copy replaces it), the directory has not changed and the token has not expired, the
   * same string on the same connection is the same answer, without the parse and the hash.
   * Belongs to one connection, is only touched on its event loop, and is never logged.
   */
  public static final class Memo {
    private String bearer;
    private CachedToken entry;
    private long directoryVersion;
    private TokenValidation.Valid valid;
  }

  /** As {@link #validateCached(CharSequence)}, remembering a valid answer in the connection's memo. */
  public TokenValidation validateCached(CharSequence raw, Memo memo) {
    CachedToken entry = memo.entry;
    if (entry != null && memo.bearer.contentEquals(raw) && known.get(entry.id()) == entry
        && directory.version() == memo.directoryVersion && clock.millis() < entry.expiresAtMillis()) {
      return memo.valid;
    }
    memo.entry = null;
    PresentedToken presented = PresentedToken.parse(raw);
    if (presented == null) {
      return TokenValidation.Reason.MALFORMED.invalid();
    }
    // The version is read before the principal is: a change in between leaves the memo stale
    // and the next request takes the full check.
    long directoryVersion = directory.version();
    CachedToken record = known.get(presented.id());
    if (record == null) {
      return knownUnknown(presented.id());
    }
    TokenValidation v = check(presented, record);
    if (v instanceof TokenValidation.Valid valid) {
      memo.bearer = raw.toString();
      memo.entry = record;
      memo.directoryVersion = directoryVersion;
      memo.valid = valid;
    }
    return v;
  }

  private TokenValidation fromMemory(PresentedToken presented) {
    CachedToken record = known.get(presented.id());
    return record != null ? check(presented, record) : knownUnknown(presented.id());
  }

  /**
   * A token this node does not hold: UNKNOWN when this node can prove it (not an id its cluster
   * minted, nor one of the keyless rows) or when its entity said so lately; else null (the entity
   * must be asked).
   */
  private TokenValidation knownUnknown(TokenId id) {
    if (!worthAsking(id)) {
      return TokenValidation.Reason.UNKNOWN.invalid();
    }
    Long until = unknownUntil.get(id);
    return until != null && until > clock.millis() ? TokenValidation.Reason.UNKNOWN.invalid() : null;
  }

  private boolean worthAsking(TokenId id) {
    return minted.test(id) || withoutKeys.contains(id);
  }

  /** How many times this node asked a token's entity (a flood of made-up tokens asks none). */
  public long entityAsks() {
    return entityAsks.get();
  }

  /**
   * Takes a token's row at start: with its key it is held from now on; without (a row written
   * before the table held keys) it is known to exist, and its entity is asked on its first use.
   */
  public void load(io.gatehouse.persistence.token.TokenTable.Key key) {
    if (key.secretHash() == null) {
      withoutKeys.add(key.id());
      return;
    }
    PrincipalRef principal = principals.computeIfAbsent(key.principal(), p -> p);
    known.merge(key.id(), new CachedToken(key.id(), TokenSecrets.hashBytes(key.secretHash()), principal,
        key.principalIncarnation(), key.expiresAt().toEpochMilli(), key.routes(), key.revoked(), key.version()),
        (mine, theirs) -> theirs.version() >= mine.version() ? theirs : mine);
  }

  private TokenValidation check(PresentedToken presented, CachedToken record) {
    // The secret is checked first: holding only a token's (public) id reveals nothing about it.
    if (record == null || !TokenSecrets.matches(presented.secret(), record.secretHash(), SHA256.get())) {
      return TokenValidation.Reason.UNKNOWN.invalid();
    }
    return standing(record);
  }

  /**
   * A token's standing now, by its id, without its secret: for an exchange in progress, whose
   * token was validated in full when it began. A token this node no longer holds is unknown.
   */
  public TokenValidation current(TokenId id) {
    CachedToken record = known.get(id);
    return record == null ? TokenValidation.Reason.UNKNOWN.invalid() : standing(record);
  }

  /** When a token this node holds expires (epoch millis), or 0 when it holds no such token. */
  public long expiresAtMillis(TokenId id) {
    CachedToken record = known.get(id);
    return record == null ? 0 : record.expiresAtMillis();
  }

  /** As {@link #current}, asking the token's entity when this node does not hold the token. */
  public CompletionStage<TokenValidation> byId(TokenId id) {
    CachedToken record = known.get(id);
    if (record != null) {
      return CompletableFuture.completedFuture(standing(record));
    }
    if (!worthAsking(id)) {
      return CompletableFuture.completedFuture(TokenValidation.Reason.UNKNOWN.invalid());
    }
    return fetch(id).thenApply(r -> r == null ? TokenValidation.Reason.UNKNOWN.invalid() : standing(r));
  }

  private TokenValidation standing(CachedToken record) {
    if (record.revoked()) {
      return TokenValidation.Reason.REVOKED.invalid();
    }
    if (clock.millis() >= record.expiresAtMillis()) {
      return TokenValidation.Reason.EXPIRED.invalid();
    }
    DirectoryState.Principal principal = directory.principal(record.principal());
    if (principal == null || principal.incarnation() != record.principalIncarnation()) {
      return TokenValidation.Reason.PRINCIPAL_DELETED.invalid();
    }
    return new TokenValidation.Valid(record.id(), record.principal(), principal.groups(), principal.admin(),
        principal.canRegister(), record.routes());
  }

  private CompletionStage<CachedToken> fetch(TokenId id) {
    CompletableFuture<CachedToken> mine = new CompletableFuture<>();
    CompletableFuture<CachedToken> existing = inFlight.putIfAbsent(id, mine);
    if (existing != null) {
      return existing;
    }
    entityAsks.incrementAndGet();
    TokenEntity.ref(sharding, id)
        .<TokenEntity.Lookup>ask(TokenEntity.Get::new, askTimeout)
        .whenComplete((lookup, failure) -> {
          inFlight.remove(id, mine);
          if (failure != null) {
            mine.completeExceptionally(failure);
          } else if (lookup.token() == null) {
            rememberUnknown(id);
            mine.complete(null);
          } else {
            offer(lookup.token());
            mine.complete(known.get(id));
          }
        });
    return mine;
  }

  private void rememberUnknown(TokenId id) {
    if (unknownUntil.size() >= MAX_UNKNOWN) {
      unknownUntil.clear();
    }
    unknownUntil.put(id, clock.millis() + unknownTtlMillis);
  }

  /** Takes a token's newer state: from its entity's reply, pub-sub or the journal. */
  public void offer(TokenRecord record) {
    PrincipalRef principal = principals.computeIfAbsent(record.principal(), p -> p);
    CachedToken before = known.get(record.id());
    CachedToken after = known.merge(record.id(), CachedToken.of(record, principal),
        (mine, theirs) -> theirs.version() >= mine.version() ? theirs : mine);
    unknownUntil.remove(record.id());
    withoutKeys.remove(record.id());
    if (after.revoked() && (before == null || !before.revoked())) {
      revoked.accept(record.id());
    }
  }

  /**
   * Applies a token event read from the journal: the path by which a node learns a revocation
   * whose broadcast it missed. An issue adds the token; a revocation revokes the token if this
   * node holds it (a token it does not hold is fetched from its entity, revocation included, on
   * first use).
   */
  public void apply(TokenEntity.Event event, long sequenceNr) {
    if (event instanceof TokenEntity.TokenIssued e) {
      offer(TokenRecord.issued(e, sequenceNr));
    } else if (event instanceof TokenEntity.TokenRevoked e) {
      CachedToken after = known.computeIfPresent(e.id(), (id, r) -> r.version() >= sequenceNr ? r : r.revokedAt(sequenceNr));
      if (after != null && after.version() == sequenceNr) {
        revoked.accept(e.id());
      }
    }
  }

  /** Drops what memory no longer needs: long-expired tokens and stale unknown ids. */
  public void sweep(Duration keepExpired) {
    long cutoff = clock.millis() - keepExpired.toMillis();
    known.values().removeIf(r -> r.expiresAtMillis() < cutoff);
    Set<PrincipalRef> inUse = new HashSet<>();
    known.values().forEach(r -> inUse.add(r.principal()));
    principals.keySet().retainAll(inUse);
    long now = clock.millis();
    unknownUntil.values().removeIf(until -> until <= now);
  }

  /** How many tokens this node holds in memory. */
  public int size() {
    return known.size();
  }
}
