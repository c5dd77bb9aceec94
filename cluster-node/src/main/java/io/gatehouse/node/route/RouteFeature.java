package io.gatehouse.node.route;

import io.gatehouse.node.NodeRuntime;
import io.gatehouse.node.directory.DirectoryFeature;
import io.gatehouse.persistence.metrics.HealthHistory;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.persistence.route.RouteIndexEntity;
import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.persistence.session.ConsumerSessionEntity;
import io.gatehouse.node.upstream.AddressPolicy;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.LoggerFactory;

/**
 * Routes on one node: the sharded {@link RouteEntity} (one per route, with its prober) and
 * {@link RouteIndexEntity}, the consumers' sessions, this node's {@link RouteTable} kept current
 * by the {@link RouteTableUpdater}, the health history, and the service the admin API uses.
 */
public record RouteFeature(RouteTable table, RouteService service, HealthHistory healthHistory,
    CompletableFuture<Done> loaded, AddressPolicy addresses) {
  /** How often a route entity looks at its leases and health checks. */
  private static final Duration TICK = Duration.ofSeconds(1);

  public static RouteFeature start(NodeRuntime rt, DirectoryFeature directory) {
    var settings = rt.settings();
    var routeTopic = rt.topic(RouteView.class, RouteEntity.TOPIC);
    var indexTopic = rt.topic(RouteIndexEntity.State.class, RouteIndexEntity.TOPIC);
    RouteIndexEntity.init(rt.system(), indexTopic);
    HealthHistory history = new HealthHistory(rt.store().sql());
    AddressPolicy addresses = addressPolicy(rt);
    InstanceProber prober = new InstanceProber(addresses);
    RouteEntity.init(rt.system(), new RouteEntity.Deps(routeTopic, prober, claims(rt.sharding(), settings.askTimeout()),
        Clock.systemUTC(), settings.affinity().loadFactor(), settings.passiveEjection(),
        settings.affinity().forgetInactiveAfter(), (route, at, healthy, total) -> CompletableFuture.runAsync(
            () -> history.record(route, at, healthy, total), rt.jdbc()).exceptionally(e -> {
              LoggerFactory.getLogger(RouteFeature.class).warn("could not record the health of route {}: {}", route,
                  e.toString());
              return null;
            }), TICK));
    ConsumerSessionEntity.init(rt.system());
    RouteTable table = new RouteTable(settings.baseDomain());
    CompletableFuture<Done> loaded = new CompletableFuture<>();
    rt.system().systemActorOf(RouteTableUpdater.create(table, routeTopic, indexTopic,
        () -> loaded.complete(Done.getInstance())), "route-table", Props.empty());
    RouteService service = new RouteService(rt.sharding(), table, directory.view(), prober, settings.askTimeout(),
        settings.namespace(), settings.publicUrl(), addresses, rt.jdbc());
    return new RouteFeature(table, service, history, loaded, addresses);
  }

  /**
   * Where instances may be: not this node's ports (its data plane, admin API, management,
   * remoting, session ports) on its own addresses or another node's, not link-local or metadata
   * addresses, and inside {@code GATEHOUSE_INSTANCE_NETWORKS} when it is set.
   */
  private static AddressPolicy addressPolicy(NodeRuntime rt) {
    var s = rt.settings();
    Set<Integer> ports = new HashSet<>(List.of(s.ports().http(), s.ports().admin(), s.ports().management(),
        s.ports().remote()));
    if (s.dataPlane().tls() != null) {
      ports.add(s.dataPlane().tls().port());
    }
    var tcp = s.dataPlane().tcpSessions();
    for (int p = tcp.firstPort(); tcp.enabled() && p <= tcp.lastPort(); p++) {
      ports.add(p);
    }
    var cluster = rt.cluster();
    return new AddressPolicy(ports, s.instanceNetworks(), address -> {
      String ip = address.getHostAddress();
      for (var m : cluster.state().getMembers()) {
        if (ip.equals(m.address().getHost().orElse(""))) {
          return true;
        }
      }
      return false;
    });
  }

  private static RouteEntity.RouteClaims claims(ClusterSharding sharding, Duration timeout) {
    return new RouteEntity.RouteClaims() {
      @Override
      public CompletionStage<Done> claim(RouteDefinition d) {
        RouteIndexEntity.Claim claim = RouteIndexEntity.Claim.of(d);
        return RouteIndexEntity.ref(sharding).askWithStatus(r -> new RouteIndexEntity.ClaimMatch(claim, true, r), timeout);
      }

      @Override
      public CompletionStage<Done> release(String route) {
        return RouteIndexEntity.ref(sharding).askWithStatus(r -> new RouteIndexEntity.Release(route, r), timeout);
      }
    };
  }
}
