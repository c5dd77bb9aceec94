package io.gatehouse.node.token;

import io.gatehouse.persistence.token.TokenEntity;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Feeds this node's {@link TokenCache} from the token topic (every issue and revocation, from
 * any node) and sweeps it once a minute. The journal is the cache's second feed (see
 * {@code JournalFollower}).
 */
public final class TokenCacheUpdater {
  private TokenCacheUpdater() {}

  public sealed interface Message permits Published, Sweep, Broadcasts {}

  /**
   * Turns this node's subscription to token broadcasts off and on: for failure drills, which show
   * that revocations still arrive through the journal.
   */
  public record Broadcasts(boolean on) implements Message {}

  private record Published(TokenEntity.Published published) implements Message {}

  private record Sweep() implements Message {}

  public static Behavior<Message> create(TokenCache cache, ActorRef<Topic.Command<TokenEntity.Published>> topic) {
    return Behaviors.setup(ctx -> {
      ActorRef<TokenEntity.Published> subscriber = ctx.messageAdapter(TokenEntity.Published.class, Published::new);
      topic.tell(Topic.subscribe(subscriber));
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay(new Sweep(), Duration.ofMinutes(1));
        return Behaviors.receive(Message.class)
            .onMessage(Published.class, p -> {
              cache.offer(p.published().token());
              return Behaviors.same();
            })
            .onMessage(Broadcasts.class, b -> {
              topic.tell(b.on() ? Topic.subscribe(subscriber) : Topic.unsubscribe(subscriber));
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
