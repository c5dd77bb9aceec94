package io.gatehouse.node.session;

import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.protocol.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One consumer's session on one route, sharded by {@code <route>|<consumer>}: the instance the
 * consumer is pinned to. Every node asks the same actor, so the consumer reaches the same
 * instance whichever node takes its request.
 *
 * <p>The pin is chosen by the route's entity (bounded-load rendezvous) and kept in both places:
 * this actor refreshes it there while the consumer is active, and a session that lost its actor
 * (node lost, rebalanced) gets its pin back from the route; a route entity that lost its memory
 * relearns pins from the refreshes, and one that lost both re-derives the same choice from the
 * rendezvous ranking. The pin changes only when its instance leaves rotation.
 */
public final class ConsumerSession {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ConsumerSession");
  /** A consumer idle this long gives its pin back. */
  static final Duration IDLE = Duration.ofMinutes(30);
  static final Duration REFRESH = Duration.ofMinutes(5);
  private static final Duration CHOOSE_TIMEOUT = Duration.ofSeconds(5);

  private ConsumerSession() {}

  public sealed interface Command extends CborSerializable permits Resolve, Touch, Stop, Answered, Refresh {}

  /** Which instance to use; {@code avoid} is the pinned instance when the asking node saw it leave rotation. */
  public record Resolve(String avoid, ActorRef<Pin> replyTo) implements Command {}

  /** The answer: null when the route has no instance in rotation. */
  public record Pin(String instanceId) implements CborSerializable {}

  /** The consumer is still active (sent by the data plane every few minutes at most). */
  public record Touch() implements Command {}

  /** Sent by sharding when the session passivates. */
  public record Stop() implements Command {}

  record Answered(String instanceId, Throwable failure) implements Command {}

  record Refresh() implements Command {}

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId()))
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

  public static Behavior<Command> create(String entityId) {
    int bar = entityId.indexOf('|');
    String route = entityId.substring(0, bar);
    String consumer = entityId.substring(bar + 1);
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Session(ctx, timers, route, consumer).idle()));
  }

  private static final class Session {
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final String consumer;
    private final EntityRef<RouteEntity.Command> route;
    private final List<ActorRef<Pin>> waiting = new ArrayList<>();
    private String pinned;

    Session(ActorContext<Command> ctx, TimerScheduler<Command> timers, String route, String consumer) {
      this.ctx = ctx;
      this.timers = timers;
      this.consumer = consumer;
      this.route = RouteEntity.ref(ClusterSharding.get(ctx.getSystem()), route);
    }

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessage(Resolve.class, this::onResolve)
          .onMessage(Answered.class, this::onAnswered)
          .onMessage(Touch.class, t -> Behaviors.same())
          .onMessage(Refresh.class, r -> {
            if (pinned != null) {
              route.tell(new RouteEntity.RefreshSession(consumer, pinned));
            }
            return Behaviors.same();
          })
          .onMessage(Stop.class, s -> {
            if (pinned != null) {
              route.tell(new RouteEntity.ReleaseSession(consumer, pinned));
            }
            return Behaviors.stopped();
          })
          .build();
    }

    private Behavior<Command> onResolve(Resolve r) {
      if (pinned != null && !pinned.equals(r.avoid())) {
        r.replyTo().tell(new Pin(pinned));
        return Behaviors.same();
      }
      waiting.add(r.replyTo());
      if (waiting.size() == 1) {
        String avoid = r.avoid();
        ctx.ask(RouteEntity.Chosen.class, route, CHOOSE_TIMEOUT,
            replyTo -> new RouteEntity.Choose(consumer, avoid, replyTo),
            (chosen, failure) -> new Answered(chosen == null ? null : chosen.instanceId(), failure));
      }
      return Behaviors.same();
    }

    private Behavior<Command> onAnswered(Answered a) {
      if (a.failure() == null) {
        pinned = a.instanceId();
        if (pinned != null && !timers.isTimerActive("refresh")) {
          timers.startTimerWithFixedDelay("refresh", new Refresh(), REFRESH);
        }
      } else {
        ctx.getLog().debug("route did not answer for {}: {}", consumer, a.failure().toString());
      }
      // On a failed ask the waiters get no pin: their requests answer 503 and the next one retries.
      Pin pin = new Pin(a.failure() == null ? pinned : null);
      waiting.forEach(w -> w.tell(pin));
      waiting.clear();
      return Behaviors.same();
    }
  }
}
