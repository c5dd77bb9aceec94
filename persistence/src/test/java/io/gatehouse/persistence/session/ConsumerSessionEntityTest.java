package io.gatehouse.persistence.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.persistence.route.RouteEntity;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A consumer's session: asks its route for an instance once, persists the pin, answers every
 * request waiting for it, and keeps the pin across restarts; it asks again only when told to avoid
 * the pinned instance. The route is a test probe that answers as the test says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerSessionEntityTest {
  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));

  private TestProbe<RouteEntity.Command> route;
  private EventSourcedBehaviorTestKit<ConsumerSessionEntity.Command, ConsumerSessionEntity.Event,
      ConsumerSessionEntity.State> session;

  @BeforeEach
  void newSession() {
    route = testKit.createTestProbe();
    session = EventSourcedBehaviorTestKit.create(testKit.system(),
        ConsumerSessionEntity.create("llm|tok_alice", name -> {
          assertThat(name).isEqualTo("llm");
          return route.ref();
        }));
    session.clear();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Sends a Resolve without waiting (its answer comes after the route's). */
  private TestProbe<ConsumerSessionEntity.Pin> resolve(String avoid) {
    TestProbe<ConsumerSessionEntity.Pin> asker = testKit.createTestProbe();
    session.runCommand(new ConsumerSessionEntity.Resolve(avoid, asker.ref()));
    return asker;
  }

  private RouteEntity.Choose routeIsAsked() {
    return route.expectMessageClass(RouteEntity.Choose.class);
  }

  @Test
  void theFirstQuestionAsksTheRouteAndPersistsThePin() {
    TestProbe<ConsumerSessionEntity.Pin> asker = resolve(null);
    RouteEntity.Choose choose = routeIsAsked();
    assertThat(choose.consumer()).isEqualTo("tok_alice");
    assertThat(choose.avoid()).isNull();

    choose.replyTo().tell(new RouteEntity.Chosen("llm.a"));

    assertThat(asker.receiveMessage().instanceId()).isEqualTo("llm.a");
    assertThat(session.getState().instanceId()).isEqualTo("llm.a");
  }

  @Test
  void questionsWhileTheRouteDecidesShareItsOneAnswer() {
    TestProbe<ConsumerSessionEntity.Pin> first = resolve(null);
    TestProbe<ConsumerSessionEntity.Pin> second = resolve(null);
    RouteEntity.Choose choose = routeIsAsked();
    route.expectNoMessage(Duration.ofMillis(200));

    choose.replyTo().tell(new RouteEntity.Chosen("llm.b"));

    assertThat(first.receiveMessage().instanceId()).isEqualTo("llm.b");
    assertThat(second.receiveMessage().instanceId()).isEqualTo("llm.b");
  }

  @Test
  void aPinnedSessionAnswersWithoutAskingAndKeepsItsPinAcrossARestart() {
    TestProbe<ConsumerSessionEntity.Pin> first = resolve(null);
    routeIsAsked().replyTo().tell(new RouteEntity.Chosen("llm.a"));
    assertThat(first.receiveMessage().instanceId()).as("answered once the pin is persisted").isEqualTo("llm.a");
    session.restart();

    // Recovery tells the route that this consumer counts for its instance again.
    assertThat(route.expectMessageClass(RouteEntity.RefreshSession.class).instanceId()).isEqualTo("llm.a");
    TestProbe<ConsumerSessionEntity.Pin> asker = resolve(null);

    assertThat(asker.receiveMessage().instanceId()).isEqualTo("llm.a");
    route.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void avoidingThePinnedInstanceAsksTheRouteAgainAndPersistsTheNewPin() {
    resolve(null);
    routeIsAsked().replyTo().tell(new RouteEntity.Chosen("llm.a"));

    TestProbe<ConsumerSessionEntity.Pin> asker = resolve("llm.a");
    RouteEntity.Choose again = routeIsAsked();
    assertThat(again.avoid()).isEqualTo("llm.a");
    again.replyTo().tell(new RouteEntity.Chosen("llm.b"));

    assertThat(asker.receiveMessage().instanceId()).isEqualTo("llm.b");
    session.restart();
    assertThat(session.getState().instanceId()).isEqualTo("llm.b");
  }

  @Test
  void withoutAnInstanceInRotationTheAnswerIsNoPinAndNothingIsPersisted() {
    TestProbe<ConsumerSessionEntity.Pin> asker = resolve(null);
    routeIsAsked().replyTo().tell(new RouteEntity.Chosen(null));

    assertThat(asker.receiveMessage().instanceId()).isNull();
    assertThat(session.getState().instanceId()).isNull();
  }
}
