package io.gatehouse.node.cluster;

import io.gatehouse.protocol.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The gateway nodes ("routers") of the cluster, for {@code GET /routers}: Pekko's view of the
 * members (status, roles, reachability) joined with what each node says about itself (started
 * when, which version, where its data plane and admin API listen, its last connectivity test),
 * which every node announces on a topic every few seconds.
 */
public final class Routers {
  static final Duration ANNOUNCE = Duration.ofSeconds(2);
  public static final String TOPIC = "gatehouse-routers";

  /**
   * What a node says about itself. {@code dataPlane} is the public URL consumers use (the same for
   * every node behind a load balancer); {@code nodeDataPlane} is where this node's own data plane
   * listens (null until it does).
   */
  public record NodeInfo(String address, String namespace, String version, Instant startedAt, String dataPlane,
      String adminApi, String nodeDataPlane, LastTest lastTest) implements CborSerializable {
    NodeInfo listening(String url) {
      return new NodeInfo(address, namespace, version, startedAt, dataPlane, adminApi, url, lastTest);
    }

    NodeInfo tested(LastTest test) {
      return new NodeInfo(address, namespace, version, startedAt, dataPlane, adminApi, nodeDataPlane, test);
    }
  }

  /** When this node last ran the connectivity test, and whether every step passed. */
  public record LastTest(Instant time, boolean ok) implements CborSerializable {}

  /** One row of the listing. {@code uptimeSeconds} and the URLs are null until the node has announced itself. */
  public record Router(String address, String status, boolean reachable, List<String> roles, boolean leader,
      boolean self, String namespace, String version, Long uptimeSeconds, String dataPlane, String adminApi,
      String nodeDataPlane, LastTest lastTest) {}

  private final Map<String, NodeInfo> announced = new ConcurrentHashMap<>();
  private final Cluster cluster;
  private volatile NodeInfo self;

  public Routers(Cluster cluster, NodeInfo self) {
    this.cluster = cluster;
    this.self = self;
    announced.put(self.address(), self);
  }

  /** This node's data plane listens at {@code url}. */
  public void listening(String url) {
    self = self.listening(url);
    announced.put(self.address(), self);
  }

  /** This node ran the connectivity test. */
  public void tested(LastTest test) {
    self = self.tested(test);
    announced.put(self.address(), self);
  }

  public List<Router> list() {
    ClusterEvent.CurrentClusterState state = cluster.state();
    Instant now = Instant.now();
    String leader = state.getLeader() == null ? null : hostPort(state.getLeader());
    List<Router> out = new ArrayList<>();
    java.util.Set<Member> unreachable = state.getUnreachable();
    for (Member m : state.getMembers()) {
      String address = hostPort(m.address());
      NodeInfo info = announced.get(address);
      out.add(new Router(address, m.status().toString(), !unreachable.contains(m),
          m.getRoles().stream().sorted().toList(), address.equals(leader), address.equals(self.address()),
          info == null ? self.namespace() : info.namespace(), info == null ? null : info.version(),
          info == null ? null : Duration.between(info.startedAt(), now).toSeconds(),
          info == null ? null : info.dataPlane(), info == null ? null : info.adminApi(),
          info == null ? null : info.nodeDataPlane(), info == null ? null : info.lastTest()));
    }
    return out;
  }

  static String hostPort(org.apache.pekko.actor.Address a) {
    return a.getHost().orElse("?") + ":" + a.getPort().map(String::valueOf).orElse("?");
  }

  /** Messages of the announcing actor. */
  public sealed interface Message permits Announce, Heard {}

  private record Announce() implements Message {}

  private record Heard(NodeInfo info) implements Message {}

  /** The actor that announces this node every few seconds and records what the others announce. */
  public Behavior<Message> behavior(ActorRef<Topic.Command<NodeInfo>> topic) {
    return Behaviors.setup(ctx -> {
      topic.tell(Topic.subscribe(ctx.messageAdapter(NodeInfo.class, Heard::new)));
      return Behaviors.withTimers(timers -> {
        timers.startTimerWithFixedDelay("announce", new Announce(), Duration.ZERO, ANNOUNCE);
        return Behaviors.receive(Message.class)
            .onMessage(Announce.class, a -> {
              topic.tell(Topic.publish(self));
              return Behaviors.same();
            })
            .onMessage(Heard.class, h -> {
              announced.put(h.info().address(), h.info());
              return Behaviors.same();
            })
            .build();
      });
    });
  }
}
