package io.gatehouse.node.admission;

import io.gatehouse.node.browser.BrowserSessions;
import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.metrics.RequestObserver;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.api.RouteRequests;
import io.gatehouse.protocol.token.TokenId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The one admission of every door: {@link #decide} takes what arrived ({@link Arrival}) and runs
 * the same ordered steps for all of them, answered from this node's views: who is this (a bearer
 * token, a browser session bound to a token and a route, or a session port's grant: 401), which
 * route (by path and host, or by name: 404; a path the gateway refuses to read: 400), may they
 * (the route's groups or project, the token's route scope, the route enabled: 403, 503), the
 * origin rule for cookie credentials (a state-changing request or upgrade from another origin:
 * 403), the limits ({@link Limits}), and the declared body (413). A door only builds the arrival
 * and renders the decision in its framing. Validation metrics and last-used are recorded here,
 * once per decision.
 *
 * <p>Plain Java over the node-local views: no Netty type, no actor, nothing that blocks. Only a
 * credential this node has not seen yet (a token or session minted elsewhere a moment ago) is
 * asked of its entity, and the decision then completes on the door's executor.
 *
 * <p>The same steps decide, for an exchange already in progress, whether its access still holds
 * ({@link #reconsider}): that is how revocations, deletions and group changes end open streams.
 * A browser session whose route no longer admits its principal is ended, not only refused.
 */
public final class Admission {
  /** What admission decided: admitted, or a {@link Refusal}. */
  public sealed interface Decision permits Admitted, Refusal {}

  /**
   * An admitted arrival: who, on which route, and the path as the instance is to receive it.
   *
   * @param route null for an arrival at the gateway itself ({@link Arrival.Gateway})
   * @param path null unless the arrival named its route by path
   * @param prefixSegments path segments of the route's prefix to strip (0 when it keeps them)
   * @param session the browser session it came with, or null
   */
  public record Admitted(TokenValidation.Valid token, LiveRoute route, RequestPath path, int prefixSegments,
      String session) implements Decision {
    public String forwardPath() {
      return path.forwardPath(prefixSegments);
    }

    /** The route's path prefix when the instance does not receive it (for X-Forwarded-Prefix), else null. */
    public String strippedPrefix() {
      return prefixSegments == 0 ? null : route.definition().match().pathPrefix();
    }
  }

  /** The step where limits go: null admits, a refusal refuses. */
  @FunctionalInterface
  public interface Limits {
    Limits NONE = (arrival, admitted) -> null;

    Refusal check(Arrival arrival, Admitted admitted);
  }

  private static final String RESERVED_SEGMENT = RouteRequests.RESERVED_PREFIX.substring(1);

  private final TokenCache tokens;
  private final RouteTable routes;
  private final DirectoryView directory;
  private final BrowserSessions sessions;
  private final LastUsedRecorder lastUsed;
  private final RequestObserver observer;
  private final int retryAfterSeconds;
  private final String publicScheme;
  private final Limits limits;

  public Admission(TokenCache tokens, RouteTable routes, DirectoryView directory, BrowserSessions sessions,
      LastUsedRecorder lastUsed, RequestObserver observer, int retryAfterSeconds, String publicScheme, Limits limits) {
    this.tokens = tokens;
    this.routes = routes;
    this.directory = directory;
    this.sessions = sessions;
    this.lastUsed = lastUsed;
    this.observer = observer;
    this.retryAfterSeconds = retryAfterSeconds;
    this.publicScheme = publicScheme;
    this.limits = limits;
  }

  public RouteTable routes() {
    return routes;
  }

  /** The Retry-After a 503 of this node carries. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  // ---- deciding ----------------------------------------------------------------------------

  /**
   * Decides on {@code a}. {@code then} runs at once when this node's memory decides, else on
   * {@code loop} once the credential's entity answered.
   *
   * @param memos the connection's memory of its last credentials
   */
  public void decide(Arrival a, Memos memos, Executor loop, Consumer<Decision> then) {
    Arrival.Credential c = a.credential();
    if (c instanceof Arrival.BearerToken b) {
      byToken(a, b.token(), memos, loop, then);
    } else if (c instanceof Arrival.SessionCookie cookie) {
      bySession(a, cookie.values(), memos, loop, then);
    } else if (c instanceof Arrival.Grant g) {
      byGrant(a, g.tokenId(), loop, then);
    } else if (c instanceof Arrival.Several) {
      then.accept(Refusal.severalTokens());
    } else {
      then.accept(unauthenticated(a, Refusal.missingToken()));
    }
  }

  /** {@link #decide} for a caller without a connection of its own (the admin API). */
  public CompletionStage<Decision> decide(Arrival a) {
    CompletableFuture<Decision> out = new CompletableFuture<>();
    decide(a, new Memos(), Runnable::run, out::complete);
    return out;
  }

  private void byToken(Arrival a, String token, Memos memos, Executor loop, Consumer<Decision> then) {
    TokenValidation known = tokens.validateCached(token, memos.token());
    if (known != null) {
      then.accept(withToken(a, known));
      return;
    }
    tokens.validate(token).whenComplete((v, failure) -> loop.execute(() ->
        then.accept(failure != null ? Refusal.tokenCheckUnavailable() : withToken(a, v))));
  }

  /** A session port's new connection: the token it was opened with, as it stands now. */
  private void byGrant(Arrival a, TokenId tokenId, Executor loop, Consumer<Decision> then) {
    later(tokens.byId(tokenId), loop, then, v -> withToken(a, v));
  }

  private Decision withToken(Arrival a, TokenValidation v) {
    TokenValidation.Valid token = validated(v);
    if (token == null) {
      return Refusal.unauthorized(((TokenValidation.Invalid) v).reason());
    }
    if (a.target() instanceof Arrival.Gateway) {
      return new Admitted(token, null, null, 0, null);
    }
    Resolved r = resolve(a);
    return r.refusal != null ? r.refusal : authorize(a, token, r, null);
  }

  /** Counts the validation, and the use of a valid token; the valid token, or null. */
  private TokenValidation.Valid validated(TokenValidation v) {
    observer.validated(v);
    if (v instanceof TokenValidation.Valid valid) {
      lastUsed.used(valid.tokenId());
      return valid;
    }
    return null;
  }

  // ---- browser sessions --------------------------------------------------------------------

  private void bySession(Arrival a, List<String> values, Memos memos, Executor loop, Consumer<Decision> then) {
    String host = a.authority().host();
    List<BrowserSessions.Session> known = sessions.fromMemory(values, host, memos.session());
    if (known != null) {
      inSession(a, known, loop, then);
      return;
    }
    sessions.fromEntities(values, host).whenComplete((found, failure) -> loop.execute(() -> {
      if (failure != null) {
        then.accept(Refusal.tokenCheckUnavailable());
      } else {
        inSession(a, found, loop, then);
      }
    }));
  }

  /**
   * A cookie's request: the session bound to the route it resolves to stands for its token, on a
   * browser route only (elsewhere a cookie is as if there were none), from the route's own origin
   * for anything that changes state.
   */
  private void inSession(Arrival a, List<BrowserSessions.Session> proved, Executor loop, Consumer<Decision> then) {
    if (proved.isEmpty()) {
      then.accept(unauthenticated(a, Refusal.noSession("the browser session is not known or has ended (sign in again)")));
      return;
    }
    if (a.target() instanceof Arrival.Gateway) {
      // Only bearer tokens speak to the gateway itself: a cookie carries no authority outside its route.
      then.accept(Refusal.missingToken());
      return;
    }
    Resolved r = resolve(a);
    if (r.refusal != null) {
      then.accept(r.refusal);
      return;
    }
    if (!r.route.definition().isBrowser()) {
      then.accept(Refusal.missingToken());
      return;
    }
    BrowserSessions.Session session = null;
    for (BrowserSessions.Session s : proved) {
      if (s.route().equals(r.route.name())) {
        session = s;
      }
    }
    if (session == null) {
      then.accept(unauthenticated(a, Refusal.noSession(
          "the browser session is for another route; sign in to route '" + r.route.name() + "'")));
      return;
    }
    String sessionId = session.sessionId();
    later(tokens.byId(session.tokenId()), loop, then, v -> {
      TokenValidation.Valid token = validated(v);
      if (token == null) {
        return unauthenticated(a, Refusal.unauthorized(((TokenValidation.Invalid) v).reason()));
      }
      return authorize(a, token, r, sessionId);
    });
  }

  /**
   * Ends every browser session this node knows whose route no longer admits its principal (a
   * group change, a route change): they end on every node, whether or not a request comes.
   */
  public void endSessionsWithoutAccess() {
    for (BrowserSessions.Session s : sessions.open()) {
      if (tokens.current(s.tokenId()) instanceof TokenValidation.Valid token) {
        LiveRoute live = routes.get(s.route());
        Refusal r = live == null ? Refusal.routeGone(s.route()) : mayUse(token, live);
        if (r != null && r.code() != ErrorCode.UNAVAILABLE) {
          sessions.end(s.sessionId(), "access ended: " + r.message());
        }
      }
    }
  }

  // ---- the steps after who -----------------------------------------------------------------

  /** The route an arrival is for, with its path, or why there is none. */
  private record Resolved(LiveRoute route, RequestPath path, int prefixSegments, Refusal refusal) {
    static Resolved refused(Refusal r) {
      return new Resolved(null, null, 0, r);
    }
  }

  private Resolved resolve(Arrival a) {
    if (a.target() instanceof Arrival.Named n) {
      LiveRoute route = routes.get(n.route());
      if (route == null || route.definition().isTcp() != n.tcp()) {
        return Resolved.refused(Refusal.of(ErrorCode.NOT_FOUND,
            n.tcp() ? "no tcp route named '" + n.route() + "'" : "no http route named '" + n.route() + "'"));
      }
      return new Resolved(route, null, 0, null);
    }
    RequestPath path;
    try {
      path = RequestPath.parse(((Arrival.Path) a.target()).uri());
    } catch (RequestPath.Invalid e) {
      return Resolved.refused(Refusal.invalid("path", e.getMessage()));
    }
    String[] segments = path.segments();
    RouteTable.Resolution found = segments.length > 0 && segments[0].equals(RESERVED_SEGMENT)
        ? null : routes.resolve(a.authority().host(), segments);
    if (found == null) {
      return Resolved.refused(Refusal.noRoute(path.pathOnly()));
    }
    LiveRoute route = found.route();
    return new Resolved(route, path, route.definition().upstream().stripPrefix() ? found.prefixSegments() : 0, null);
  }

  /** RBAC and scope, the origin rule for a session, the limits, the body. */
  private Decision authorize(Arrival a, TokenValidation.Valid token, Resolved r, String session) {
    Refusal refused = mayUse(token, r.route);
    if (refused != null) {
      if (session != null && refused.code() == ErrorCode.FORBIDDEN) {
        sessions.end(session, "access ended: " + refused.message());
      }
      return refused;
    }
    if (session != null && a.origin() != null && a.stateChanging() && !sameOrigin(a)) {
      return Refusal.crossOrigin(a.origin());
    }
    Admitted admitted = new Admitted(token, r.route, r.path, r.prefixSegments, session);
    refused = limits.check(a, admitted);
    if (refused != null) {
      return refused;
    }
    long maxBody = r.route.definition().limits().maxRequestBodyBytes();
    if (r.path != null && a.declaredLength() > maxBody) {
      return Refusal.tooLarge(r.route.name(), maxBody);
    }
    return admitted;
  }

  /**
   * Whether {@code Origin} is the route's own: the scheme the request came in on (or the public
   * URL's, behind a TLS-terminating balancer) and the authority it was sent to. A browser session
   * is bound to its host and route, so that is the route's origin.
   */
  private boolean sameOrigin(Arrival a) {
    String origin = a.origin();
    return a.authority().value() != null && (origin.equalsIgnoreCase(a.authority().origin(a.scheme()))
        || origin.equalsIgnoreCase(a.authority().origin(publicScheme)));
  }

  /** Whether the token may use the route now (RBAC, its scope, the route enabled): null if so, else why not. */
  public Refusal mayUse(TokenValidation.Valid token, LiveRoute route) {
    if (!Access.allowed(token, route, directory)) {
      return Refusal.forbidden(token.principal().display(), route.name());
    }
    if (!Access.inScope(token, route)) {
      return Refusal.outOfScope(route.name());
    }
    if (!route.definition().enabled()) {
      return Refusal.disabled(route.name(), retryAfterSeconds);
    }
    return null;
  }

  /** Whether the token's route scope (if it has one) includes {@code route}: null if so, else the 403. */
  public Refusal inScope(TokenValidation.Valid token, String route) {
    return token.routes() == null || token.routes().contains(route) ? null : Refusal.outOfScope(route);
  }

  /**
   * No credential, or no good one: a browser navigating to a browser route is sent to sign in and
   * come back; everyone else gets {@code r}.
   */
  private Refusal unauthenticated(Arrival a, Refusal r) {
    if (!a.browser() || !(a.target() instanceof Arrival.Path p)) {
      return r;
    }
    Resolved resolved = resolve(a);
    return resolved.route != null && resolved.route.definition().isBrowser() ? r.toSignIn(p.uri()) : r;
  }

  private void later(CompletionStage<TokenValidation> v, Executor loop, Consumer<Decision> then,
      java.util.function.Function<TokenValidation, Decision> decide) {
    CompletableFuture<TokenValidation> f = v.toCompletableFuture();
    if (f.isDone() && !f.isCompletedExceptionally()) {
      then.accept(decide.apply(f.join()));
      return;
    }
    v.whenComplete((value, failure) -> loop.execute(() ->
        then.accept(failure != null ? Refusal.tokenCheckUnavailable() : decide.apply(value))));
  }

  // ---- exchanges in progress ---------------------------------------------------------------

  /**
   * Whether an exchange of {@code tokenId} on {@code route} (in browser session {@code session},
   * or null) may go on: null if so, else why not. The steps of {@link #decide} after the
   * credential was proved: the token's standing now, the route, RBAC and scope.
   */
  public Refusal reconsider(TokenId tokenId, String route, String session) {
    if (session != null && !sessions.isOpen(session)) {
      return Refusal.sessionEnded();
    }
    TokenValidation validation = tokens.current(tokenId);
    if (validation instanceof TokenValidation.Invalid invalid) {
      return Refusal.unauthorized(invalid.reason());
    }
    LiveRoute live = routes.get(route);
    if (live == null) {
      return Refusal.routeGone(route);
    }
    Refusal r = mayUse((TokenValidation.Valid) validation, live);
    if (r != null && session != null && r.code() == ErrorCode.FORBIDDEN) {
      sessions.end(session, "access ended: " + r.message());
    }
    return r;
  }

  /** When the token expires (epoch millis), as this node holds it; 0 when it does not hold it. */
  public long tokenExpiresAtMillis(TokenId tokenId) {
    return tokens.expiresAtMillis(tokenId);
  }
}
