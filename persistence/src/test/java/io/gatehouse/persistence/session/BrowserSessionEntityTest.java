package io.gatehouse.persistence.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.testing.MutableClock;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.token.TokenId;
import java.time.Duration;
import java.time.Instant;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A browser session: offered by a link, opened once by its code within a minute, ended by sign-out. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserSessionEntityTest {
  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
  private static final TokenId TOKEN = TokenId.of("tok_a1B2c3D4e5F6");
  private static final Actor ALICE = Actor.of(PrincipalRef.user("alice"), "127.0.0.1:7355");

  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));
  private MutableClock clock;
  private EventSourcedBehaviorTestKit<BrowserSessionEntity.Command, BrowserSessionEntity.Event,
      BrowserSessionEntity.State> session;
  private int topics;

  @BeforeEach
  void newSession() {
    clock = new MutableClock(START);
    var topic = testKit.spawn(Topic.create(BrowserSessionEntity.Published.class, "sessions-" + (++topics)));
    session = EventSourcedBehaviorTestKit.create(testKit.system(),
        BrowserSessionEntity.create("S3ss10n1dS3ss10n1dS3ss", topic, clock));
    session.clear();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  private void offer(String code) {
    var r = session.<StatusReply<Done>>runCommand(reply -> new BrowserSessionEntity.Offer(TOKEN, "gw.test",
        "lab", "/lab/tree", TokenSecrets.hash(code), START.plusSeconds(60), ALICE, reply));
    assertThat(r.reply().isSuccess()).isTrue();
  }

  private StatusReply<BrowserSessionEntity.Redeemed> redeem(String code, String host) {
    return session.<StatusReply<BrowserSessionEntity.Redeemed>>runCommand(reply -> new BrowserSessionEntity.Redeem(
        TokenSecrets.hash(code), host, TokenSecrets.hash("the-secret"), ALICE, reply)).reply();
  }

  private static ErrorCode code(StatusReply<?> reply) {
    return Rejection.fromWireText(reply.getError().getMessage()).code();
  }

  @Test
  void aCodeOpensTheSessionOnceAndTheOpenSessionSurvivesARestart() {
    offer("code-1");

    StatusReply<BrowserSessionEntity.Redeemed> first = redeem("code-1", "gw.test");
    StatusReply<BrowserSessionEntity.Redeemed> second = redeem("code-1", "gw.test");

    assertThat(first.getValue()).isEqualTo(new BrowserSessionEntity.Redeemed(TOKEN, "/lab/tree"));
    assertThat(session.getState()).isInstanceOfSatisfying(BrowserSessionEntity.Open.class,
        o -> assertThat(o.route()).isEqualTo("lab"));
    assertThat(code(second)).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(second.getError().getMessage()).contains("used already");
    session.restart();
    assertThat(session.getState()).isInstanceOfSatisfying(BrowserSessionEntity.Open.class, o -> {
      assertThat(o.tokenId()).isEqualTo(TOKEN);
      assertThat(o.secretHash()).isEqualTo(TokenSecrets.hash("the-secret"));
    });
  }

  @Test
  void aWrongCodeAnotherHostOrALateOpeningIsRefusedAndPersistsNothing() {
    offer("code-2");

    assertThat(code(redeem("wrong", "gw.test"))).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(code(redeem("code-2", "evil.example"))).isEqualTo(ErrorCode.INVALID_REQUEST);
    clock.advance(Duration.ofSeconds(60));
    StatusReply<BrowserSessionEntity.Redeemed> late = redeem("code-2", "gw.test");

    assertThat(late.getError().getMessage()).contains("expired");
    assertThat(session.getState()).isInstanceOf(BrowserSessionEntity.Offered.class);
  }

  @Test
  void signingOutEndsTheSessionForGood() {
    session.<StatusReply<Done>>runCommand(r -> new BrowserSessionEntity.OpenDirectly(TOKEN, "gw.test", "lab",
        TokenSecrets.hash("s"), ALICE, r));

    var ended = session.<StatusReply<Done>>runCommand(r ->
        new BrowserSessionEntity.End("signed out", TokenSecrets.hash("s"), ALICE, r));
    var again = session.<StatusReply<Done>>runCommand(r ->
        new BrowserSessionEntity.End("signed out", TokenSecrets.hash("s"), ALICE, r));

    assertThat(ended.event()).isInstanceOf(BrowserSessionEntity.SessionEnded.class);
    assertThat(again.hasNoEvents()).isTrue();
    session.restart();
    assertThat(session.getState()).isInstanceOfSatisfying(BrowserSessionEntity.Ended.class, e -> {
      assertThat(e.host()).isEqualTo("gw.test");
      assertThat(e.route()).isEqualTo("lab");
    });
  }

  @Test
  void aSignOutWithAnotherSecretEndsNothing() {
    session.<StatusReply<Done>>runCommand(r -> new BrowserSessionEntity.OpenDirectly(TOKEN, "gw.test", "lab",
        TokenSecrets.hash("s"), ALICE, r));

    var attempt = session.<StatusReply<Done>>runCommand(r ->
        new BrowserSessionEntity.End("signed out", TokenSecrets.hash("guessed"), ALICE, r));

    assertThat(code(attempt.reply())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(attempt.hasNoEvents()).isTrue();
    assertThat(session.getState()).isInstanceOf(BrowserSessionEntity.Open.class);
  }

  @Test
  void theGatewayEndsASessionWithoutItsSecret() {
    session.<StatusReply<Done>>runCommand(r -> new BrowserSessionEntity.OpenDirectly(TOKEN, "gw.test", "lab",
        TokenSecrets.hash("s"), ALICE, r));

    var ended = session.<StatusReply<Done>>runCommand(r ->
        new BrowserSessionEntity.End("access ended", null, ALICE, r));

    assertThat(ended.reply().isSuccess()).isTrue();
    assertThat(session.getState()).isInstanceOf(BrowserSessionEntity.Ended.class);
  }

  @Test
  void anUnknownSessionHasNoCodeToOpen() {
    assertThat(code(redeem("anything", "gw.test"))).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(session.getState()).isInstanceOf(BrowserSessionEntity.Unknown.class);
  }

  @Test
  void whatIsPublishedToTheOtherNodesSurvivesTheirSerializer() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    for (BrowserSessionEntity.State state : java.util.List.of(new BrowserSessionEntity.Unknown(),
        new BrowserSessionEntity.Offered(TOKEN, "lab.example.com", "lab", "/tree", "hash", START),
        new BrowserSessionEntity.Open(TOKEN, "lab.example.com", "lab", "hash", START),
        new BrowserSessionEntity.Ended(TOKEN, "lab.example.com", "lab", "token revoked", START))) {
      serialization.verifySerialization(new BrowserSessionEntity.Published("s1", state), true);
    }
  }
}
