package io.gatehouse.node.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.testing.MutableClock;
import io.gatehouse.persistence.token.RevocationReason;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.store.IdMint;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.persistence.token.TokenTable;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.PresentedToken;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Validation from memory, with and without a connection's memo: the memo may only ever give the
 * answer the full check would give, so every way a token stops being valid is tried on a memo
 * that holds it.
 */
class TokenCacheTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
  private final DirectoryView directory = new DirectoryView();
  private final PrincipalRef alice = PrincipalRef.user("alice");
  private TokenCache cache;
  private DirectoryState state;
  private TokenSecrets.Generated token;
  private TokenRecord record;
  private final TokenCache.Memo memo = new TokenCache.Memo();
  private final IdMint mint = new IdMint(new byte[32]);

  @BeforeEach
  void setUp() {
    state = DirectoryState.empty()
        .apply(new DirectoryEntity.GroupCreated("ml", audit()))
        .apply(new DirectoryEntity.UserCreated("alice", List.of("ml"), false, audit()));
    directory.offer(state);
    cache = new TokenCache(directory, null, clock, Duration.ofSeconds(3), Duration.ofSeconds(30),
        id -> TokenSecrets.minted(mint, id));
    token = TokenSecrets.generate();
    record = new TokenRecord(token.id(), "laptop", token.secretHash(), alice, state.principal(alice).incarnation(),
        alice, clock.instant(), clock.instant().plus(Duration.ofHours(1)), null, Map.of(), null, 1);
    cache.offer(record);
  }

  private Audit audit() {
    return new Audit("test", clock.instant(), "node");
  }

  @Test
  void aValidTokenIsTheSameAnswerWithAndWithoutTheMemo() {
    TokenValidation plain = cache.validateCached(token.token());
    TokenValidation first = cache.validateCached(token.token(), memo);
    TokenValidation second = cache.validateCached(token.token(), memo);
    assertThat(plain).isInstanceOf(TokenValidation.Valid.class);
    assertThat(first).isEqualTo(plain);
    assertThat(second).as("from the memo").isSameAs(first);
    assertThat(((TokenValidation.Valid) second).groups()).containsExactly("ml");
  }

  @Test
  void theSameIdWithAnotherSecretIsRefusedAfterTheRealOneWasRemembered() {
    cache.validateCached(token.token(), memo);
    String forged = PresentedToken.format(token.id(), "X".repeat(43));
    assertThat(cache.validateCached(forged, memo)).isEqualTo(TokenValidation.Reason.UNKNOWN.invalid());
    // A one-character change at the end, too.
    String t = token.token();
    String last = t.charAt(t.length() - 1) == 'a' ? "b" : "a";
    assertThat(cache.validateCached(t.substring(0, t.length() - 1) + last, memo))
        .isEqualTo(TokenValidation.Reason.UNKNOWN.invalid());
  }

  @Test
  void revocationEndsTheMemoAtOnce() {
    cache.validateCached(token.token(), memo);
    cache.offer(new TokenRecord(record.id(), record.label(), record.secretHash(), alice, record.principalIncarnation(),
        alice, record.createdAt(), record.expiresAt(), null, Map.of(),
        new TokenRecord.Revocation(clock.instant(), alice, RevocationReason.REVOKED), 2));
    assertThat(cache.validateCached(token.token(), memo)).isEqualTo(TokenValidation.Reason.REVOKED.invalid());
  }

  @Test
  void revocationFromTheJournalEndsTheMemoAtOnce() {
    cache.validateCached(token.token(), memo);
    cache.apply(new io.gatehouse.persistence.token.TokenEntity.TokenRevoked(token.id(), alice,
        RevocationReason.REVOKED, audit()), 2);
    assertThat(cache.validateCached(token.token(), memo)).isEqualTo(TokenValidation.Reason.REVOKED.invalid());
  }

  @Test
  void expiryEndsTheMemo() {
    cache.validateCached(token.token(), memo);
    clock.advance(Duration.ofMinutes(59));
    assertThat(cache.validateCached(token.token(), memo)).isInstanceOf(TokenValidation.Valid.class);
    clock.advance(Duration.ofMinutes(1));
    assertThat(cache.validateCached(token.token(), memo)).isEqualTo(TokenValidation.Reason.EXPIRED.invalid());
  }

  @Test
  void directoryChangesReachTheNextRequest() {
    cache.validateCached(token.token(), memo);
    state = state.apply(new DirectoryEntity.UserUpdated("alice", List.of(), false, audit()));
    directory.offer(state);
    TokenValidation v = cache.validateCached(token.token(), memo);
    assertThat(((TokenValidation.Valid) v).groups()).as("groups now").isEmpty();

    state = state.apply(new DirectoryEntity.UserDeleted("alice", audit()));
    directory.offer(state);
    assertThat(cache.validateCached(token.token(), memo))
        .isEqualTo(TokenValidation.Reason.PRINCIPAL_DELETED.invalid());
  }

  @Test
  void sweepingTheTokenOutEndsTheMemo() {
    cache.validateCached(token.token(), memo);
    clock.advance(Duration.ofDays(10));
    cache.sweep(Duration.ofDays(1));
    assertThat(cache.size()).isZero();
    assertThat(cache.validateCached(token.token(), memo)).as("a long-expired token is unknown")
        .isEqualTo(TokenValidation.Reason.UNKNOWN.invalid());
  }

  // ---- tokens this node does not hold ------------------------------------------------------

  @Test
  void aTokenThisNodeDoesNotHoldAndItsClusterDidNotMintIsUnknownWithoutALookup() {
    TokenSecrets.Generated madeUp = TokenSecrets.generate();

    assertThat(cache.validateCached(madeUp.token(), memo)).isEqualTo(TokenValidation.Reason.UNKNOWN.invalid());
    assertThat(cache.validate(madeUp.token()).toCompletableFuture().join())
        .isEqualTo(TokenValidation.Reason.UNKNOWN.invalid());
    assertThat(cache.byId(madeUp.id()).toCompletableFuture().join())
        .isEqualTo(TokenValidation.Reason.UNKNOWN.invalid());
    assertThat(cache.entityAsks()).isZero();
  }

  @Test
  void anIdItsClusterMintedThatHasNotArrivedYetIsWorthAskingAbout() {
    TokenSecrets.Generated issuedElsewhere = TokenSecrets.generate(mint);
    TokenSecrets.Generated otherCluster = TokenSecrets.generate(new IdMint(new byte[] {1, 2, 3}));

    assertThat(TokenSecrets.minted(mint, issuedElsewhere.id())).isTrue();
    assertThat(cache.validateCached(issuedElsewhere.token(), memo)).as("its entity must be asked").isNull();
    assertThat(cache.validateCached(otherCluster.token(), memo)).isEqualTo(TokenValidation.Reason.UNKNOWN.invalid());
  }

  @Test
  void aRowOfBeforeTheTableHeldKeysIsAskedAboutAndATokenLoadedWithItsKeyIsHeld() {
    TokenSecrets.Generated old = TokenSecrets.generate();
    TokenSecrets.Generated loaded = TokenSecrets.generate();
    cache.load(new TokenTable.Key(old.id(), null, alice, 1, clock.instant().plusSeconds(60), null, false, 1));
    cache.load(new TokenTable.Key(loaded.id(), loaded.secretHash(), alice, state.principal(alice).incarnation(),
        clock.instant().plusSeconds(60), List.of("llm"), false, 1));

    assertThat(cache.validateCached(old.token(), memo)).as("its entity must be asked").isNull();
    assertThat(cache.validateCached(loaded.token(), memo)).isInstanceOfSatisfying(TokenValidation.Valid.class,
        v -> assertThat(v.routes()).containsExactly("llm"));
  }

  @Test
  void malformedTokensAreRefusedWithoutLookup() {
    assertThat(cache.validateCached("not-a-token", memo)).isEqualTo(TokenValidation.Reason.MALFORMED.invalid());
  }
}
