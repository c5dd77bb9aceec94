package io.gatehouse.node.admin;

import io.gatehouse.node.cluster.Routers;
import io.gatehouse.node.metrics.EndpointsService;
import io.gatehouse.node.metrics.GatewayMetrics;
import io.gatehouse.persistence.audit.AuditLog;
import java.util.concurrent.Executor;
import io.gatehouse.node.directory.DirectoryService;
import io.gatehouse.node.proxy.InstanceLoad;
import io.gatehouse.node.route.RouteService;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/** Binds the admin API, the dashboard and /metrics on the admin port. */
public final class AdminServer {
  private AdminServer() {}

  public static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system,
      String host,
      int port,
      TokenCache tokenCache,
      LastUsedRecorder lastUsed,
      DirectoryService directory,
      TokenService tokens,
      RouteService routeService,
      InstanceLoad load,
      Routers routers,
      GatewayMetrics metrics,
      EndpointsService endpoints,
      AuditLog audit,
      Executor jdbc,
      Clock clock,
      String node) {
    AdminRoutes routes = new AdminRoutes(
        new AdminAuth(tokenCache, lastUsed, metrics, node),
        new DirectoryRoutes(directory, tokens),
        new TokenRoutes(tokens, clock, metrics),
        new RouteRoutes(routeService, load),
        new RouterRoutes(routers),
        new EndpointRoutes(endpoints),
        new AuditRoutes(audit, jdbc, clock),
        new UiRoutes(metrics));
    return Http.get(system)
        .newServerAt(host, port)
        .bind(routes.route())
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }
}
