package io.gatehouse.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/** The readiness check Pekko Management runs for {@code /ready} (configured in cluster.conf). */
public final class NodeReadiness implements Supplier<CompletionStage<Boolean>> {
  private final NodeStatus status;

  public NodeReadiness(ActorSystem system) {
    this.status = NodeStatus.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(status.ready());
  }
}
