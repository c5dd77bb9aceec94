package io.gatehouse.persistence.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.testing.MutableClock;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
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

/**
 * The route entity as a specification: what each command persists and answers in each state, and
 * what survives a restart. Health checks answer from a table the test sets (at once: the check's
 * outcome is the entity's next message); time moves only when the test moves the clock, and the
 * entity's tick comes only when the test sends one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteEntityTest {
  private static final Instant START = Instant.parse("2026-03-01T09:00:00Z");
  private static final Actor ADMIN = Actor.of(PrincipalRef.serviceAccount("gatehouse-admin"), "127.0.0.1:7355");
  private static final HealthProber.Outcome PASSED = new HealthProber.Outcome(true, "HTTP 200");
  private static final HealthProber.Outcome FAILED = new HealthProber.Outcome(false, "HTTP 503");

  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));

  private MutableClock clock;
  private final Map<String, Boolean> up = new ConcurrentHashMap<>();
  private final List<String> claims = new CopyOnWriteArrayList<>();
  private final List<String> history = new CopyOnWriteArrayList<>();
  private TestProbe<RouteView> published;
  private EventSourcedBehaviorTestKit<RouteEntity.Command, RouteEntity.Event, RouteEntity.State> route;
  private int topics;

  @BeforeEach
  void newEntity() {
    clock = new MutableClock(START);
    up.clear();
    claims.clear();
    history.clear();
    published = testKit.createTestProbe();
    ActorRef<Topic.Command<RouteView>> topic = testKit.spawn(Topic.create(RouteView.class, "routes-" + (++topics)));
    topic.tell(Topic.subscribe(published.ref()));
    TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
    await().until(() -> {
      topic.tell(Topic.getTopicStats(stats.ref()));
      return stats.receiveMessage().localSubscriberCount() == 1;
    });
    HealthProber prober = (address, path, timeout) ->
        CompletableFuture.completedFuture(up.getOrDefault(address, false) ? PASSED : FAILED);
    RouteEntity.RouteClaims index = new RouteEntity.RouteClaims() {
      @Override
      public CompletableFuture<Done> claim(RouteDefinition d) {
        claims.add("claim " + d.name());
        return CompletableFuture.completedFuture(Done.getInstance());
      }

      @Override
      public CompletableFuture<Done> release(String name) {
        claims.add("release " + name);
        return CompletableFuture.completedFuture(Done.getInstance());
      }
    };
    RouteEntity.Deps deps = new RouteEntity.Deps(topic, prober, index, clock, 1.25, Duration.ofSeconds(15),
        Duration.ofMinutes(15), (name, at, healthy, total) -> history.add(healthy + "/" + total),
        Duration.ofHours(1));
    route = EventSourcedBehaviorTestKit.create(testKit.system(), RouteEntity.create("llm", deps));
    route.clear();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static RouteDefinition staticRoute() {
    return RouteDefinition.builder("llm").pathPrefix("/llm").groups("ml-team").maxRequestBodyBytes(1024)
        .times(START, START).build();
  }

  private RouteView define() {
    var result = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Define(staticRoute(), ADMIN, r));
    return result.reply().getValue();
  }

  private static RouteEntity.Instance instance(String id, int port) {
    return instance(id, port, ADMIN.who());
  }

  private static RouteEntity.Instance instance(String id, int port, String registrar) {
    return new RouteEntity.Instance(id, "127.0.0.1:" + port, "vllm", "llm-prod", null, 30, START, registrar);
  }

  private StatusReply<RouteView> register(RouteEntity.Instance i, RouteDefinition ephemeral, boolean healthy) {
    return route.<StatusReply<RouteView>>runCommand(r ->
        new RouteEntity.Register(i, ephemeral, healthy ? PASSED : FAILED, ADMIN, true, r)).reply();
  }

  private RouteView view() {
    return route.<RouteView>runCommand(RouteEntity.GetView::new).reply();
  }

  private boolean healthy(String instanceId) {
    return view().instances().stream().anyMatch(i -> i.id().equals(instanceId) && i.healthy());
  }

  private String choose(String consumer, String avoid) {
    return route.<RouteEntity.Chosen>runCommand(r -> new RouteEntity.Choose(consumer, avoid, r)).reply().instanceId();
  }

  private static ErrorCode code(StatusReply<?> reply) {
    assertThat(reply.isError()).as("an error reply").isTrue();
    return Rejection.fromWireText(reply.getError().getMessage()).code();
  }

  // ---- definition --------------------------------------------------------------------------

  @Test
  void definingPersistsTheRouteClaimsItAndPublishesIt() {
    var result = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Define(staticRoute(), ADMIN, r));

    assertThat(result.event()).isInstanceOf(RouteEntity.RouteDefined.class);
    assertThat(result.reply().getValue().definition().match().pathPrefix()).isEqualTo("/llm");
    assertThat(result.stateOfType(RouteEntity.Defined.class).instances()).isEmpty();
    assertThat(published.receiveMessage().definition().name()).isEqualTo("llm");
    await().until(() -> claims.contains("claim llm"));
  }

  @Test
  void aSecondDefinitionIsAConflictAndPersistsNothing() {
    define();
    var again = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Define(staticRoute(), ADMIN, r));

    assertThat(code(again.reply())).isEqualTo(ErrorCode.CONFLICT);
    assertThat(again.hasNoEvents()).isTrue();
  }

  @Test
  void everyCommandOnAnUndefinedRouteIsAnsweredAndPersistsNothing() {
    var update = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Update(staticRoute(), ADMIN, r));
    var delete = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Delete(ADMIN, r));
    var heartbeat = route.<StatusReply<Done>>runCommand(r -> new RouteEntity.Heartbeat("llm.x", ADMIN.who(), true, r));
    var deregister = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Deregister("llm.x", ADMIN, true, r));
    StatusReply<RouteView> registerStatic = register(instance("llm.a", 9001), null, true);

    assertThat(code(update.reply())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(delete.reply())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(heartbeat.reply())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(deregister.reply())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(registerStatic)).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(choose("tok_a", null)).isNull();
    assertThat(view().exists()).isFalse();
    assertThat(route.<RouteEntity.KeepAliveReply>runCommand(r -> new RouteEntity.KeepAlive(0, r)).reply())
        .isInstanceOf(RouteView.class);
    assertThat(route.getState()).isInstanceOf(RouteEntity.Undefined.class);
  }

  @Test
  void anEphemeralRouteCannotBeEdited() {
    register(instance("llm.a", 9001), RouteDefinition.ephemeral("llm", "llm-prod", false, false, START), true);
    var update = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Update(staticRoute(), ADMIN, r));

    assertThat(code(update.reply())).isEqualTo(ErrorCode.CONFLICT);
  }

  @Test
  void deletingRemovesTheInstancesAndTheRouteAndReleasesTheClaim() {
    define();
    register(instance("llm.a", 9001), null, true);
    var result = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Delete(ADMIN, r));

    assertThat(result.events()).hasSize(2);
    assertThat(result.events().get(0)).isInstanceOf(RouteEntity.InstanceRemoved.class);
    assertThat(result.events().get(1)).isInstanceOf(RouteEntity.RouteDeleted.class);
    assertThat(result.reply().getValue().exists()).isFalse();
    assertThat(route.getState()).isInstanceOf(RouteEntity.Undefined.class);
    await().until(() -> claims.contains("release llm"));
  }

  // ---- registrations -----------------------------------------------------------------------

  @Test
  void aRegistrationAnswersAtOnceWithItsFirstCheck() {
    define();
    StatusReply<RouteView> healthyOne = register(instance("llm.a", 9001), null, true);
    StatusReply<RouteView> sickOne = register(instance("llm.b", 9002), null, false);

    assertThat(healthyOne.getValue().instances()).singleElement().satisfies(i -> assertThat(i.healthy()).isTrue());
    assertThat(sickOne.getValue().instances()).extracting(RouteView.InstanceView::healthy).containsExactly(true, false);
    assertThat(history).contains("1/1", "1/2");
  }

  @Test
  void aRegistrationWithoutARouteCreatesItsEphemeralRouteAndTheLastRemovalDeletesIt() {
    var reply = register(instance("llm.a", 9001), RouteDefinition.ephemeral("llm", "llm-prod", false, false, START), true);
    assertThat(reply.getValue().definition().isStatic()).isFalse();

    var removed = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Deregister("llm.a", ADMIN, true, r));

    assertThat(removed.events()).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("InstanceRemoved", "RouteDeleted");
    assertThat(removed.reply().getValue().exists()).isFalse();
  }

  @Test
  void aRegistrationFromTheSameAddressReplacesTheEarlierOne() {
    define();
    register(instance("llm.a", 9001), null, true);
    var again = route.<StatusReply<RouteView>>runCommand(r ->
        new RouteEntity.Register(instance("llm.b", 9001), null, PASSED, ADMIN, true, r));

    assertThat(again.events()).extracting(e -> e.getClass().getSimpleName())
        .containsExactly("InstanceRemoved", "InstanceRegistered");
    assertThat(again.reply().getValue().instances()).extracting(RouteView.InstanceView::id).containsExactly("llm.b");
  }

  // ---- who may register, renew and remove ------------------------------------------------

  private static final Actor CI = Actor.of(PrincipalRef.serviceAccount("ci"), "127.0.0.1:7355");
  private static final Actor OTHER = Actor.of(PrincipalRef.serviceAccount("other-team"), "127.0.0.1:7355");

  private StatusReply<RouteView> registerAs(Actor who, String id, int port) {
    return route.<StatusReply<RouteView>>runCommand(r ->
        new RouteEntity.Register(instance(id, port, who.who()), null, PASSED, who, false, r)).reply();
  }

  @Test
  void aRegistrarOnlyRegistersOntoAStaticRouteThatNamesItsProject() {
    define();
    var refused = route.<StatusReply<RouteView>>runCommand(r ->
        new RouteEntity.Register(instance("llm.a", 9001, CI.who()), null, PASSED, CI, false, r));
    assertThat(code(refused.reply())).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(refused.hasNoEvents()).isTrue();

    route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Update(staticRoute().toBuilder().registrationProjects(List.of("llm-prod"))
        .build(), ADMIN, r));

    assertThat(registerAs(CI, "llm.a", 9001).isSuccess()).isTrue();
  }

  @Test
  void aRegistrarRenewsAndRemovesOnlyItsOwnInstancesAndPushesOutNoOthers() {
    define();
    route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Update(staticRoute().toBuilder().registrationProjects(List.of("llm-prod"))
        .build(), ADMIN, r));
    registerAs(CI, "llm.a", 9001);

    var theirHeartbeat = route.<StatusReply<Done>>runCommand(r -> new RouteEntity.Heartbeat("llm.a", OTHER.who(), false, r));
    var theirRemoval = route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Deregister("llm.a", OTHER, false, r));
    var theirs = registerAs(OTHER, "llm.b", 9001);

    assertThat(code(theirHeartbeat.reply())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(theirRemoval.reply())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(theirs.getValue().instances()).extracting(RouteView.InstanceView::id)
        .as("the same address from another registrar does not replace it").contains("llm.a", "llm.b");
    assertThat(route.<StatusReply<Done>>runCommand(r -> new RouteEntity.Heartbeat("llm.a", CI.who(), false, r))
        .reply().isSuccess()).isTrue();
    assertThat(route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Deregister("llm.a", CI, false, r))
        .reply().isSuccess()).isTrue();
  }

  @Test
  void anInstanceRecordedWithoutItsRegistrarIsAnAdminsOnly() {
    define();
    route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Register(instance("llm.a", 9001, null), null, PASSED, ADMIN, true, r));

    assertThat(code(route.<StatusReply<Done>>runCommand(r -> new RouteEntity.Heartbeat("llm.a", CI.who(), false, r))
        .reply())).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(route.<StatusReply<Done>>runCommand(r -> new RouteEntity.Heartbeat("llm.a", ADMIN.who(), true, r))
        .reply().isSuccess()).isTrue();
  }

  @Test
  void aDeploymentCannotTakeTheNameOfAStaticRoute() {
    define();
    assertThat(code(register(instance("llm.a", 9001), RouteDefinition.ephemeral("llm", "llm-prod", false, false, START), true)))
        .isEqualTo(ErrorCode.CONFLICT);
  }

  @Test
  void heartbeatsRenewTheLeaseAndALapsedLeaseRemovesTheInstance() {
    define();
    register(instance("llm.a", 9001), null, true);
    register(instance("llm.b", 9002), null, true);
    clock.advance(Duration.ofSeconds(20));
    assertThat(route.<StatusReply<Done>>runCommand(r -> new RouteEntity.Heartbeat("llm.a", ADMIN.who(), true, r)).reply().isSuccess())
        .isTrue();
    clock.advance(Duration.ofSeconds(20));

    var tick = route.runCommand(new RouteEntity.Tick());

    assertThat(tick.events()).singleElement().satisfies(e -> {
      assertThat(((RouteEntity.InstanceRemoved) e).instanceId()).isEqualTo("llm.b");
      assertThat(((RouteEntity.InstanceRemoved) e).reason()).isEqualTo("lease-expired");
    });
    assertThat(code(route.<StatusReply<Done>>runCommand(r -> new RouteEntity.Heartbeat("llm.b", ADMIN.who(), true, r)).reply()))
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  // ---- health ------------------------------------------------------------------------------

  @Test
  void twoFailedChecksTakeAnInstanceOutAndOnePassedCheckPutsItBack() {
    define();
    register(instance("llm.a", 9001), null, true);
    up.put("127.0.0.1:9001", false);

    clock.advance(Duration.ofSeconds(5));
    route.runCommand(new RouteEntity.Tick());
    assertThat(healthy("llm.a")).as("after one failed check").isTrue();

    clock.advance(Duration.ofSeconds(5));
    route.runCommand(new RouteEntity.Tick());
    await().until(() -> !healthy("llm.a"));

    up.put("127.0.0.1:9001", true);
    clock.advance(Duration.ofSeconds(5));
    route.runCommand(new RouteEntity.Tick());
    await().until(() -> healthy("llm.a"));
  }

  @Test
  void aPassiveFailureEjectsTheInstanceUntilTheEjectionTimeHasPassedAndACheckPassed() {
    define();
    register(instance("llm.a", 9001), null, true);
    up.put("127.0.0.1:9001", true);

    route.runCommand(new RouteEntity.PassiveFailure("llm.a", "connect failed"));
    assertThat(healthy("llm.a")).isFalse();

    clock.advance(Duration.ofSeconds(10));
    route.runCommand(new RouteEntity.Tick());
    assertThat(healthy("llm.a")).as("still within the ejection time").isFalse();

    clock.advance(Duration.ofSeconds(6));
    route.runCommand(new RouteEntity.Tick());
    await().until(() -> healthy("llm.a"));
  }

  // ---- choosing instances ------------------------------------------------------------------

  @Test
  void aConsumerKeepsItsInstanceAndMovesOnlyWhenItsNodeAsksToAvoidIt() {
    define();
    register(instance("llm.a", 9001), null, true);
    register(instance("llm.b", 9002), null, true);

    String first = choose("tok_alice", null);
    assertThat(choose("tok_alice", null)).isEqualTo(first);
    String other = choose("tok_alice", first);

    assertThat(other).isNotNull().isNotEqualTo(first);
    assertThat(choose("tok_alice", null)).isEqualTo(other);
  }

  @Test
  void noInstanceInRotationMeansNoChoice() {
    define();
    register(instance("llm.a", 9001), null, false);

    assertThat(choose("tok_alice", null)).isNull();
  }

  @Test
  void pinnedConsumersAreCountedPerInstance() {
    define();
    register(instance("llm.a", 9001), null, true);
    for (int i = 0; i < 4; i++) {
      choose("tok_" + i, null);
    }
    route.runCommand(new RouteEntity.RefreshSession("tok_9", "llm.a"));

    assertThat(view().instances()).singleElement().satisfies(i -> assertThat(i.activeSessions()).isEqualTo(5));
  }

  // ---- restart -----------------------------------------------------------------------------

  @Test
  void aRestartKeepsTheDefinitionAndInstancesAndIsQuietUntilTheyAreChecked() {
    define();
    register(instance("llm.a", 9001), null, true);
    up.put("127.0.0.1:9001", true);

    route.restart();

    assertThat(route.getState()).isInstanceOfSatisfying(RouteEntity.Defined.class,
        d -> assertThat(d.instances()).containsOnlyKeys("llm.a"));
    assertThat(route.<RouteEntity.KeepAliveReply>runCommand(r -> new RouteEntity.KeepAlive(0, r)).reply())
        .as("not checked yet: the node keeps what it knew").isInstanceOf(RouteEntity.UpToDate.class);

    route.runCommand(new RouteEntity.Tick());

    await().untilAsserted(() -> assertThat(
        route.<RouteEntity.KeepAliveReply>runCommand(r -> new RouteEntity.KeepAlive(0, r)).reply())
        .isInstanceOfSatisfying(RouteView.class, v -> assertThat(v.healthyInstances()).isEqualTo(1)));
  }

  @Test
  void aRestartAfterDeletionStaysDeleted() {
    define();
    route.<StatusReply<RouteView>>runCommand(r -> new RouteEntity.Delete(ADMIN, r));

    route.restart();

    assertThat(route.getState()).isInstanceOf(RouteEntity.Undefined.class);
    assertThat(define().exists()).as("defined again").isTrue();
  }
}
