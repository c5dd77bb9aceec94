package io.gatehouse.persistence.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Rejection;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The route index: the one place where two routes that would answer the same requests are refused. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteIndexEntityTest {
  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<RouteIndexEntity.Command, RouteIndexEntity.Event, RouteIndexEntity.State> index;
  private int topics;

  @BeforeEach
  void newIndex() {
    var topic = testKit.spawn(Topic.create(RouteIndexEntity.State.class, "index-" + (++topics)));
    index = EventSourcedBehaviorTestKit.create(testKit.system(), RouteIndexEntity.create("route-index", topic));
    index.clear();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  private static RouteIndexEntity.Claim prefix(String name, String prefix) {
    return new RouteIndexEntity.Claim(name, RouteDefinition.Kind.STATIC, prefix, null);
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<RouteIndexEntity.Command, RouteIndexEntity.Event,
      RouteIndexEntity.State, StatusReply<Done>> claim(RouteIndexEntity.Claim c, boolean replace) {
    return index.runCommand(r -> new RouteIndexEntity.ClaimMatch(c, replace, r));
  }

  private static ErrorCode code(StatusReply<?> reply) {
    return Rejection.fromWireText(reply.getError().getMessage()).code();
  }

  @Test
  void aClaimIsPersistedAndSurvivesARestart() {
    assertThat(claim(prefix("llm", "/llm"), false).reply().isSuccess()).isTrue();

    index.restart();

    assertThat(index.getState().claims()).containsOnlyKeys("llm");
    assertThat(index.getState().version()).isEqualTo(1);
  }

  @Test
  void theSamePrefixOrSubdomainForAnotherRouteIsAConflict() {
    claim(prefix("llm", "/llm"), false);
    claim(new RouteIndexEntity.Claim("lab", RouteDefinition.Kind.STATIC, null, "lab"), false);

    var samePrefix = claim(prefix("other", "/llm"), false);
    var sameSubdomain = claim(new RouteIndexEntity.Claim("lab2", RouteDefinition.Kind.STATIC, null, "lab"), false);

    assertThat(code(samePrefix.reply())).isEqualTo(ErrorCode.CONFLICT);
    assertThat(code(sameSubdomain.reply())).isEqualTo(ErrorCode.CONFLICT);
    assertThat(samePrefix.hasNoEvents()).isTrue();
    assertThat(sameSubdomain.hasNoEvents()).isTrue();
  }

  @Test
  void nestedPrefixesAreAllowed() {
    claim(prefix("v1", "/v1"), false);

    assertThat(claim(prefix("v1-stream", "/v1/stream"), false).reply().isSuccess()).isTrue();
  }

  @Test
  void creatingANameTwiceIsAConflictButClaimingTheSameMatchAgainIsIdempotent() {
    claim(prefix("llm", "/llm"), false);

    assertThat(claim(prefix("llm", "/llm"), false).hasNoEvents()).isTrue();
    assertThat(code(claim(prefix("llm", "/other"), false).reply())).isEqualTo(ErrorCode.CONFLICT);
  }

  @Test
  void replacingMovesARouteToANewMatchAndNeedsTheRouteToExist() {
    claim(prefix("llm", "/llm"), false);

    assertThat(claim(prefix("llm", "/models"), true).reply().isSuccess()).isTrue();
    assertThat(index.getState().claims().get("llm").pathPrefix()).isEqualTo("/models");
    assertThat(code(claim(prefix("ghost", "/ghost"), true).reply())).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void releasingFreesTheMatchAndIsIdempotent() {
    claim(prefix("llm", "/llm"), false);
    var released = index.<StatusReply<Done>>runCommand(r -> new RouteIndexEntity.Release("llm", r));
    var again = index.<StatusReply<Done>>runCommand(r -> new RouteIndexEntity.Release("llm", r));

    assertThat(released.event()).isInstanceOf(RouteIndexEntity.Released.class);
    assertThat(again.hasNoEvents()).isTrue();
    assertThat(claim(prefix("other", "/llm"), false).reply().isSuccess()).isTrue();
  }

  @Test
  void changesArePublishedWithTheirVersion() {
    TestProbe<RouteIndexEntity.State> published = testKit.createTestProbe();
    var topic = testKit.spawn(Topic.create(RouteIndexEntity.State.class, "index-published"));
    topic.tell(Topic.subscribe(published.ref()));
    TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
    org.awaitility.Awaitility.await().until(() -> {
      topic.tell(Topic.getTopicStats(stats.ref()));
      return stats.receiveMessage().localSubscriberCount() == 1;
    });
    var withTopic = EventSourcedBehaviorTestKit.<RouteIndexEntity.Command, RouteIndexEntity.Event,
        RouteIndexEntity.State>create(testKit.system(), RouteIndexEntity.create("route-index-2", topic));

    withTopic.<StatusReply<Done>>runCommand(r -> new RouteIndexEntity.ClaimMatch(prefix("llm", "/llm"), false, r));

    assertThat(published.receiveMessage().version()).isEqualTo(1);
  }
}
