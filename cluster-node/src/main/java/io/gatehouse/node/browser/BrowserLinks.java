package io.gatehouse.node.browser;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.admission.RequestPath;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.session.BrowserSessionEntity;
import io.gatehouse.persistence.store.IdMint;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.BrowserLinkJson;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Browser links and browser sessions: what the data plane's {@code /_gatehouse/} endpoints and the
 * admin API do with them. A link is made for a token that may use a browser route (admitted for
 * it by the one admission), to a path on that route; opening it (once, within a minute, on the
 * route's own host) opens a session bound to that route. A person may also sign in by pasting a
 * token. Where the browser goes next follows one rule, {@link #checkedNext}, for links and the
 * form alike. The token never appears in a URL.
 */
public final class BrowserLinks {
  public static final int SESSION_ID_LENGTH = 22;
  static final Duration CODE_LIFETIME = Duration.ofSeconds(60);

  /** Where a route answers browsers: {@code scheme://host[:port]}, and the host alone. */
  public record Origin(String url, String host) {}

  /** A session just opened: its cookie, and where the browser goes. */
  public record Opened(SessionCookie.Value cookie, String next) {}

  private final ClusterSharding sharding;
  private final RouteTable routes;
  private final URI publicUrl;
  private final Clock clock;
  private final Duration askTimeout;
  private final IdMint mint;

  /** @param mint makes session ids this cluster can recognise as its own (a made-up one costs no lookup) */
  public BrowserLinks(ClusterSharding sharding, RouteTable routes, String publicUrl, Clock clock,
      Duration askTimeout, IdMint mint) {
    this.sharding = sharding;
    this.routes = routes;
    this.mint = mint;
    this.publicUrl = URI.create(publicUrl);
    this.clock = clock;
    this.askTimeout = askTimeout;
  }

  /**
   * Makes a browser link to {@code next} on the route the token was admitted to.
   *
   * @param node this node's address, for the audit
   */
  public CompletionStage<BrowserLinkJson.Link> create(Admission.Admitted admitted, String next, String node) {
    LiveRoute live = admitted.route();
    if (!live.definition().isBrowser()) {
      throw Rejection.invalid("route", "'" + live.name() + "' is not a browser route (\"browser\": true)");
    }
    TokenValidation.Valid token = admitted.token();
    String path = checkedNext(live, next);
    Origin origin = origin(live);
    String sessionId = mint.mint(SESSION_ID_LENGTH - IdMint.MAC_CHARS);
    String codeSecret = TokenSecrets.randomSecret();
    Instant expires = clock.instant().plus(CODE_LIFETIME).truncatedTo(ChronoUnit.MILLIS);
    return BrowserSessionEntity.ref(sharding, sessionId)
        .<Done>askWithStatus(r -> new BrowserSessionEntity.Offer(token.tokenId(), origin.host(), live.name(), path,
            TokenSecrets.hash(codeSecret), expires, Actor.of(token.principal(), node), r), askTimeout)
        .thenApply(done -> new BrowserLinkJson.Link(
            origin.url() + "/_gatehouse/signin?code=" + sessionId + "_" + codeSecret, expires));
  }

  /** Opens a link's session on {@code host}: the new cookie, and where to go. */
  public CompletionStage<Opened> redeem(String code, String host, String node) {
    SessionCookie.Value v = SessionCookie.parse(code);
    if (v == null) {
      return CompletableFuture.failedFuture(Rejection.invalid("code", "this sign-in code is not known"));
    }
    String secret = TokenSecrets.randomSecret();
    return BrowserSessionEntity.ref(sharding, v.sessionId())
        .<BrowserSessionEntity.Redeemed>askWithStatus(r -> new BrowserSessionEntity.Redeem(
            TokenSecrets.hash(v.secret()), host, TokenSecrets.hash(secret), Actor.system(node), r), askTimeout)
        .thenApply(redeemed -> new Opened(new SessionCookie.Value(v.sessionId(), secret), redeemed.next()));
  }

  /**
   * Opens a session at once for a token a person pasted, admitted (by the one admission) for the
   * path {@code next} on {@code host}, which must be a browser route's.
   */
  public CompletionStage<Opened> signIn(Admission.Admitted admitted, String host, String next, String node) {
    LiveRoute live = admitted.route();
    if (!live.definition().isBrowser()) {
      throw Rejection.invalid("next", "is not a path on a browser route of this host");
    }
    TokenValidation.Valid token = admitted.token();
    String path = checkedNext(live, next);
    String sessionId = mint.mint(SESSION_ID_LENGTH - IdMint.MAC_CHARS);
    String secret = TokenSecrets.randomSecret();
    return BrowserSessionEntity.ref(sharding, sessionId)
        .<Done>askWithStatus(r -> new BrowserSessionEntity.OpenDirectly(token.tokenId(), host, live.name(),
            TokenSecrets.hash(secret), Actor.of(token.principal(), node), r), askTimeout)
        .thenApply(done -> new Opened(new SessionCookie.Value(sessionId, secret), path));
  }

  /**
   * Signs a browser out of the sessions its cookie holds: each ends only if the cookie has its
   * secret (its entity checks), so nobody can end another's session by its id.
   */
  public CompletionStage<Void> signOut(java.util.List<SessionCookie.Value> held, String node) {
    CompletableFuture<?>[] ends = held.stream()
        .map(v -> BrowserSessionEntity.ref(sharding, v.sessionId())
            .<Done>askWithStatus(r -> new BrowserSessionEntity.End("signed out", TokenSecrets.hash(v.secret()),
                Actor.system(node), r), askTimeout)
            .toCompletableFuture().exceptionally(f -> Done.getInstance()))
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(ends);
  }

  /** Whether {@code next} is a path a browser may be sent to: one {@code /} first, no backslash, no scheme. */
  public static boolean isLocalPath(String next) {
    return next.startsWith("/") && !next.startsWith("//") && next.indexOf('\\') < 0;
  }

  /**
   * Where a browser goes after signing in to {@code route}, by the one rule for links and the
   * sign-in form: absent, the route's own path; else a path (not {@code //host}, not a URL, no
   * backslash, no dot segment) that this route answers on its own origin.
   */
  String checkedNext(LiveRoute route, String next) {
    Origin origin = origin(route);
    boolean bySubdomain = origin.host().equals(subdomainHost(route));
    if (next == null || next.isEmpty()) {
      return bySubdomain ? "/" : route.definition().match().pathPrefix() + "/";
    }
    if (!isLocalPath(next)) {
      throw Rejection.invalid("next", "must be a path on route '" + route.name() + "' (starting with one '/')");
    }
    RouteTable.Resolution r = resolve(bySubdomain ? origin.host() : null, next);
    if (r == null || !r.route().name().equals(route.name())) {
      throw Rejection.invalid("next", "must be a path on route '" + route.name() + "'");
    }
    return next;
  }

  private RouteTable.Resolution resolve(String host, String path) {
    try {
      return routes.resolve(host, RequestPath.parse(path).segments());
    } catch (RequestPath.Invalid e) {
      throw Rejection.invalid("next", e.getMessage());
    }
  }

  /** The origin browsers use for a route: its subdomain's (static subdomain routes), else the gateway's public URL. */
  public Origin origin(LiveRoute route) {
    String sub = subdomainHost(route);
    boolean bySubdomain = route.definition().isStatic() && sub != null;
    String host = bySubdomain ? sub : publicUrl.getHost().toLowerCase();
    String port = publicUrl.getPort() < 0 ? "" : ":" + publicUrl.getPort();
    return new Origin(publicUrl.getScheme() + "://" + host + port, host);
  }

  private String subdomainHost(LiveRoute route) {
    String sub = route.definition().match().subdomain();
    return sub == null || routes.baseDomain() == null ? null : sub + "." + routes.baseDomain();
  }

  /** A refusal from here, as the data plane answers it. */
  public static Refusal refusalOf(Throwable failure) {
    Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    if (t instanceof Rejection r) {
      return Refusal.of(r.code(), r.getMessage());
    }
    if (t instanceof org.apache.pekko.pattern.StatusReply.ErrorMessage m) {
      Rejection r = Rejection.fromWireText(m.getMessage());
      return Refusal.of(r.code() == ErrorCode.INTERNAL ? ErrorCode.UNAVAILABLE : r.code(),
          r.code() == ErrorCode.INTERNAL ? "the session could not be stored right now; try again" : r.getMessage());
    }
    return Refusal.of(ErrorCode.UNAVAILABLE, "the cluster did not answer in time; try again");
  }
}
