package io.gatehouse.node.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.gatehouse.node.upstream.InstanceLoad;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteService;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.protocol.ErrorCode;
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

  RouteRoutes(RouteService routes, InstanceLoad load) {
    this.routes = routes;
    this.load = load;
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
            path("instances", () -> get(() -> {
              LiveRoute r = routes.table().get(n.value());
              return complete(r == null ? Responses.notFound("route '" + n + "' does not exist")
                  : Responses.ok(new DirectoryJson.Items<>(instances(r.view()))));
            })))))));
  }

  /** Registrations: admins, and service accounts with {@code canRegister}. */
  Route registrations(AdminCaller caller) {
    return pathPrefix("registrations", () -> {
      if (!caller.admin() && !caller.canRegister()) {
        return complete(Responses.error(ErrorCode.FORBIDDEN, caller.principal().display()
            + " may not register instances; that needs an admin or a service account with canRegister"));
      }
      return concat(
          pathEndOrSingleSlash(() -> post(() -> body(RouteRequests.Register.class, req -> respond(() ->
              routes.register(req, caller.actor()).thenApply(r -> Responses.created(
                  new RouteJson.Registered(r.instanceId(), r.leaseSeconds(), r.url(), r.healthy()))))))),
          pathPrefix(segment(), id -> concat(
              pathEndOrSingleSlash(() -> delete(() -> respond(() ->
                  routes.deregister(id, caller.actor()).thenApply(done -> Responses.noContent())))),
              path("heartbeat", () -> put(() -> respond(() ->
                  routes.heartbeat(id).thenApply(done -> Responses.ok(new Heartbeat(id, "ok")))))))));
    });
  }

  /** The answer to a heartbeat. */
  record Heartbeat(String instanceId, String lease) {}

  private RouteJson.Route json(RouteView view) {
    RouteDefinition d = view.definition();
    int healthy = (int) view.instances().stream().filter(RouteView.InstanceView::healthy).count();
    return new RouteJson.Route(d.name(), d.isStatic() ? "static" : "ephemeral", routes.url(d),
        new RouteJson.MatchJson(d.pathPrefix(), d.subdomain()), RouteRequests.Protocol.HTTP, d.allowedGroups(),
        d.allowedServiceAccounts(), d.affinity(), d.stripPrefix(),
        new RouteRequests.HealthCheck(d.healthPath(), d.healthIntervalSeconds()),
        new RouteRequests.Timeouts(d.connectTimeoutSeconds(), d.idleTimeoutSeconds()), d.maxRequestBodyBytes(),
        d.isEnabled(), d.deployment(), d.project(), view.instances().size(), healthy, d.createdAt(), d.updatedAt());
  }

  private List<RouteJson.Instance> instances(RouteView view) {
    return view.instances().stream()
        .map(i -> new RouteJson.Instance(i.id(), i.address(), i.healthy(), i.activeSessions(), load.inFlight(i.id()),
            i.registeredAt(), i.lastHeartbeatAt()))
        .toList();
  }
}
