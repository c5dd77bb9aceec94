package io.gatehouse.node.affinity;

import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.persistence.session.ConsumerSessionEntity;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** The consumers' sessions as cluster sharding holds them: what {@link InstancePicker} asks on a miss. */
public final class ShardedSessions implements InstancePicker.Sessions {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;

  /** @param askTimeout how long a request waits for its session before it goes on without it */
  public ShardedSessions(ActorSystem<?> system, Duration askTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
  }

  @Override
  public CompletionStage<String> resolve(String route, String consumer, String avoid) {
    return ConsumerSessionEntity.ref(sharding, route, consumer)
        .<ConsumerSessionEntity.Pin>ask(r -> new ConsumerSessionEntity.Resolve(avoid, r), askTimeout)
        .thenApply(ConsumerSessionEntity.Pin::instanceId);
  }

  @Override
  public CompletionStage<Optional<String>> persisted(String route, String consumer) {
    return ConsumerSessionEntity.persistedPin(system, ConsumerSessionEntity.entityId(route, consumer));
  }

  @Override
  public void stillActive(String route, String consumer, String instanceId) {
    RouteEntity.ref(sharding, route).tell(new RouteEntity.RefreshSession(consumer, instanceId));
  }
}
