package io.gatehouse.node.directory;

import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * Changes the directory through its entity and shows the result on this node at once: the
 * entity answers with the new state, which is offered to the node's view before the caller
 * hears back.
 */
public final class DirectoryService {
  private final ClusterSharding sharding;
  private final DirectoryView view;
  private final Duration askTimeout;

  public DirectoryService(ClusterSharding sharding, DirectoryView view, Duration askTimeout) {
    this.sharding = sharding;
    this.view = view;
    this.askTimeout = askTimeout;
  }

  public DirectoryView view() {
    return view;
  }

  public CompletionStage<DirectoryState> change(
      Function<ActorRef<StatusReply<DirectoryState>>, DirectoryEntity.Command> command) {
    return DirectoryEntity.ref(sharding)
        .askWithStatus(command::apply, askTimeout)
        .thenApply(state -> {
          view.offer(state);
          return view.current();
        });
  }

  /** The authoritative state, from the entity rather than this node's view. */
  public CompletionStage<DirectoryState> authoritative() {
    return DirectoryEntity.ref(sharding).ask(DirectoryEntity.GetState::new, askTimeout);
  }
}
