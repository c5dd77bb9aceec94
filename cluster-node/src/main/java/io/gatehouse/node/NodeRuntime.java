package io.gatehouse.node;

import io.gatehouse.persistence.store.IdMint;
import io.gatehouse.persistence.store.Store;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import scala.concurrent.ExecutionContextExecutor;

/**
 * What every feature of a node is built on: its settings, the actor system and its cluster, the
 * store, the dispatcher for blocking JDBC work (an {@code Executor} too), the clock, and the node's own address.
 *
 * @param node this node's {@code host:remotePort}, as audit events and metrics name it
 * @param journalEnd the journal's last ordering at start: views follow the journal from there
 * @param mint makes the ids of credentials (tokens, browser sessions) so the cluster knows its own
 */
public record NodeRuntime(NodeSettings settings, ActorSystem<Void> system, Cluster cluster, ClusterSharding sharding,
    Store store, ExecutionContextExecutor jdbc, Clock clock, String node, long journalEnd, IdMint mint) {

  /** A cluster pub-sub topic of this node. */
  public <T> ActorRef<Topic.Command<T>> topic(Class<T> type, String name) {
    return system.systemActorOf(Topic.create(type, name), name, Props.empty());
  }
}
