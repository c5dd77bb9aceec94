package io.gatehouse.node.token;

import io.gatehouse.node.directory.DirectoryService;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.token.RevocationReason;
import io.gatehouse.persistence.token.TokenEntity;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.store.IdMint;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.persistence.token.TokenTable;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.TokenRequests;
import io.gatehouse.protocol.token.TokenId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues, revokes and lists tokens. Writes go to the token's entity; the node then writes the
 * result through to the token table before it answers, so a listing right after a write never
 * misses it (the journal projection writes the same rows and repairs any this node missed). The
 * node's {@link TokenCache} learns every write before the caller hears back, so a revoked token is
 * refused on this node from that moment.
 */
public final class TokenService {
  private static final Logger log = LoggerFactory.getLogger(TokenService.class);

  private final ClusterSharding sharding;
  private final DirectoryService directory;
  private final TokenCache cache;
  private final TokenTable table;
  private final Executor jdbc;
  private final Clock clock;
  private final Duration askTimeout;
  private final int maxExpiryDays;
  private final IdMint mint;

  /** @param mint makes token ids that every node can tell from made-up ones */
  public TokenService(ClusterSharding sharding, DirectoryService directory, TokenCache cache, TokenTable table,
      Executor jdbc, Clock clock, Duration askTimeout, int maxExpiryDays, IdMint mint) {
    this.mint = mint;
    this.sharding = sharding;
    this.directory = directory;
    this.cache = cache;
    this.table = table;
    this.jdbc = jdbc;
    this.clock = clock;
    this.askTimeout = askTimeout;
    this.maxExpiryDays = maxExpiryDays;
  }

  /** A new token's id, secret and hash, its id minted by this cluster. */
  public TokenSecrets.Generated generate() {
    return TokenSecrets.generate(mint);
  }

  /** A new token and, once, its secret-bearing string. */
  public record Issued(TokenRecord record, String token) {
    @Override
    public String toString() {
      return "Issued[" + record.id() + ", token=***]";
    }
  }

  public int maxExpiryDays() {
    return maxExpiryDays;
  }

  public CompletionStage<Issued> issue(TokenRequests.Issue request, PrincipalRef caller, Actor actor) {
    List<String> routes = request.routes() == null ? null : request.routes().stream().map(Name::value).toList();
    return issue(request.principal(), request.label(), Duration.ofHours(request.lifetimeHours(maxExpiryDays)), routes,
        request.metadata(), caller, actor);
  }

  /** Issues a token of any lifetime (the connectivity test's lives minutes); {@code routes} null for all. */
  public CompletionStage<Issued> issue(PrincipalRef principalRef, String label, Duration lifetime, List<String> routes,
      java.util.Map<String, String> metadata, PrincipalRef caller, Actor actor) {
    return directory.authoritative().thenCompose(state -> {
      DirectoryState.Principal principal = state.principal(principalRef);
      if (principal == null) {
        throw Rejection.invalid("principal", principalRef.type().wire() + " '" + principalRef.name() + "' does not exist");
      }
      return issueWithFreshId(new TokenEntity.Draft(label, null, principalRef, principal.incarnation(), caller, lifetime,
          routes, metadata), actor, 2);
    });
  }

  private CompletionStage<Issued> issueWithFreshId(TokenEntity.Draft draft, Actor actor, int attemptsLeft) {
    TokenSecrets.Generated generated = generate();
    TokenEntity.Draft withHash = new TokenEntity.Draft(draft.label(), generated.secretHash(), draft.principal(),
        draft.principalIncarnation(), draft.createdBy(), draft.lifetime(), draft.routes(), draft.metadata());
    return issueAs(generated.id(), withHash, actor)
        .thenApply(record -> new Issued(record, generated.token()))
        .exceptionallyCompose(failure -> {
          Rejection r = rejectionOf(failure);
          // A 72-bit random id colliding is astronomically rare; if it happens, draw again.
          if (r != null && r.code() == ErrorCode.CONFLICT && attemptsLeft > 1) {
            return issueWithFreshId(draft, actor, attemptsLeft - 1);
          }
          return CompletableFuture.failedFuture(failure);
        });
  }

  /**
   * Issues a token under a given id and hash (the bootstrap token taken from the environment);
   * returns once the token table shows it.
   */
  public CompletionStage<TokenRecord> issueAs(TokenId id, TokenEntity.Draft draft, Actor actor) {
    return TokenEntity.ref(sharding, id)
        .<TokenRecord>askWithStatus(replyTo -> new TokenEntity.Issue(draft, actor, replyTo), askTimeout)
        .thenCompose(record -> {
          cache.offer(record);
          return writeThrough(record).thenApply(ignored -> record);
        });
  }

  /** Revokes a token; idempotent. Answers with the token table's row once it shows the revocation. */
  public CompletionStage<TokenTable.Row> revoke(TokenId id, PrincipalRef by, RevocationReason reason, Actor actor) {
    return TokenEntity.ref(sharding, id)
        .<TokenRecord>askWithStatus(replyTo -> new TokenEntity.Revoke(by, reason, actor, replyTo), askTimeout)
        .thenCompose(record -> {
          cache.offer(record);
          return writeThrough(record);
        })
        .thenCompose(ignored -> get(id))
        .thenApply(row -> row.orElseThrow(() -> Rejection.notFound("token '" + id + "' does not exist")));
  }

  /** Revokes every token of a deleted principal, so that listings show why they stopped working. */
  public CompletionStage<Integer> revokeAllOf(PrincipalRef principal, PrincipalRef by, Actor actor) {
    return CompletableFuture.supplyAsync(() -> table.unrevokedOf(principal), jdbc).thenCompose(ids -> {
      CompletableFuture<?>[] revocations = ids.stream()
          .map(id -> revoke(id, by, RevocationReason.PRINCIPAL_DELETED, actor).toCompletableFuture()
              .exceptionally(failure -> {
                log.warn("could not revoke {} of deleted {}: {}", id, principal, failure.toString());
                return null;
              }))
          .toArray(CompletableFuture[]::new);
      return CompletableFuture.allOf(revocations).thenApply(done -> ids.size());
    });
  }

  public CompletionStage<Optional<TokenTable.Row>> get(TokenId id) {
    return CompletableFuture.supplyAsync(() -> table.get(id), jdbc);
  }

  public CompletionStage<TokenTable.Page> list(TokenTable.Filter filter, int limit, String cursor) {
    Instant now = clock.instant();
    return CompletableFuture.supplyAsync(() -> table.page(filter, limit, cursor, now), jdbc);
  }

  /** Writes the token's new state to the token table (the projection would follow within a second). */
  private CompletionStage<Void> writeThrough(TokenRecord record) {
    return CompletableFuture.runAsync(() -> {
      try {
        table.write(record);
      } catch (RuntimeException e) {
        // The write happened; only the listing lags until the projection writes the row.
        log.warn("could not write {} through to the token table: {}", record.id(), e.getMessage());
      }
    }, jdbc);
  }

  public static Rejection rejectionOf(Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (t instanceof StatusReply.ErrorMessage m) {
      return Rejection.fromWireText(m.getMessage());
    }
    return t instanceof Rejection r ? r : null;
  }
}
