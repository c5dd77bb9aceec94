package io.gatehouse.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.admin.AdminServer;
import io.gatehouse.node.bootstrap.BootstrapAdmin;
import io.gatehouse.node.cluster.DiscoveryJoin;
import io.gatehouse.node.cluster.JournalFollower;
import io.gatehouse.node.cluster.Routers;
import io.gatehouse.node.directory.DirectoryService;
import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.directory.DirectoryViewUpdater;
import io.gatehouse.node.metrics.EndpointsService;
import io.gatehouse.node.metrics.GatewayMetrics;
import io.gatehouse.node.metrics.RequestMetrics;
import io.gatehouse.node.proxy.DataPlane;
import io.gatehouse.node.proxy.DataPlaneContext;
import io.gatehouse.node.proxy.RequestObserver;
import io.gatehouse.node.route.HttpHealthProber;
import io.gatehouse.node.route.RouteService;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.route.RouteTableUpdater;
import io.gatehouse.node.session.SessionCache;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenCacheUpdater;
import io.gatehouse.node.token.TokenService;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.audit.AuditLog;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.metrics.HealthHistory;
import io.gatehouse.persistence.metrics.MetricsTable;
import io.gatehouse.persistence.projection.Projections;
import io.gatehouse.persistence.projection.TagProjection;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.persistence.route.RouteIndexEntity;
import io.gatehouse.persistence.session.ConsumerSessionEntity;
import io.gatehouse.persistence.store.Store;
import io.gatehouse.persistence.token.TokenEntity;
import io.gatehouse.persistence.token.TokenTable;
import io.gatehouse.protocol.token.PresentedToken;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * One Gatehouse node: the store, the actor system and cluster membership, the sharded entities,
 * the node-local views, the read-model projections and the admin API, started in that order and
 * stopped in reverse by Pekko's coordinated shutdown (SIGTERM included).
 */
public final class GatehouseNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatehouseNode.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  /** How long a stopping node lets requests in flight finish. */
  private static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(10);
  public static final String SYSTEM_NAME = "gatehouse";

  private final NodeSettings settings;
  private final ActorSystem<Void> system;
  private final Store store;
  private final TokenCache tokenCache;
  private final DirectoryView directoryView;
  private final ServerBinding adminBinding;
  private final String nodeAddress;
  private final DataPlane dataPlane;
  private final RouteTable routeTable;
  private final ActorRef<TokenCacheUpdater.Message> tokenCacheUpdater;

  private GatehouseNode(NodeSettings settings, ActorSystem<Void> system, Store store, TokenCache tokenCache,
      DirectoryView directoryView, ServerBinding adminBinding, String nodeAddress, DataPlane dataPlane,
      RouteTable routeTable, ActorRef<TokenCacheUpdater.Message> tokenCacheUpdater) {
    this.tokenCacheUpdater = tokenCacheUpdater;
    this.dataPlane = dataPlane;
    this.routeTable = routeTable;
    this.settings = settings;
    this.system = system;
    this.store = store;
    this.tokenCache = tokenCache;
    this.directoryView = directoryView;
    this.adminBinding = adminBinding;
    this.nodeAddress = nodeAddress;
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
    if (settings.clustered() && settings.store() instanceof io.gatehouse.persistence.store.StoreSettings.H2) {
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
      system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, store.pekkoConfig().withFallback(base));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    CompletableFuture<Void> stopped = system.getWhenTerminated().toCompletableFuture().handle((done, failure) -> {
      store.close();
      out.println("Gatehouse node " + settings.host() + ":" + settings.remotePort() + " stopped");
      out.flush();
      return null;
    });
    if (base.getBoolean("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook")) {
      // On SIGTERM the JVM runs Pekko's coordinated shutdown in a hook; this hook holds the JVM
      // until the store is closed after it, instead of racing it.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> awaitQuietly(stopped, Duration.ofSeconds(60)),
          "gatehouse-stop"));
    }
    try {
      return wire(settings, system, store, out, clock);
    } catch (Exception e) {
      system.terminate();
      awaitQuietly(system.getWhenTerminated(), Duration.ofSeconds(30));
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
  }

  private static GatehouseNode wire(
      NodeSettings settings, ActorSystem<Void> system, Store store, PrintStream out, Clock clock) throws Exception {
    Cluster cluster = Cluster.get(system);
    // Management first: /ready must answer (false) while the node starts, and discovery probes
    // the other nodes' management endpoints.
    PekkoManagement.get(system.classicSystem()).start()
        .toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (settings.discovery() != null) {
      java.util.concurrent.ScheduledExecutorService discoveryTimer =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-discovery");
            t.setDaemon(true);
            return t;
          });
      system.getWhenTerminated().thenRun(discoveryTimer::shutdownNow);
      new DiscoveryJoin(cluster, settings.discovery(), discoveryTimer).start();
    } else {
      joinCluster(cluster, settings.seedNodes());
    }
    String node = cluster.selfMember().address().getHost().orElse(settings.host()) + ":"
        + cluster.selfMember().address().getPort().orElse(settings.remotePort());
    ExecutionContextExecutor jdbc = system.dispatchers().lookup(DispatcherSelector.fromConfig("gatehouse.jdbc-dispatcher"));
    NodeStatus status = NodeStatus.get(system.classicSystem());
    ClusterSharding sharding = ClusterSharding.get(system);

    // Sharded entities, and the topics they publish their changes on.
    var directoryTopic = topic(system, DirectoryEntity.Published.class, DirectoryEntity.TOPIC);
    var tokenTopic = topic(system, TokenEntity.Published.class, TokenEntity.TOPIC);
    var routeTopic = topic(system, RouteEntity.RouteView.class, RouteEntity.TOPIC);
    var indexTopic = topic(system, RouteIndexEntity.State.class, RouteIndexEntity.TOPIC);
    DirectoryEntity.init(system, directoryTopic, clock);
    TokenEntity.init(system, tokenTopic, clock);
    RouteIndexEntity.init(system, indexTopic);
    HealthHistory healthHistory = new HealthHistory(store.sql());
    RouteEntity.init(system, new RouteEntity.Deps(routeTopic, new HttpHealthProber(),
        routeClaims(sharding, settings.askTimeout()), Clock.systemUTC(), settings.loadFactor(),
        settings.passiveEjection(), settings.forgetInactiveConsumersAfter(), (route, at, healthy, total) -> CompletableFuture.runAsync(
            () -> healthHistory.record(route, at, healthy, total), jdbc).exceptionally(e -> {
              log.warn("could not record the health of route {}: {}", route, e.toString());
              return null;
            })));
    ConsumerSessionEntity.init(system);

    // Node-local views, read by the admin API and the data plane without asking anyone.
    DirectoryView directoryView = new DirectoryView();
    CompletableFuture<Done> directoryLoaded = new CompletableFuture<>();
    var directoryUpdater = system.systemActorOf(DirectoryViewUpdater.create(directoryView, directoryTopic,
        () -> directoryLoaded.complete(Done.getInstance())), "directory-view", Props.empty());
    TokenCache tokenCache = new TokenCache(directoryView, sharding, clock, settings.askTimeout(),
        settings.unknownTokenTtl());
    var tokenCacheUpdater = system.systemActorOf(TokenCacheUpdater.create(tokenCache, tokenTopic), "token-cache",
        Props.empty());
    // The journal is every view's second feed: a lost broadcast costs one polling interval.
    long journalEnd = store.journalEnd();
    JournalFollower.follow(system, TokenEntity.TAG, journalEnd,
        e -> tokenCache.apply((TokenEntity.Event) e.event(), e.sequenceNr()));
    JournalFollower.follow(system, DirectoryEntity.TAG, journalEnd, e -> directoryUpdater.tell(
        new DirectoryViewUpdater.Event(new DirectoryEntity.Published(e.sequenceNr(), (DirectoryEntity.Event) e.event()))));
    RouteTable routeTable = new RouteTable(settings.baseDomain());
    CompletableFuture<Done> routesLoaded = new CompletableFuture<>();
    system.systemActorOf(RouteTableUpdater.create(routeTable, routeTopic, indexTopic,
        () -> routesLoaded.complete(Done.getInstance())), "route-table", Props.empty());
    SessionCache sessions = new SessionCache(settings.reportActiveConsumersEvery());

    TagProjection.init(system, store.sql(), jdbc, Projections.all());

    TokenTable tokenTable = new TokenTable(store.sql());
    DirectoryService directory = new DirectoryService(sharding, directoryView, settings.askTimeout());
    TokenService tokens = new TokenService(sharding, directory, tokenCache, tokenTable, jdbc, clock,
        settings.askTimeout(), settings.maxExpiryDays());
    RouteService routes = new RouteService(sharding, routeTable, directoryView, settings.askTimeout(),
        settings.namespace(), settings.publicUrl());
    LastUsedRecorder lastUsed = new LastUsedRecorder(tokenTable, clock);
    GatewayMetrics gatewayMetrics = new GatewayMetrics(routeTable, cluster::state);
    RequestMetrics requestMetrics = new RequestMetrics(clock, settings.metricsMaxCells(), 10);
    MetricsTable metricsTable = new MetricsTable(store.sql());
    RequestObserver observer = new RequestObserver() {
      @Override
      public void finished(String route, String tokenId, String instanceId, int status, long nanos, long bytesIn,
          long bytesOut) {
        requestMetrics.record(route, tokenId, instanceId, status, nanos, bytesIn, bytesOut);
        gatewayMetrics.request(route, status, nanos);
      }

      @Override
      public void validated(TokenValidation validation) {
        gatewayMetrics.validation(validation);
      }
    };
    system.scheduler().scheduleWithFixedDelay(settings.metricsFlushInterval(), settings.metricsFlushInterval(),
        () -> requestMetrics.flush(metricsTable, node), jdbc);
    system.scheduler().scheduleWithFixedDelay(Duration.ofMinutes(1), Duration.ofHours(6), () -> {
      Instant before = clock.instant().minus(settings.metricsRetention());
      try {
        metricsTable.prune(before.toEpochMilli());
        healthHistory.prune(before);
      } catch (RuntimeException e) {
        log.warn("could not delete metrics older than {}: {}", before, e.getMessage());
      }
    }, jdbc);
    DataPlaneContext dataPlaneContext = new DataPlaneContext(tokenCache, routeTable, directoryView, sessions, sharding,
        lastUsed, settings.accessLog(), settings.askTimeout(), settings.sessionAskTimeout(), settings.retryAfterSeconds(),
        settings.maxIdleUpstreamConnections(), settings.clientIdleTimeout(), entityId -> ConsumerSessionEntity.persistedPin(system, entityId),
        observer, clock);
    system.scheduler().scheduleWithFixedDelay(settings.lastUsedFlushInterval(), settings.lastUsedFlushInterval(),
        lastUsed::flush, jdbc);
    system.scheduler().scheduleWithFixedDelay(Duration.ofMinutes(1), Duration.ofMinutes(1),
        () -> sessions.sweep(clock.millis()), system.executionContext());

    awaitUp(cluster);
    directoryLoaded.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    routesLoaded.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    status.viewsLoaded();

    BootstrapAdmin.Outcome bootstrap = BootstrapAdmin.run(store, directory, tokens, settings.bootstrapToken(),
        settings.maxExpiryDays(), clock, node, out);

    String version = GatehouseNode.class.getPackage().getImplementationVersion();
    Routers routers = new Routers(cluster, new Routers.NodeInfo(node, settings.namespace(),
        version == null ? "development" : version, clock.instant(), settings.publicUrl(),
        "http://" + settings.host() + ":" + settings.adminPort() + "/api/v1"));
    system.systemActorOf(routers.behavior(topic(system, Routers.NodeInfo.class, Routers.TOPIC)), "routers",
        Props.empty());

    ServerBinding admin;
    try {
      admin = AdminServer.bind(system, settings.host(), settings.adminPort(), tokenCache, lastUsed, directory,
              tokens, routes, dataPlaneContext.load(), routers, gatewayMetrics,
              new EndpointsService(routeTable, metricsTable, healthHistory, tokenTable, jdbc, clock, routes),
              new AuditLog(store.sql()), jdbc, clock, node)
          .toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("cannot bind the admin API on " + settings.host() + ":" + settings.adminPort()
          + ": " + e.getCause().getMessage(), e);
    }
    status.adminBound();
    DataPlane dataPlane;
    try {
      DataPlane.Tls tls = settings.tls() ? new DataPlane.Tls(settings.httpsPort(),
          new java.io.File(settings.tlsCert()), new java.io.File(settings.tlsKey())) : null;
      dataPlane = DataPlane.start(dataPlaneContext, settings.host(), settings.httpPort(), tls, settings.eventLoops(),
          settings.maxInitialLineBytes(), settings.maxHeaderBytes());
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot bind the data plane on " + settings.host() + ":" + settings.httpPort()
          + (settings.tls() ? " / " + settings.httpsPort() : "") + ": " + e.getMessage(), e);
    }
    status.dataPlaneBound();
    stopInOrder(system, status, dataPlane, lastUsed, () -> requestMetrics.flush(metricsTable, node), jdbc);

    GatehouseNode started = new GatehouseNode(settings, system, store, tokenCache, directoryView, admin, node,
        dataPlane, routeTable, tokenCacheUpdater);
    started.printSummary(out, bootstrap);
    return started;
  }

  /**
   * SIGTERM, or {@link #stop()}: not ready at once (load balancers stop sending), then the data
   * plane stops accepting and lets requests in flight finish (bounded), then Pekko leaves the
   * cluster and hands this node's shards over.
   */
  private static void stopInOrder(ActorSystem<Void> system, NodeStatus status, DataPlane dataPlane,
      LastUsedRecorder lastUsed, Runnable flushMetrics, Executor jdbc) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "gatehouse-not-ready", () -> {
      status.stopping();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "gatehouse-data-plane-unbind", () ->
        CompletableFuture.supplyAsync(() -> {
          dataPlane.unbind();
          return Done.getInstance();
        }, jdbc));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "gatehouse-data-plane-drain", () ->
        CompletableFuture.supplyAsync(() -> {
          if (!dataPlane.drain(IN_FLIGHT_GRACE)) {
            log.warn("{} requests still in flight after {}; closing them", dataPlane.context().active(),
                IN_FLIGHT_GRACE);
          }
          return Done.getInstance();
        }, jdbc));
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "gatehouse-data-plane-close", () ->
        CompletableFuture.supplyAsync(() -> {
          dataPlane.close();
          lastUsed.flush();
          flushMetrics.run();
          return Done.getInstance();
        }, jdbc));
  }

  private static <T> ActorRef<Topic.Command<T>> topic(ActorSystem<?> system, Class<T> type, String name) {
    return system.systemActorOf(Topic.create(type, name), name, Props.empty());
  }

  private static RouteEntity.RouteClaims routeClaims(ClusterSharding sharding, Duration timeout) {
    return new RouteEntity.RouteClaims() {
      @Override
      public CompletionStage<Done> claim(RouteDefinition d) {
        RouteIndexEntity.Claim claim = new RouteIndexEntity.Claim(d.name(), d.kind(), d.pathPrefix(), d.subdomain());
        return RouteIndexEntity.ref(sharding).askWithStatus(r -> new RouteIndexEntity.ClaimMatch(claim, true, r), timeout);
      }

      @Override
      public CompletionStage<Done> release(String route) {
        return RouteIndexEntity.ref(sharding).askWithStatus(r -> new RouteIndexEntity.Release(route, r), timeout);
      }
    };
  }

  private static void joinCluster(Cluster cluster, List<String> seedNodes) {
    if (seedNodes.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else {
      cluster.manager().tell(new JoinSeedNodes(seedNodes.stream()
          .map(hostPort -> org.apache.pekko.actor.AddressFromURIString.parse(
              "pekko://" + SYSTEM_NAME + "@" + hostPort))
          .toList()));
    }
  }

  private static void awaitUp(Cluster cluster) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("this node did not join its cluster within " + START_TIMEOUT.toSeconds()
            + " s; check GATEHOUSE_SEED_NODES and that the seeds are reachable");
      }
      Thread.onSpinWait();
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  private void printSummary(PrintStream out, BootstrapAdmin.Outcome bootstrap) {
    String version = getClass().getPackage().getImplementationVersion();
    out.println("Gatehouse " + (version == null ? "(development build)" : version) + " is up");
    out.println("  namespace   " + settings.namespace());
    out.println("  store       " + settings.store().describe());
    out.println("  data plane  http://" + settings.host() + ":" + httpPort()
        + (dataPlane.tlsPort() > 0 ? ", https://" + settings.host() + ":" + dataPlane.tlsPort() : "")
        + " (" + dataPlane.context().transport() + ", " + settings.eventLoops() + " event loops)");
    out.println("  admin API   http://" + settings.host() + ":" + adminPort() + "/api/v1");
    out.println("  management  http://" + settings.host() + ":" + settings.managementPort() + "/ready");
    out.println("  cluster     " + nodeAddress + (settings.discovery() != null
        ? " (found through " + settings.discovery().method() + " discovery)"
        : settings.seedNodes().isEmpty() ? " (a cluster of its own)" : " (seeds " + String.join(", ", settings.seedNodes()) + ")"));
    out.println("  bootstrap   " + switch (bootstrap) {
      case ALREADY_DONE -> "done before";
      case PRESET_TOKEN -> "admin token taken from GATEHOUSE_BOOTSTRAP_TOKEN";
      case PRINTED_TOKEN -> "admin token printed above, once";
      case OTHER_NODE -> "done by another node of the cluster";
    });
    out.flush();
  }

  public NodeSettings settings() {
    return settings;
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Store store() {
    return store;
  }

  public TokenCache tokenCache() {
    return tokenCache;
  }

  public DirectoryView directoryView() {
    return directoryView;
  }

  public int httpPort() {
    return dataPlane.port();
  }

  /**
   * Stops (false) or resumes (true) this node's token broadcasts, for failure drills: with them
   * off, revocations still arrive through the journal.
   */
  public void tokenBroadcasts(boolean on) {
    tokenCacheUpdater.tell(new TokenCacheUpdater.Broadcasts(on));
  }

  /** The HTTPS port of the data plane, or -1 without TLS. */
  public int httpsPort() {
    return dataPlane.tlsPort();
  }

  public RouteTable routeTable() {
    return routeTable;
  }

  public DataPlane dataPlane() {
    return dataPlane;
  }

  public int adminPort() {
    return adminBinding.localAddress().getPort();
  }

  public String nodeAddress() {
    return nodeAddress;
  }

  /** Leaves the cluster and stops, as SIGTERM does; completes when the node is down. */
  public CompletableFuture<Done> stop() {
    return CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture();
  }

  @Override
  public void close() {
    stop();
    awaitQuietly(system.getWhenTerminated(), Duration.ofSeconds(60));
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
