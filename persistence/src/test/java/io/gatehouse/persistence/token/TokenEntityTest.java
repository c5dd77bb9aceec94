package io.gatehouse.persistence.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.testing.MutableClock;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.token.TokenId;
import io.gatehouse.protocol.token.TokenStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenEntityTest {
  private static final Instant START = Instant.parse("2026-01-10T10:00:00Z");
  private static final PrincipalRef ALICE = PrincipalRef.user("alice");
  private static final PrincipalRef ADMIN = PrincipalRef.serviceAccount("gatehouse-admin");
  private static final Actor ACTOR = Actor.of(ADMIN, "127.0.0.1:7355");

  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));

  private MutableClock clock;
  private TestProbe<TokenEntity.Published> published;
  private EventSourcedBehaviorTestKit<TokenEntity.Command, TokenEntity.Event, TokenEntity.State> token;
  private int topics;

  @BeforeEach
  void newEntity() {
    clock = new MutableClock(START);
    published = testKit.createTestProbe();
    ActorRef<Topic.Command<TokenEntity.Published>> topic =
        testKit.spawn(Topic.create(TokenEntity.Published.class, "tokens-" + (++topics)));
    topic.tell(Topic.subscribe(published.ref()));
    TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
    await().until(() -> {
      topic.tell(Topic.getTopicStats(stats.ref()));
      return stats.receiveMessage().localSubscriberCount() == 1;
    });
    token = EventSourcedBehaviorTestKit.create(
        testKit.system(), TokenEntity.create("tok_a1B2c3D4e5F6", topic, clock));
    token.clear();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  private TokenEntity.Draft draft(Duration lifetime) {
    return new TokenEntity.Draft("alice-laptop", TokenSecrets.hash("s3cret"), ALICE, 7, ADMIN,
        lifetime, List.of("llm-inference"), Map.of("team", "ml"));
  }

  private TokenRecord issue(Duration lifetime) {
    var result = token.<StatusReply<TokenRecord>>runCommand(r -> new TokenEntity.Issue(draft(lifetime), ACTOR, r));
    return result.reply().getValue();
  }

  @Test
  void issuingPersistsTheTokenAndPublishesIt() {
    var result = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Issue(draft(Duration.ofDays(30)), ACTOR, r));

    assertThat(result.event()).isInstanceOf(TokenEntity.TokenIssued.class);
    TokenRecord record = result.reply().getValue();
    assertThat(record.id()).isEqualTo(TokenId.of("tok_a1B2c3D4e5F6"));
    assertThat(record.principal()).isEqualTo(ALICE);
    assertThat(record.principalIncarnation()).isEqualTo(7);
    assertThat(record.createdAt()).isEqualTo(START);
    assertThat(record.expiresAt()).isEqualTo(START.plus(Duration.ofDays(30)));
    assertThat(record.routes()).containsExactly("llm-inference");
    assertThat(record.status(START)).isEqualTo(TokenStatus.ACTIVE);
    assertThat(record.version()).isEqualTo(1);
    assertThat(published.receiveMessage().token()).isEqualTo(record);
  }

  @Test
  void issuingAnIdTwiceIsAConflict() {
    issue(Duration.ofDays(1));
    var again = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Issue(draft(Duration.ofDays(1)), ACTOR, r));

    assertThat(again.hasNoEvents()).isTrue();
    assertThat(Rejection.fromWireText(again.reply().getError().getMessage()).code()).isEqualTo(ErrorCode.CONFLICT);
  }

  @Test
  void aLifetimeThatIsNotPositiveIsRefused() {
    var result = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Issue(draft(Duration.ofHours(-1)), ACTOR, r));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(result.reply().isError()).isTrue();
  }

  @Test
  void revocationIsPersistedBeforeItIsAcknowledged() {
    issue(Duration.ofDays(30));
    clock.advance(Duration.ofMinutes(5));

    var result = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Revoke(ADMIN, RevocationReason.REVOKED, ACTOR, r));

    assertThat(result.event()).isInstanceOf(TokenEntity.TokenRevoked.class);
    assertThat(result.state()).isInstanceOf(TokenEntity.Revoked.class);
    TokenRecord revoked = result.reply().getValue();
    assertThat(revoked.status(clock.instant())).isEqualTo(TokenStatus.REVOKED);
    assertThat(revoked.revocation().at()).isEqualTo(START.plus(Duration.ofMinutes(5)));
    assertThat(revoked.revocation().by()).isEqualTo(ADMIN);
    assertThat(revoked.version()).isEqualTo(2);
  }

  @Test
  void revokingTwiceChangesNothing() {
    issue(Duration.ofDays(30));
    TokenRecord first = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Revoke(ADMIN, RevocationReason.REVOKED, ACTOR, r)).reply().getValue();
    clock.advance(Duration.ofHours(1));

    var second = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Revoke(PrincipalRef.user("bob"), RevocationReason.REVOKED, ACTOR, r));

    assertThat(second.hasNoEvents()).isTrue();
    assertThat(second.reply().getValue()).isEqualTo(first);
  }

  @Test
  void revokingATokenThatWasNeverIssuedIsNotFound() {
    var result = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Revoke(ADMIN, RevocationReason.REVOKED, ACTOR, r));

    assertThat(result.hasNoEvents()).isTrue();
    assertThat(Rejection.fromWireText(result.reply().getError().getMessage()).code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void aTokenExpiresWithTheClockWithoutAnyEvent() {
    issue(Duration.ofHours(1));
    assertThat(lookup().status(clock.instant())).isEqualTo(TokenStatus.ACTIVE);

    clock.advance(Duration.ofHours(1));

    assertThat(lookup().status(clock.instant())).isEqualTo(TokenStatus.EXPIRED);
  }

  @Test
  void deletingThePrincipalRevokesTheTokenWithThatReason() {
    issue(Duration.ofDays(30));

    var result = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Revoke(ADMIN, RevocationReason.PRINCIPAL_DELETED, ACTOR, r));

    assertThat(result.reply().getValue().revocation().reason()).isEqualTo(RevocationReason.PRINCIPAL_DELETED);
    assertThat(((TokenEntity.TokenRevoked) result.event()).detail()).containsEntry("reason", "principal_deleted");
  }

  @Test
  void aRestartRecoversTheRevocation() {
    issue(Duration.ofDays(30));
    TokenRecord revoked = token.<StatusReply<TokenRecord>>runCommand(
        r -> new TokenEntity.Revoke(ADMIN, RevocationReason.REVOKED, ACTOR, r)).reply().getValue();

    var restarted = token.restart();

    assertThat(restarted.state()).isEqualTo(new TokenEntity.Revoked(revoked));
    assertThat(lookup()).isEqualTo(revoked);
  }

  @Test
  void aTokenThatWasNeverIssuedLooksUpAsNothing() {
    var result = token.<TokenEntity.Lookup>runCommand(TokenEntity.Get::new);

    assertThat(result.reply().token()).isNull();
    assertThat(result.reply().id()).isEqualTo(TokenId.of("tok_a1B2c3D4e5F6"));
  }

  private TokenRecord lookup() {
    return token.<TokenEntity.Lookup>runCommand(TokenEntity.Get::new).reply().token();
  }
}
