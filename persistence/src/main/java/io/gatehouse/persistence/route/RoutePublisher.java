package io.gatehouse.persistence.route;

import java.time.Clock;
import java.time.Instant;
import java.util.function.LongFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * How one route's entity tells every node about the route: each change gets a newer version and
 * goes out on the routes topic, and each change of the number of healthy instances is recorded
 * in the health history. Right after the entity recovers it is quiet for a moment: its instances
 * have not been checked yet, and until they have, the other nodes keep routing on what they knew
 * rather than hearing that nothing is healthy.
 */
final class RoutePublisher {
  private final String name;
  private final ActorRef<Topic.Command<RouteView>> topic;
  private final RouteEntity.HealthRecorder history;
  private final Clock clock;
  private long version;
  private long quietUntilMillis;
  private int recordedHealthy = -1;
  private int recordedInstances = -1;

  RoutePublisher(String name, ActorRef<Topic.Command<RouteView>> topic, RouteEntity.HealthRecorder history,
      Clock clock) {
    this.name = name;
    this.topic = topic;
    this.history = history;
    this.clock = clock;
    this.version = clock.millis() * 1000;
  }

  long version() {
    return version;
  }

  boolean quiet() {
    return quietUntilMillis != 0;
  }

  void quietUntil(long epochMillis) {
    quietUntilMillis = epochMillis;
  }

  /** Whether the quiet period is over by time; {@link #changed} must then be called to speak. */
  boolean quietTimeOver(long now) {
    return quiet() && now >= quietUntilMillis;
  }

  /** Ends the quiet period and publishes the current view. */
  void speak(LongFunction<RouteView> view) {
    quietUntilMillis = 0;
    changed(view);
  }

  /** The route changed: a new version, published unless quiet. */
  void changed(LongFunction<RouteView> view) {
    version = Math.max(version + 1, clock.millis() * 1000);
    if (!quiet()) {
      RouteView v = view.apply(version);
      topic.tell(Topic.publish(v));
      record(v.healthyInstances(), v.instances().size());
    }
  }

  /** The route is deleted: every node hears it at once, quiet or not. */
  void gone() {
    quietUntilMillis = 0;
    version = Math.max(version + 1, clock.millis() * 1000);
    topic.tell(Topic.publish(RouteView.deleted(name, version)));
    record(0, 0);
  }

  private void record(int healthy, int instances) {
    if (healthy != recordedHealthy || instances != recordedInstances) {
      recordedHealthy = healthy;
      recordedInstances = instances;
      history.record(name, Instant.ofEpochMilli(clock.millis()), healthy, instances);
    }
  }
}
