package io.gatehouse.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.admin.AdminServer;
import io.gatehouse.node.bootstrap.BootstrapAdmin;
import io.gatehouse.node.browser.BrowserFeature;
import io.gatehouse.node.cluster.ClusterJoin;
import io.gatehouse.node.cluster.Routers;
import io.gatehouse.node.connectivity.ConnectivityTest;
import io.gatehouse.node.directory.DirectoryFeature;
import io.gatehouse.node.metrics.MetricsFeature;
import io.gatehouse.node.proxy.DataPlane;
import io.gatehouse.node.proxy.DataPlaneFeature;
import io.gatehouse.node.route.RouteFeature;
import io.gatehouse.node.token.TokenCacheUpdater;
import io.gatehouse.node.token.TokenFeature;
import io.gatehouse.persistence.audit.AuditLog;
import io.gatehouse.persistence.projection.Projections;
import io.gatehouse.persistence.projection.TagProjection;
import io.gatehouse.persistence.store.IdMint;
import io.gatehouse.persistence.store.Store;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.protocol.token.PresentedToken;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Gatehouse node, composed by feature: the store and the actor system, cluster membership,
 * then directory, tokens, routes, metrics and the data plane (each starts what it owns), the
 * node's periodic jobs, the admin API, and last the data plane's listeners. Pekko's coordinated
 * shutdown (SIGTERM included) stops it in the reverse order, draining first.
 */
public final class GatehouseNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatehouseNode.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  public static final String SYSTEM_NAME = "gatehouse";

  private final NodeRuntime rt;
  private final TokenFeature tokens;
  private final ServerBinding admin;
  private final DataPlane dataPlane;

  private GatehouseNode(NodeRuntime rt, TokenFeature tokens, ServerBinding admin, DataPlane dataPlane) {
    this.rt = rt;
    this.tokens = tokens;
    this.admin = admin;
    this.dataPlane = dataPlane;
  }

  /** Starts a node from {@code application.conf}, with {@code overrides} on top of it. */
  public static GatehouseNode start(Config overrides) {
    return start(overrides, System.out);
  }

  public static GatehouseNode start(Config overrides, PrintStream out) {
    return start(overrides, out, Clock.systemUTC());
  }

  /** With a clock of the caller's: tests move it to reach token expiry. */
  public static GatehouseNode start(Config overrides, PrintStream out, Clock clock) {
    Config base = ConfigFactory.load(overrides.withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
    NodeSettings settings = NodeSettings.from(base);
    if (settings.clustered() && settings.store() instanceof StoreSettings.H2) {
      throw new IllegalArgumentException("several nodes cannot share the embedded H2 store: a cluster of Gatehouse "
          + "nodes needs one PostgreSQL for the whole namespace. Set GATEHOUSE_DB_URL (and GATEHOUSE_DB_USER, "
          + "GATEHOUSE_DB_PASSWORD) on every node, or start a single node without GATEHOUSE_SEED_NODES.");
    }
    if (!settings.bootstrapToken().isEmpty() && PresentedToken.parse(settings.bootstrapToken()) == null) {
      throw new IllegalArgumentException(BootstrapAdmin.invalidPresetMessage());
    }
    Store store = Store.open(settings.store(), settings.namespace());
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME,
          shutdownTimeouts(settings).withFallback(store.pekkoConfig()).withFallback(base));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    CompletableFuture<Void> stopped = system.getWhenTerminated().toCompletableFuture().handle((done, failure) -> {
      store.close();
      out.println("Gatehouse node " + settings.selfRemote() + " stopped");
      out.flush();
      return null;
    });
    if (base.getBoolean("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook")) {
      // On SIGTERM the JVM runs Pekko's coordinated shutdown in a hook; this hook holds the JVM
      // until the store is closed after it, instead of racing it.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> awaitQuietly(stopped, Duration.ofSeconds(90)),
          "gatehouse-stop"));
    }
    try {
      return compose(settings, system, store, out, clock);
    } catch (Exception e) {
      system.terminate();
      awaitQuietly(system.getWhenTerminated(), Duration.ofSeconds(30));
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The shutdown phases that wait for the drain and for requests in flight get time for them. */
  private static Config shutdownTimeouts(NodeSettings settings) {
    Duration margin = Duration.ofSeconds(5);
    return ConfigFactory.empty()
        .withValue("pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
            ConfigValueFactory.fromAnyRef(settings.dataPlane().drainPeriod().plus(margin).toMillis() + "ms"))
        .withValue("pekko.coordinated-shutdown.phases.service-requests-done.timeout",
            ConfigValueFactory.fromAnyRef(settings.dataPlane().inFlightGrace().plus(margin).toMillis() + "ms"));
  }

  private static GatehouseNode compose(NodeSettings settings, ActorSystem<Void> system, Store store, PrintStream out,
      Clock clock) throws Exception {
    Cluster cluster = Cluster.get(system);
    // Management first: /ready must answer (false) while the node starts, and discovery probes
    // the other nodes' management endpoints.
    PekkoManagement.get(system.classicSystem()).start().toCompletableFuture()
        .get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    ClusterJoin.start(cluster, settings, store, system);
    String node = cluster.selfMember().address().getHost().orElse(settings.host()) + ":"
        + cluster.selfMember().address().getPort().orElse(settings.ports().remote());
    NodeRuntime rt = new NodeRuntime(settings, system, cluster, ClusterSharding.get(system), store,
        system.dispatchers().lookup(DispatcherSelector.fromConfig("gatehouse.jdbc-dispatcher")), clock, node,
        store.journalEnd(), IdMint.of(store));
    NodeStatus status = NodeStatus.get(system.classicSystem());

    DirectoryFeature directory = DirectoryFeature.start(rt);
    TokenFeature tokens = TokenFeature.start(rt, directory);
    RouteFeature routes = RouteFeature.start(rt, directory);
    MetricsFeature metrics = MetricsFeature.start(rt, routes, tokens);
    BrowserFeature browser = BrowserFeature.start(rt);
    DataPlaneFeature data = DataPlaneFeature.prepare(rt, directory, tokens, routes, metrics, browser);
    TagProjection.init(system, store.sql(), rt.jdbc(), Projections.all());
    Housekeeping.start(rt, tokens, metrics, data);

    ClusterJoin.awaitUp(cluster, START_TIMEOUT);
    directory.loaded().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    tokens.loaded().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    routes.loaded().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    status.viewsLoaded();

    BootstrapAdmin.Outcome bootstrap = BootstrapAdmin.run(store, directory.service(), tokens.service(),
        settings.bootstrapToken(), settings.tokens().maxExpiryDays(), clock, node, out);
    Routers routers = routers(rt);

    AuditLog audit = new AuditLog(store.sql());
    ConnectivityTest connectivity = new ConnectivityTest(new ConnectivityTest.Services(directory.service(),
        tokens.service(), routes.service(), routers, audit, settings.namespace(), settings.host(), node, clock));
    ServerBinding admin = bindAdmin(rt, new AdminServer.Services(tokens, directory.service(), routes.service(),
        data.parts().upstreams().load(), routers, metrics, audit, data.parts().links(), connectivity,
        data.parts().admission()));
    status.adminBound();
    DataPlane dataPlane = data.listen(rt);
    routers.listening("http://" + settings.host() + ":" + dataPlane.port());
    status.dataPlaneBound();
    stopInOrder(rt, status, dataPlane, tokens, metrics);

    GatehouseNode started = new GatehouseNode(rt, tokens, admin, dataPlane);
    started.printSummary(out, bootstrap);
    return started;
  }

  private static Routers routers(NodeRuntime rt) {
    NodeSettings s = rt.settings();
    String version = GatehouseNode.class.getPackage().getImplementationVersion();
    Routers routers = new Routers(rt.cluster(), new Routers.NodeInfo(rt.node(), s.namespace(),
        version == null ? "development" : version, rt.clock().instant(), s.publicUrl(),
        "http://" + s.host() + ":" + s.ports().admin() + "/api/v1", null, null));
    rt.system().systemActorOf(routers.behavior(rt.topic(Routers.NodeInfo.class, Routers.TOPIC)), "routers",
        Props.empty());
    return routers;
  }

  private static ServerBinding bindAdmin(NodeRuntime rt, AdminServer.Services services) throws Exception {
    NodeSettings s = rt.settings();
    try {
      return AdminServer.bind(rt.system(), s.host(), s.ports().admin(), services, rt.jdbc(), rt.clock(), rt.node())
          .toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot bind the admin API on " + s.host() + ":" + s.ports().admin()
          + ": " + e.getCause().getMessage(), e);
    }
  }

  /**
   * SIGTERM, or {@link #stop()}: the node reports not ready at once and keeps serving for the
   * drain period, every answer with {@code Connection: close}, so that load balancers see it
   * leave before it stops listening; then it stops listening, lets requests in flight finish
   * (bounded), and Pekko leaves the cluster and hands this node's shards over.
   */
  private static void stopInOrder(NodeRuntime rt, NodeStatus status, DataPlane dataPlane, TokenFeature tokens,
      MetricsFeature metrics) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(rt.system());
    Duration drain = rt.settings().dataPlane().drainPeriod();
    Duration grace = rt.settings().dataPlane().inFlightGrace();
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "gatehouse-drain", () -> {
      status.stopping();
      dataPlane.drain();
      log.info("draining for {} before the data plane stops listening", drain);
      return CompletableFuture.supplyAsync(Done::getInstance,
          CompletableFuture.delayedExecutor(drain.toMillis(), TimeUnit.MILLISECONDS));
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "gatehouse-data-plane-unbind", () ->
        CompletableFuture.supplyAsync(() -> {
          dataPlane.stopListening();
          return Done.getInstance();
        }, rt.jdbc()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "gatehouse-data-plane-in-flight", () ->
        CompletableFuture.supplyAsync(() -> {
          if (!dataPlane.awaitIdle(grace)) {
            log.warn("{} requests still in flight after {}; closing them", dataPlane.active(), grace);
          }
          return Done.getInstance();
        }, rt.jdbc()));
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "gatehouse-data-plane-close", () ->
        CompletableFuture.supplyAsync(() -> {
          dataPlane.close();
          tokens.lastUsed().flush();
          metrics.flush();
          return Done.getInstance();
        }, rt.jdbc()));
  }

  private void printSummary(PrintStream out, BootstrapAdmin.Outcome bootstrap) {
    NodeSettings s = rt.settings();
    String version = getClass().getPackage().getImplementationVersion();
    out.println("Gatehouse " + (version == null ? "(development build)" : version) + " is up");
    out.println("  namespace   " + s.namespace());
    out.println("  store       " + s.store().describe());
    out.println("  data plane  http://" + s.host() + ":" + httpPort()
        + (dataPlane.tlsPort() > 0 ? ", https://" + s.host() + ":" + dataPlane.tlsPort() : "")
        + " (" + dataPlane.transport() + ", " + s.dataPlane().eventLoops() + " event loops)");
    out.println("  admin API   http://" + s.host() + ":" + adminPort() + "/api/v1");
    out.println("  management  http://" + s.host() + ":" + s.ports().management() + "/ready");
    out.println("  cluster     " + rt.node() + ClusterJoin.describe(s));
    out.println("  bootstrap   " + switch (bootstrap) {
      case ALREADY_DONE -> "done before";
      case PRESET_TOKEN -> "admin token taken from GATEHOUSE_BOOTSTRAP_TOKEN";
      case PRINTED_TOKEN -> "admin token printed above, once";
      case OTHER_NODE -> "done by another node of the cluster";
    });
    out.flush();
  }

  public NodeSettings settings() {
    return rt.settings();
  }

  public ActorSystem<Void> system() {
    return rt.system();
  }

  public Store store() {
    return rt.store();
  }

  public int httpPort() {
    return dataPlane.port();
  }

  /** The HTTPS port of the data plane, or -1 without TLS. */
  public int httpsPort() {
    return dataPlane.tlsPort();
  }

  public int adminPort() {
    return admin.localAddress().getPort();
  }

  public String nodeAddress() {
    return rt.node();
  }

  public DataPlane dataPlane() {
    return dataPlane;
  }

  /**
   * Stops (false) or resumes (true) this node's token broadcasts, for failure drills: with them
   * off, revocations still arrive through the journal.
   */
  public void tokenBroadcasts(boolean on) {
    tokens.updater().tell(new TokenCacheUpdater.Broadcasts(on));
  }

  /** Leaves the cluster and stops, as SIGTERM does; completes when the node is down. */
  public CompletableFuture<Done> stop() {
    return CoordinatedShutdown.get(rt.system()).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture();
  }

  @Override
  public void close() {
    stop();
    awaitQuietly(rt.system().getWhenTerminated(), Duration.ofSeconds(60));
  }

  private static void awaitQuietly(java.util.concurrent.CompletionStage<?> stage, Duration timeout) {
    try {
      stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("node did not stop within {}: {}", timeout, e.toString());
    }
  }

  /** For tests: the configuration keys that put a node on free ports of its own. */
  public static Config ports(int admin, int management, int remote, int http) {
    return ConfigFactory.empty()
        .withValue("gatehouse.admin-port", ConfigValueFactory.fromAnyRef(admin))
        .withValue("gatehouse.management-port", ConfigValueFactory.fromAnyRef(management))
        .withValue("gatehouse.remote-port", ConfigValueFactory.fromAnyRef(remote))
        .withValue("gatehouse.http-port", ConfigValueFactory.fromAnyRef(http));
  }
}
