package io.gatehouse.node.route;

import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.persistence.route.RouteIndexEntity;
import io.gatehouse.persistence.route.RouteView;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Keeps this node's {@link RouteTable} current and every route entity running.
 *
 * <p>Route views arrive on the routes topic as the entities change. Every second the updater also
 * reads the route index and sends each route in it a keep-alive carrying the version it holds:
 * the entity (started by that message if it was not running, so its prober runs) answers with
 * its view when the node's copy is behind. A lost publication therefore costs one interval.
 */
public final class RouteTableUpdater extends AbstractBehavior<RouteTableUpdater.Message> {
  static final Duration KEEP_ALIVE = Duration.ofSeconds(1);
  /** A node waits this many keep-alive intervals at most for every route's view before it is ready. */
  static final int GIVE_UP_TICKS = 30;

  public sealed interface Message permits Fresh, Index, Tick, IndexFailed {}

  /** A route's view (published, or the answer to a keep-alive), or word that this node's copy is current. */
  private record Fresh(RouteEntity.KeepAliveReply reply) implements Message {}

  private record Index(RouteIndexEntity.State state) implements Message {}

  private record IndexFailed(Throwable cause) implements Message {}

  private record Tick() implements Message {}

  public static Behavior<Message> create(RouteTable table, ActorRef<Topic.Command<RouteView>> routes,
      ActorRef<Topic.Command<RouteIndexEntity.State>> index, Runnable onLoaded) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new RouteTableUpdater(ctx, timers, table, routes, index, onLoaded)));
  }

  private final RouteTable table;
  private final ClusterSharding sharding;
  private final ActorRef<RouteEntity.KeepAliveReply> keepAliveAdapter;
  private final Runnable onLoaded;
  private RouteIndexEntity.State index;
  private boolean loaded;
  private int ticksSinceLoad;

  private RouteTableUpdater(ActorContext<Message> ctx, TimerScheduler<Message> timers, RouteTable table,
      ActorRef<Topic.Command<RouteView>> routes, ActorRef<Topic.Command<RouteIndexEntity.State>> index,
      Runnable onLoaded) {
    super(ctx);
    this.table = table;
    this.sharding = ClusterSharding.get(ctx.getSystem());
    this.onLoaded = onLoaded;
    this.keepAliveAdapter = ctx.messageAdapter(RouteEntity.KeepAliveReply.class, Fresh::new);
    routes.tell(Topic.subscribe(keepAliveAdapter.<RouteView>narrow()));
    index.tell(Topic.subscribe(ctx.messageAdapter(RouteIndexEntity.State.class, Index::new)));
    fetchIndex();
    timers.startTimerWithFixedDelay(new Tick(), KEEP_ALIVE);
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Fresh.class, f -> {
          if (f.reply() instanceof RouteView view) {
            table.apply(view);
            checkLoaded();
          }
          return this;
        })
        .onMessage(Index.class, this::onIndex)
        .onMessage(IndexFailed.class, f -> {
          getContext().getLog().warn("could not read the route index ({}); retrying", f.cause().toString());
          return this;
        })
        .onMessage(Tick.class, t -> {
          fetchIndex();
          if (index != null) {
            keepAlive();
            ticksSinceLoad++;
            checkLoaded();
          }
          return this;
        })
        .build();
  }

  private void fetchIndex() {
    getContext().ask(RouteIndexEntity.State.class, RouteIndexEntity.ref(sharding), Duration.ofSeconds(5),
        RouteIndexEntity.GetState::new, (state, failure) -> state != null ? new Index(state) : new IndexFailed(failure));
  }

  private Behavior<Message> onIndex(Index i) {
    if (index != null && i.state().version() <= index.version()) {
      return this;
    }
    index = i.state();
    table.retain(index.claims().keySet());
    keepAlive();
    checkLoaded();
    return this;
  }

  private void keepAlive() {
    for (String name : index.claims().keySet()) {
      RouteEntity.ref(sharding, name).tell(new RouteEntity.KeepAlive(table.version(name), keepAliveAdapter));
    }
  }

  /**
   * Loaded once every indexed route has a view here: a route's entity answers only once it has
   * checked its instances (see {@code RoutePublisher}), so a loaded table also knows which
   * instances are in rotation, and a node that says it is ready serves at once. A route whose
   * entity does not answer for {@link #GIVE_UP_TICKS} intervals does not hold the node back
   * for ever; it is named in the log.
   */
  private void checkLoaded() {
    if (loaded || index == null) {
      return;
    }
    List<String> missing = index.claims().keySet().stream().filter(n -> table.get(n) == null).toList();
    if (missing.isEmpty() || ticksSinceLoad >= GIVE_UP_TICKS) {
      loaded = true;
      if (missing.isEmpty()) {
        getContext().getLog().info("route table loaded: {} routes", table.all().size());
      } else {
        getContext().getLog().warn("route table loaded without {} (their entities did not answer within {} s)",
            missing, GIVE_UP_TICKS * KEEP_ALIVE.toSeconds());
      }
      onLoaded.run();
    }
  }
}
