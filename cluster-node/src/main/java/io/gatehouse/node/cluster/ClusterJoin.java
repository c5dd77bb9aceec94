package io.gatehouse.node.cluster;

import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.NodeSettings;
import io.gatehouse.persistence.store.ClusterMembers;
import io.gatehouse.persistence.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node becomes a member of its namespace's cluster. With discovery, {@link DiscoveryJoin}
 * decides. Otherwise the seed nodes do (none: the node itself), with one guard that Pekko cannot
 * give: a node on PostgreSQL first looks in the shared store for members that are up, and joins
 * them if there are any. Without it, a restarted first seed node joins itself and forms a second
 * cluster beside the running one: two clusters on one database, each with its own copy of every
 * entity. Every member reports itself in the store every {@link #REPORT_EVERY} while up, and
 * removes its row when it leaves.
 */
public final class ClusterJoin {
  private static final Logger log = LoggerFactory.getLogger(ClusterJoin.class);
  static final Duration REPORT_EVERY = Duration.ofSeconds(2);
  /** A member whose last report is older than this is taken for gone. */
  static final Duration FRESH = Duration.ofSeconds(8);

  private final Cluster cluster;
  private final NodeSettings settings;
  private final ClusterMembers members;
  private final ScheduledExecutorService timer;
  private final String self;
  private List<String> issued;

  private ClusterJoin(Cluster cluster, NodeSettings settings, ClusterMembers members, ScheduledExecutorService timer) {
    this.cluster = cluster;
    this.settings = settings;
    this.members = members;
    this.timer = timer;
    this.self = settings.selfRemote();
  }

  /** Starts joining (it completes in the background; see {@link #awaitUp}). */
  public static void start(Cluster cluster, NodeSettings settings, Store store, ActorSystem<?> system) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gatehouse-cluster-join");
      t.setDaemon(true);
      return t;
    });
    system.getWhenTerminated().thenRun(timer::shutdownNow);
    if (settings.cluster().discovery() != null) {
      new DiscoveryJoin(cluster, settings.cluster().discovery(), timer).start();
      return;
    }
    if (store.isH2()) {
      // The embedded store serves one node only (a cluster is refused on it at start).
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      return;
    }
    ClusterMembers members = new ClusterMembers(store.sql());
    ClusterJoin join = new ClusterJoin(cluster, settings, members, timer);
    join.attempt();
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseClusterExiting(), "gatehouse-member-gone", () ->
        CompletableFuture.supplyAsync(() -> {
          join.forget();
          return Done.getInstance();
        }, timer));
  }

  /**
   * Joins the members that are up when there are any, else the seed nodes. Until this node is up
   * it looks again every few seconds: members that were up may have gone meanwhile (all of them
   * killed at once, say), and then the seed nodes decide.
   */
  private void attempt() {
    if (cluster.selfMember().status() == MemberStatus.up()) {
      timer.scheduleWithFixedDelay(this::report, 0, REPORT_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    List<String> up = new ArrayList<>();
    try {
      up.addAll(members.seenSince(System.currentTimeMillis() - FRESH.toMillis()));
    } catch (RuntimeException e) {
      log.warn("could not read the cluster's members from the store ({}); joining the seed nodes", e.getMessage());
    }
    up.remove(self);
    up.sort(null);
    List<String> seeds = settings.cluster().seedNodes().isEmpty() ? List.of(self) : settings.cluster().seedNodes();
    List<String> target = up.isEmpty() ? seeds : up;
    if (!target.equals(issued)) {
      issued = target;
      join(target, !up.isEmpty());
    }
    timer.schedule(this::attempt, 3, TimeUnit.SECONDS);
  }

  private void join(List<String> nodes, boolean running) {
    if (running) {
      log.info("members {} are up: joining their cluster", nodes);
    }
    Set<Address> seeds = new LinkedHashSet<>();
    for (String hostPort : nodes) {
      seeds.add(AddressFromURIString.parse("pekko://" + GatehouseNode.SYSTEM_NAME + "@" + hostPort));
    }
    cluster.manager().tell(new JoinSeedNodes(new ArrayList<>(seeds)));
  }

  private void report() {
    try {
      if (cluster.selfMember().status() == MemberStatus.up()) {
        members.seen(self, System.currentTimeMillis());
      }
    } catch (RuntimeException e) {
      log.debug("could not report this member in the store: {}", e.getMessage());
    }
  }

  private void forget() {
    try {
      members.gone(self);
    } catch (RuntimeException e) {
      log.debug("could not remove this member from the store: {}", e.getMessage());
    }
  }

  /** Waits until this node is up in its cluster. */
  public static void awaitUp(Cluster cluster, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("this node did not join its cluster within " + timeout.toSeconds()
            + " s; check GATEHOUSE_SEED_NODES and that the seeds are reachable");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** How the node found its cluster, for the start-up summary. */
  public static String describe(NodeSettings s) {
    if (s.cluster().discovery() != null) {
      return " (found through " + s.cluster().discovery().method() + " discovery)";
    }
    return s.cluster().seedNodes().isEmpty() || !s.clustered() ? " (a cluster of its own)"
        : " (seeds " + String.join(", ", s.cluster().seedNodes()) + ")";
  }
}
