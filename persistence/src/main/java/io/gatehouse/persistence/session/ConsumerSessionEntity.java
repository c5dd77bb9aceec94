package io.gatehouse.persistence.session;

import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.protocol.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * One consumer's session on one route, sharded by {@code <route>|<consumer>}: the instance the
 * consumer is pinned to. Every node asks the same actor, so the consumer reaches the same
 * instance whichever node takes its request.
 *
 * <p>The pin is chosen by the route's entity (bounded-load rendezvous) and persisted here, so it
 * survives the loss of any node: a session that moves recovers its pin from the journal. The
 * pin changes only when the asking node reports that the pinned instance left rotation.
 *
 * <p>The actor is awake only around a decision: data planes keep the pins they have seen, so a
 * consumer's requests after its first on a node ask nothing, and the session passivates after
 * {@link #IDLE} without a question; a consumer that is not asking costs no memory but its row in
 * the journal. The route's count of pins per instance (the load bound) is kept fresh by the data
 * planes, which report each consumer they serve to the route every few minutes, and by this
 * actor on recovery; the route forgets a consumer it has not heard of for a while
 * ({@code gatehouse.affinity.forget-inactive-after}, 15 minutes by default).
 *
 * <p>Replies go to every request waiting for the route's choice at once, so this entity does not
 * use enforced replies.
 */
public final class ConsumerSessionEntity
    extends EventSourcedBehavior<ConsumerSessionEntity.Command, ConsumerSessionEntity.Event, ConsumerSessionEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ConsumerSession");
  /** A session not asked for this long passivates (its pin stays in the journal). */
  static final Duration IDLE = Duration.ofMinutes(2);
  private static final Duration CHOOSE_TIMEOUT = Duration.ofSeconds(3);

  public record State(String instanceId) implements CborSerializable {}

  public sealed interface Command extends CborSerializable permits Resolve, Stop, Answered {}

  /** Which instance to use; {@code avoid} is the pinned instance when the asking node saw it leave rotation. */
  public record Resolve(String avoid, ActorRef<Pin> replyTo) implements Command {}

  /** The answer: null when the route has no instance in rotation (or did not answer). */
  public record Pin(String instanceId) implements CborSerializable {}

  /** Sent by sharding when the session passivates. */
  public record Stop() implements Command {}

  record Answered(String instanceId, String failure) implements Command {}

  public sealed interface Event extends CborSerializable permits Pinned {}

  public record Pinned(String instanceId) implements Event {}

  public static void init(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), route -> RouteEntity.ref(sharding, route)))
        .withStopMessage(new Stop())
        .withSettings(ClusterShardingSettings.create(system).withPassivationStrategy(
            ClusterShardingSettings.PassivationStrategySettings$.MODULE$.defaults().withIdleEntityPassivation(IDLE))));
  }

  public static String entityId(String route, String consumer) {
    return route + "|" + consumer;
  }

  public static EntityRef<Command> ref(ClusterSharding sharding, String route, String consumer) {
    return sharding.entityRefFor(ENTITY_KEY, entityId(route, consumer));
  }

  /**
   * The consumer's pin as the journal holds it, read without the session actor: for a node that
   * cannot reach the session right now (its node was just lost), so the consumer still reaches
   * its own instance.
   */
  public static CompletionStage<Optional<String>> persistedPin(ActorSystem<?> system, String entityId) {
    JdbcReadJournal journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal.currentEventsByPersistenceId(persistenceId(entityId).id(), 0L, Long.MAX_VALUE)
        .map(envelope -> ((Pinned) envelope.event()).instanceId())
        .runWith(Sink.lastOption(), system);
  }

  static PersistenceId persistenceId(String entityId) {
    // The entity id holds a '|' (route|consumer), which PersistenceId.of reserves as its separator.
    return PersistenceId.ofUniqueId(ENTITY_KEY.name() + "|" + entityId);
  }

  /**
   * The session {@code <route>|<consumer>}; {@code routes} finds a route's entity by name (cluster
   * sharding on a node, a test's probe in a test).
   */
  public static Behavior<Command> create(String entityId, Function<String, RecipientRef<RouteEntity.Command>> routes) {
    int bar = entityId.indexOf('|');
    return Behaviors.setup(ctx -> new ConsumerSessionEntity(
        entityId, routes.apply(entityId.substring(0, bar)), entityId.substring(bar + 1), ctx));
  }

  private final String consumer;
  private final RecipientRef<RouteEntity.Command> route;
  private final ActorContext<Command> ctx;
  private final List<ActorRef<Pin>> waiting = new ArrayList<>();

  private ConsumerSessionEntity(String entityId, RecipientRef<RouteEntity.Command> route, String consumer,
      ActorContext<Command> ctx) {
    super(persistenceId(entityId));
    this.consumer = consumer;
    this.route = route;
    this.ctx = ctx;
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.instanceId() != null) {
            // The route's count of this instance's consumers includes this one again.
            route.tell(new RouteEntity.RefreshSession(consumer, state.instanceId()));
          }
        })
        .build();
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Resolve.class, this::onResolve)
        .onCommand(Answered.class, this::onAnswered)
        .onCommand(Stop.class, (state, s) -> Effect().stop())
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Pinned.class, (state, e) -> new State(e.instanceId())).build();
  }

  private Effect<Event, State> onResolve(State state, Resolve r) {
    if (state.instanceId() != null && !state.instanceId().equals(r.avoid())) {
      r.replyTo().tell(new Pin(state.instanceId()));
      return Effect().none();
    }
    waiting.add(r.replyTo());
    if (waiting.size() == 1) {
      String avoid = r.avoid();
      ctx.ask(RouteEntity.Chosen.class, route, CHOOSE_TIMEOUT,
          replyTo -> new RouteEntity.Choose(consumer, avoid, replyTo),
          (chosen, failure) -> new Answered(chosen == null ? null : chosen.instanceId(),
              failure == null ? null : failure.toString()));
    }
    return Effect().none();
  }

  private Effect<Event, State> onAnswered(State state, Answered a) {
    List<ActorRef<Pin>> replies = List.copyOf(waiting);
    waiting.clear();
    if (a.failure() != null || a.instanceId() == null) {
      if (a.failure() != null) {
        ctx.getLog().debug("route did not answer for {}: {}", consumer, a.failure());
      }
      // No pin to give: the waiting requests decide for themselves (503, or a local choice).
      replies.forEach(w -> w.tell(new Pin(null)));
      return Effect().none();
    }
    if (a.instanceId().equals(state.instanceId())) {
      replies.forEach(w -> w.tell(new Pin(a.instanceId())));
      return Effect().none();
    }
    return Effect().persist(new Pinned(a.instanceId()))
        .thenRun(after -> replies.forEach(w -> w.tell(new Pin(after.instanceId()))));
  }
}
