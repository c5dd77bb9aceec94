package io.gatehouse.node.admission;

import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.metrics.RequestObserver;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.token.Bearer;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.api.RouteRequests;
import io.gatehouse.protocol.token.TokenId;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The questions every door asks of every request, in API.md's order, answered from this node's
 * views: who is this (the bearer token: 401), which route (404), may they (the route's groups or
 * project, and the token's route scope: 403), is the route serving (503 when disabled), and does
 * the declared body fit (413). Plain Java over the node-local views: no Netty type, no actor,
 * nothing that blocks; the one question that may need the cluster (a token this node has not
 * seen) is asked apart, by {@link #fromEntity}.
 *
 * <p>The same rules decide, for an exchange already in progress, whether its access still holds
 * ({@link #recheck}): that is how revocations, deletions and group changes end open streams.
 */
public final class Admission {
  /** What admission decided: admitted, or a {@link Refusal}. */
  public sealed interface Decision permits Admitted, Refusal {}

  /**
   * An admitted request: who, on which route, and the path as the instance is to receive it.
   *
   * @param prefixSegments path segments of the route's prefix to strip (0 when it keeps them)
   * @param session the browser session it came with, or null for a bearer token
   */
  public record Admitted(TokenValidation.Valid token, LiveRoute route, RequestPath path, int prefixSegments,
      String session) implements Decision {
    public String forwardPath() {
      return path.forwardPath(prefixSegments);
    }

    /** The route's path prefix when the instance does not receive it (for X-Forwarded-Prefix), else null. */
    public String strippedPrefix() {
      return prefixSegments == 0 ? null : route.definition().pathPrefix();
    }

    public Admitted inSession(String sessionId) {
      return new Admitted(token, route, path, prefixSegments, sessionId);
    }
  }

  private static final String RESERVED_SEGMENT = RouteRequests.RESERVED_PREFIX.substring(1);

  private final TokenCache tokens;
  private final RouteTable routes;
  private final DirectoryView directory;
  private final LastUsedRecorder lastUsed;
  private final RequestObserver observer;
  private final int retryAfterSeconds;
  private final Predicate<String> sessionOpen;

  /** @param sessionOpen whether a browser session is still open (signed-out sessions end their exchanges) */
  public Admission(TokenCache tokens, RouteTable routes, DirectoryView directory, LastUsedRecorder lastUsed,
      RequestObserver observer, int retryAfterSeconds, Predicate<String> sessionOpen) {
    this.sessionOpen = sessionOpen;
    this.tokens = tokens;
    this.routes = routes;
    this.directory = directory;
    this.lastUsed = lastUsed;
    this.observer = observer;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public RouteTable routes() {
    return routes;
  }

  /** A request without exactly one bearer credential is refused here, before any lookup. */
  public Refusal credentialProblem(Bearer bearer) {
    if (bearer.several()) {
      return Refusal.severalTokens();
    }
    return bearer.present() ? null : Refusal.missingToken();
  }

  /** The token's validation from this node's memory, or null when its entity must be asked. */
  public TokenValidation fromMemory(Bearer bearer, TokenCache.Memo memo) {
    return tokens.validateCached(bearer.token(), memo);
  }

  /** The token's validation, asking its entity (for a token this node has not seen). */
  public CompletionStage<TokenValidation> fromEntity(Bearer bearer) {
    return tokens.validate(bearer.token());
  }

  /** The standing of the token a browser session stands for (its secret was the session's to check). */
  public CompletionStage<TokenValidation> ofSession(TokenId tokenId) {
    return tokens.byId(tokenId);
  }

  /** Whether {@code target} on {@code host} is a browser route (a browser without credentials is sent to sign in). */
  public boolean isBrowserRoute(String host, String target) {
    try {
      RouteTable.Resolution r = routes.resolve(host, RequestPath.parse(target).segments());
      return r != null && r.route().definition().isBrowser();
    } catch (RequestPath.Invalid e) {
      return false;
    }
  }

  /**
   * Admits a request whose token was validated as {@code validation}.
   *
   * @param host the request's host (checked by {@link HostName}), or null
   * @param target the request target as sent (path and query)
   * @param declaredBodyBytes the declared length of the body, -1 when unknown (chunked) or none
   */
  public Decision admit(TokenValidation validation, String host, String target, long declaredBodyBytes) {
    observer.validated(validation);
    if (validation instanceof TokenValidation.Invalid invalid) {
      return Refusal.unauthorized(invalid.reason());
    }
    TokenValidation.Valid token = (TokenValidation.Valid) validation;
    lastUsed.used(token.tokenId());
    RequestPath path;
    try {
      path = RequestPath.parse(target);
    } catch (RequestPath.Invalid e) {
      return Refusal.invalid("path", e.getMessage());
    }
    String[] segments = path.segments();
    RouteTable.Resolution resolution = segments.length > 0 && segments[0].equals(RESERVED_SEGMENT)
        ? null : routes.resolve(host, segments);
    if (resolution == null) {
      return Refusal.noRoute(path.pathOnly());
    }
    LiveRoute route = resolution.route();
    Refusal refused = mayUse(token, route);
    if (refused != null) {
      return refused;
    }
    long limit = route.definition().maxRequestBodyBytes();
    if (declaredBodyBytes > limit) {
      return Refusal.tooLarge(route.name(), limit);
    }
    return new Admitted(token, route, path, route.definition().stripPrefix() ? resolution.prefixSegments() : 0, null);
  }

  /**
   * Admits a connection to the tcp route {@code routeName} (the tunnel, a session port): the
   * token, then the route by name (404 when there is no such tcp route), then RBAC.
   */
  public Decision admitTcp(TokenValidation validation, String routeName) {
    observer.validated(validation);
    if (validation instanceof TokenValidation.Invalid invalid) {
      return Refusal.unauthorized(invalid.reason());
    }
    TokenValidation.Valid token = (TokenValidation.Valid) validation;
    lastUsed.used(token.tokenId());
    LiveRoute route = routes.get(routeName);
    if (route == null || !route.definition().isTcp()) {
      return Refusal.of(ErrorCode.NOT_FOUND, "no tcp route named '" + routeName + "'");
    }
    Refusal refused = mayUse(token, route);
    return refused != null ? refused : new Admitted(token, route, null, 0, null);
  }

  /** Admits a new connection on a session port opened by {@code tokenId} for {@code routeName}, as it stands now. */
  public Decision readmitTcp(TokenId tokenId, String routeName) {
    return admitTcp(tokens.current(tokenId), routeName);
  }

  /** When the token expires (epoch millis), as this node holds it; 0 when it does not hold it. */
  public long tokenExpiresAtMillis(TokenId tokenId) {
    return tokens.expiresAtMillis(tokenId);
  }

  /**
   * Whether an exchange of {@code tokenId} on {@code route} (in browser session {@code session},
   * or null) may go on: null if so, else why not.
   */
  public Refusal recheck(TokenId tokenId, String route, String session) {
    if (session != null && !sessionOpen.test(session)) {
      return Refusal.sessionEnded();
    }
    TokenValidation validation = tokens.current(tokenId);
    if (validation instanceof TokenValidation.Invalid invalid) {
      return Refusal.unauthorized(invalid.reason());
    }
    LiveRoute live = routes.get(route);
    return live == null ? Refusal.routeGone(route) : mayUse((TokenValidation.Valid) validation, live);
  }

  /** Whether the token may use the route now (RBAC, its scope, the route enabled): null if so, else why not. */
  public Refusal mayUse(TokenValidation.Valid token, LiveRoute route) {
    if (!Access.allowed(token, route, directory)) {
      return Refusal.forbidden(token.principal().display(), route.name());
    }
    if (!Access.inScope(token, route)) {
      return Refusal.outOfScope(route.name());
    }
    if (!route.definition().isEnabled()) {
      return Refusal.disabled(route.name(), retryAfterSeconds);
    }
    return null;
  }

  /** The Retry-After a 503 of this node carries. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
