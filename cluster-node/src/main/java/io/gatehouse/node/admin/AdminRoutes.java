package io.gatehouse.node.admin;

import io.gatehouse.protocol.ErrorCode;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin port's route tree: {@code /api/v1/...} behind authentication, the dashboard at
 * {@code /ui/} and {@code /metrics}. Every API answer, including Pekko HTTP's own rejections,
 * carries API.md's JSON error body.
 */
final class AdminRoutes extends AdminDirectives {
  private final AdminAuth auth;
  private final DirectoryRoutes directory;
  private final TokenRoutes tokens;
  private final RouteRoutes routes;
  private final RouterRoutes routers;
  private final EndpointRoutes endpoints;
  private final AuditRoutes audit;
  private final UiRoutes ui;

  AdminRoutes(AdminAuth auth, DirectoryRoutes directory, TokenRoutes tokens, RouteRoutes routes, RouterRoutes routers,
      EndpointRoutes endpoints, AuditRoutes audit, UiRoutes ui) {
    this.routers = routers;
    this.endpoints = endpoints;
    this.audit = audit;
    this.ui = ui;
    this.auth = auth;
    this.directory = directory;
    this.tokens = tokens;
    this.routes = routes;
  }

  Route route() {
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> concat(
        ui.route(),
        pathPrefix("api", () -> pathPrefix("v1", () ->
            auth.caller(caller -> concat(
                routes.registrations(caller),
                auth.admin(caller, () -> concat(directory.route(caller), tokens.route(caller), routes.route(caller),
                    routers.route(caller), endpoints.route(), audit.route())))))))));
  }

  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejections -> complete(Responses.error(ErrorCode.METHOD_NOT_ALLOWED,
            "method not allowed here; allowed: " + String.join(", ",
                rejections.stream().map(r -> r.supported().name()).distinct().toList()))))
        .handleNotFound(complete(Responses.notFound("no such resource")))
        .handleAll(org.apache.pekko.http.javadsl.server.Rejection.class, rejections ->
            complete(Responses.error(ErrorCode.INVALID_REQUEST, "request: could not be handled as sent")))
        .build();
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().matchAny(t -> complete(Failures.toResponse(t))).build();
  }
}
