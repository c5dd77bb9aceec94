package io.gatehouse.node.route;

import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.persistence.route.RouteIndexEntity;
import java.time.Duration;
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

  public sealed interface Message permits View, Index, Tick, IndexFailed {}

  private record View(RouteEntity.RouteView view) implements Message {}

  private record Index(RouteIndexEntity.State state) implements Message {}

  private record IndexFailed(Throwable cause) implements Message {}

  private record Tick() implements Message {}

  public static Behavior<Message> create(RouteTable table, ActorRef<Topic.Command<RouteEntity.RouteView>> routes,
      ActorRef<Topic.Command<RouteIndexEntity.State>> index, Runnable onLoaded) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new RouteTableUpdater(ctx, timers, table, routes, index, onLoaded)));
  }

  private final RouteTable table;
  private final ClusterSharding sharding;
  private final ActorRef<RouteEntity.RouteView> viewAdapter;
  private final Runnable onLoaded;
  private RouteIndexEntity.State index;
  private boolean loaded;
  private int ticksSinceLoad;

  private RouteTableUpdater(ActorContext<Message> ctx, TimerScheduler<Message> timers, RouteTable table,
      ActorRef<Topic.Command<RouteEntity.RouteView>> routes, ActorRef<Topic.Command<RouteIndexEntity.State>> index,
      Runnable onLoaded) {
    super(ctx);
    this.table = table;
    this.sharding = ClusterSharding.get(ctx.getSystem());
    this.onLoaded = onLoaded;
    this.viewAdapter = ctx.messageAdapter(RouteEntity.RouteView.class, View::new);
    routes.tell(Topic.subscribe(viewAdapter));
    index.tell(Topic.subscribe(ctx.messageAdapter(RouteIndexEntity.State.class, Index::new)));
    fetchIndex();
    timers.startTimerWithFixedDelay(new Tick(), KEEP_ALIVE);
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(View.class, v -> {
          table.apply(v.view());
          checkLoaded();
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
      RouteEntity.ref(sharding, name).tell(new RouteEntity.KeepAlive(table.version(name), viewAdapter));
    }
  }

  /** Loaded once every indexed route has a view here, or after a few intervals in any case. */
  private void checkLoaded() {
    if (loaded || index == null) {
      return;
    }
    boolean all = index.claims().keySet().stream().allMatch(n -> table.get(n) != null);
    if (all || ticksSinceLoad >= 3) {
      loaded = true;
      getContext().getLog().info("route table loaded: {} of {} routes", table.all().size(), index.claims().size());
      onLoaded.run();
    }
  }
}
