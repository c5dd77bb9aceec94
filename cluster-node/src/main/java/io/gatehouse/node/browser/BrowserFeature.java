package io.gatehouse.node.browser;

import io.gatehouse.node.NodeRuntime;
import io.gatehouse.node.cluster.JournalFollower;
import io.gatehouse.persistence.session.BrowserSessionEntity;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Browser sessions on one node: the event-sourced {@link BrowserSessionEntity}, and this node's
 * {@link BrowserSessions} fed by the sessions' topic and by the journal (a lost broadcast of a
 * sign-out costs one polling interval).
 */
public record BrowserFeature(BrowserSessions sessions) {

  public static BrowserFeature start(NodeRuntime rt) {
    var topic = rt.topic(BrowserSessionEntity.Published.class, BrowserSessionEntity.TOPIC);
    BrowserSessionEntity.init(rt.system(), topic, rt.clock());
    BrowserSessions sessions = new BrowserSessions(
        BrowserSessions.Entities.sharded(rt.sharding(), rt.settings().askTimeout(), rt.node()),
        id -> rt.mint().minted(id, 0));
    Behavior<BrowserSessionEntity.Published> follower = Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.getSelf()));
      return Behaviors.receiveMessage(p -> {
        sessions.apply(p.sessionId(), p.state());
        return Behaviors.same();
      });
    });
    rt.system().systemActorOf(follower, "browser-sessions", Props.empty());
    JournalFollower.follow(rt.system(), BrowserSessionEntity.TAG, rt.journalEnd(),
        e -> sessions.apply((BrowserSessionEntity.Event) e.event()));
    return new BrowserFeature(sessions);
  }
}
