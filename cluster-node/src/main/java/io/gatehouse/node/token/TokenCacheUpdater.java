package io.gatehouse.node.token;

import io.gatehouse.persistence.token.TokenEntity;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Feeds this node's {@link TokenCache} from the token topic (every issue and revocation, from
 * any node) and sweeps it once a minute.
 */
public final class TokenCacheUpdater {
  private TokenCacheUpdater() {}

  public sealed interface Message permits Published, Sweep {}

  private record Published(TokenEntity.Published published) implements Message {}

  private record Sweep() implements Message {}

  public static Behavior<Message> create(TokenCache cache, ActorRef<Topic.Command<TokenEntity.Published>> topic) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.messageAdapter(TokenEntity.Published.class, Published::new)));
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(new Sweep(), Duration.ofMinutes(1));
        return Behaviors.receive(Message.class)
            .onMessage(Published.class, p -> {
              cache.offer(p.published().token());
              return Behaviors.same();
            })
            .onMessage(Sweep.class, s -> {
              cache.sweep(Duration.ofMinutes(10));
              return Behaviors.same();
            })
            .build();
      });
    });
  }
}
