package io.gatehouse.node.directory;

import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Keeps a {@link DirectoryView} current: loads the whole state at start, then applies the events
 * the directory entity publishes on its topic and those the node reads from the journal
 * (whichever comes first; the other is ignored); when it sees a gap it fetches the whole state
 * again.
 */
public final class DirectoryViewUpdater extends AbstractBehavior<DirectoryViewUpdater.Message> {

  public sealed interface Message permits Event, Fetch, Fetched, FetchFailed {}

  /** A directory event, from the topic or from the journal. */
  public record Event(DirectoryEntity.Published published) implements Message {}

  private record Fetch() implements Message {}

  private record Fetched(DirectoryState state) implements Message {}

  private record FetchFailed(Throwable cause) implements Message {}

  public static Behavior<Message> create(
      DirectoryView view, ActorRef<Topic.Command<DirectoryEntity.Published>> topic, Runnable onLoaded) {
    return Behaviors.setup(ctx -> new DirectoryViewUpdater(ctx, view, topic, onLoaded));
  }

  private final DirectoryView view;
  private final ClusterSharding sharding;
  private final Runnable onLoaded;
  private boolean loaded;
  private boolean fetching;

  private DirectoryViewUpdater(
      ActorContext<Message> ctx,
      DirectoryView view,
      ActorRef<Topic.Command<DirectoryEntity.Published>> topic,
      Runnable onLoaded) {
    super(ctx);
    this.view = view;
    this.sharding = ClusterSharding.get(ctx.getSystem());
    this.onLoaded = onLoaded;
    topic.tell(Topic.subscribe(ctx.messageAdapter(DirectoryEntity.Published.class, Event::new)));
    ctx.getSelf().tell(new Fetch());
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Event.class, this::onEvent)
        .onMessage(Fetch.class, m -> fetch())
        .onMessage(Fetched.class, this::onFetched)
        .onMessage(FetchFailed.class, this::onFetchFailed)
        .build();
  }

  private Behavior<Message> onEvent(Event e) {
    if (view.apply(e.published().version(), e.published().event()) == DirectoryView.Applied.GAP) {
      return fetch();
    }
    return this;
  }

  private Behavior<Message> fetch() {
    if (!fetching) {
      fetching = true;
      getContext().ask(DirectoryState.class, DirectoryEntity.ref(sharding), Duration.ofSeconds(10),
          DirectoryEntity.GetState::new,
          (state, failure) -> state != null ? new Fetched(state) : new FetchFailed(failure));
    }
    return this;
  }

  private Behavior<Message> onFetched(Fetched f) {
    fetching = false;
    view.offer(f.state());
    if (!loaded) {
      loaded = true;
      getContext().getLog().info("directory view loaded at version {}", f.state().version());
      onLoaded.run();
    }
    return this;
  }

  private Behavior<Message> onFetchFailed(FetchFailed f) {
    fetching = false;
    getContext().getLog().warn("could not fetch the directory ({}); retrying", f.cause().toString());
    getContext().scheduleOnce(Duration.ofSeconds(1), getContext().getSelf(), new Fetch());
    return this;
  }
}
