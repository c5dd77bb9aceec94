package io.gatehouse.node.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.gatehouse.node.upstream.InstanceLoad;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteService;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.BrowserLinkJson;
import io.gatehouse.protocol.api.DirectoryJson;
import io.gatehouse.protocol.api.RouteDefaults;
import io.gatehouse.protocol.api.RouteJson;
import io.gatehouse.protocol.api.RouteRequests;
import java.util.Comparator;
import java.util.List;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/routes} (static and ephemeral routes, their instances) and
 * {@code /api/v1/registrations} (instances registering for routing, with leases).
 */
final class RouteRoutes extends AdminDirectives {
  private final RouteService routes;
  private final InstanceLoad load;
  private final BrowserLinks links;
  private final Admission admission;
  private final String node;

  RouteRoutes(RouteService routes, InstanceLoad load, BrowserLinks links, Admission admission, String node) {
    this.routes = routes;
    this.load = load;
    this.links = links;
    this.admission = admission;
    this.node = node;
  }

  Route route(AdminCaller caller) {
    return concat(path("route-defaults", () -> get(() -> complete(Responses.ok(RouteDefaults.json())))), routes(caller));
  }

  private Route routes(AdminCaller caller) {
    return pathPrefix("routes", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> complete(Responses.ok(new DirectoryJson.Items<>(routes.table().all().stream()
                .sorted(Comparator.comparing(LiveRoute::name))
                .map(r -> json(r.view()))
                .toList())))),
            post(() -> body(RouteRequests.RouteBody.class, req -> respond(() ->
                routes.create(req, caller.actor()).thenApply(v -> Responses.created(json(v)))))))),
        pathPrefix(segment(), name -> named(name, "route", n -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> {
                  LiveRoute r = routes.table().get(n.value());
                  return complete(r == null ? Responses.notFound("route '" + n + "' does not exist") : Responses.ok(json(r.view())));
                }),
                put(() -> body(RouteRequests.RouteBody.class, req -> respond(() ->
                    routes.update(n, req, caller.actor()).thenApply(v -> Responses.ok(json(v)))))),
                delete(() -> respond(() ->
                    routes.delete(n, caller.actor()).thenApply(done -> Responses.noContent()))))),
            path("browser-link", () -> post(() -> body(BrowserLinkJson.ForRoute.class, req -> respond(() ->
                browserLink(caller, n.value(), req.next()))))),
            path("instances", () -> get(() -> {
              LiveRoute r = routes.table().get(n.value());
              return complete(r == null ? Responses.notFound("route '" + n + "' does not exist")
                  : Responses.ok(new DirectoryJson.Items<>(instances(r.view()))));
            })))))));
  }

  /** A browser link to a browser route, made with the caller's own token (the dashboard's "Open"). */
  private java.util.concurrent.CompletionStage<org.apache.pekko.http.javadsl.model.HttpResponse> browserLink(
      AdminCaller caller, String route, String next) {
    return admission.decide(caller.forRoute(new Arrival.Named(route, false))).thenCompose(d -> {
      if (d instanceof Refusal r) {
        return java.util.concurrent.CompletableFuture.completedFuture(Responses.refusal(r));
      }
      return links.create((Admission.Admitted) d, next, node).thenApply(Responses::created);
    });
  }

  /** Registrations: admins, and service accounts with {@code canRegister}. */
  Route registrations(AdminCaller caller) {
    return pathPrefix("registrations", () -> {
      if (!caller.admin() && !caller.canRegister()) {
        return complete(Responses.error(ErrorCode.FORBIDDEN, caller.principal().display()
            + " may not register instances; that needs an admin or a service account with canRegister"));
      }
      RouteService.Registrar registrar = new RouteService.Registrar(caller.principal(), caller.admin(), caller.actor());
      return concat(
          pathEndOrSingleSlash(() -> post(() -> body(RouteRequests.Register.class, req -> respond(() ->
              routes.register(req, registrar).thenApply(r -> Responses.created(
                  new RouteJson.Registered(r.instanceId(), r.leaseSeconds(), r.url(), r.healthy()))))))),
          pathPrefix(segment(), id -> concat(
              pathEndOrSingleSlash(() -> delete(() -> respond(() ->
                  routes.deregister(id, registrar).thenApply(done -> Responses.noContent())))),
              path("heartbeat", () -> put(() -> respond(() ->
                  routes.heartbeat(id, registrar).thenApply(done -> Responses.ok(new Heartbeat(id, "ok")))))))));
    });
  }

  /** The answer to a heartbeat. */
  record Heartbeat(String instanceId, String lease) {}

  private RouteJson.Route json(RouteView view) {
    RouteDefinition d = view.definition();
    int healthy = (int) view.instances().stream().filter(RouteView.InstanceView::healthy).count();
    RouteDefinition.Upstream up = d.upstream();
    return new RouteJson.Route(d.name(), d.isStatic() ? "static" : "ephemeral", routes.url(d),
        d.isTcp() ? null : new RouteJson.MatchJson(d.match().pathPrefix(), d.match().subdomain()),
        d.protocol(), d.access().groups(), d.access().serviceAccounts(), d.access().registrationProjects(),
        up.affinity(), up.stripPrefix(), new RouteJson.HealthCheckJson(up.health().path(), up.health().intervalSeconds()),
        new RouteRequests.Timeouts(d.timeouts().connectSeconds(), d.timeouts().idleSeconds()),
        d.limits().maxRequestBodyBytes(), d.enabled(), d.isBrowser(), up.protocol(),
        d.owner() == null ? null : d.owner().deployment(), d.project(), view.instances().size(), healthy,
        d.createdAt(), d.updatedAt());
  }

  private List<RouteJson.Instance> instances(RouteView view) {
    return view.instances().stream()
        .map(i -> new RouteJson.Instance(i.id(), i.address(), i.healthy(), i.activeSessions(), load.inFlight(i.id()),
            i.registeredAt(), i.lastHeartbeatAt()))
        .toList();
  }
}
