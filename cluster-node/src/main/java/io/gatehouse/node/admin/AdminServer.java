package io.gatehouse.node.admin;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.node.cluster.Routers;
import io.gatehouse.node.connectivity.ConnectivityTest;
import io.gatehouse.node.directory.DirectoryService;
import io.gatehouse.node.metrics.MetricsFeature;
import io.gatehouse.node.route.RouteService;
import io.gatehouse.node.token.TokenFeature;
import io.gatehouse.node.upstream.InstanceLoad;
import io.gatehouse.persistence.audit.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/** Binds the admin API, the dashboard and /metrics on the admin port. */
public final class AdminServer {
  private AdminServer() {}

  /** What the admin API answers from. */
  public record Services(TokenFeature tokens, DirectoryService directory, RouteService routes, InstanceLoad load,
      Routers routers, MetricsFeature metrics, AuditLog audit, BrowserLinks links, ConnectivityTest connectivity,
      Admission admission) {}

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, Services s,
      Executor jdbc, Clock clock, String node) {
    AdminRoutes routes = new AdminRoutes(
        new AdminAuth(s.admission(), node),
        new DirectoryRoutes(s.directory(), s.tokens().service()),
        new TokenRoutes(s.tokens().service(), clock, s.metrics().gateway()),
        new RouteRoutes(s.routes(), s.load(), s.links(), s.admission(), node),
        new RouterRoutes(s.routers(), s.connectivity()),
        new EndpointRoutes(s.metrics().endpoints()),
        new AuditRoutes(s.audit(), jdbc, clock),
        new UiRoutes(s.metrics().gateway()));
    return Http.get(system)
        .newServerAt(host, port)
        .bind(routes.route())
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }
}
