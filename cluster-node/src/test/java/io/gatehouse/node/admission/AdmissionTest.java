package io.gatehouse.node.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.browser.BrowserSessions;
import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.metrics.RequestObserver;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.token.Bearer;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.persistence.session.BrowserSessionEntity;
import io.gatehouse.persistence.testing.MutableClock;
import io.gatehouse.persistence.token.RevocationReason;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.PrincipalRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one admission as a plain function of what arrived and the node's views: the order of
 * API.md's refusals and what each says, the rules for browser sessions (bound to a route and a
 * host, the origin rule for anything that changes state, upgrades included), the gateway's own
 * targets and session ports' grants, and the reconsidering that ends exchanges in progress. No
 * network, no Netty, no actor.
 */
class AdmissionTest {
  private static final String HOST = "gw.test:8080";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final DirectoryView directory = new DirectoryView();
  private final RouteTable routes = new RouteTable("gw.test");
  private final List<TokenValidation> validated = new ArrayList<>();
  private final List<String> sessionsEnded = new ArrayList<>();
  private final List<String> limitsAsked = new ArrayList<>();
  private TokenCache tokens;
  private BrowserSessions sessions;
  private Admission admission;
  private DirectoryState state;

  @BeforeEach
  void setUp() {
    state = DirectoryState.empty()
        .apply(new DirectoryEntity.GroupCreated("ml", audit()))
        .apply(new DirectoryEntity.GroupCreated("ops", audit()))
        .apply(new DirectoryEntity.UserCreated("alice", List.of("ml"), false, audit()))
        .apply(new DirectoryEntity.UserCreated("bob", List.of("ops"), false, audit()));
    directory.offer(state);
    tokens = new TokenCache(directory, null, clock, Duration.ofSeconds(3), Duration.ofSeconds(30), id -> false);
    RequestObserver observer = new RequestObserver() {
      @Override
      public void finished(String route, String tokenId, String instanceId, int status, long nanos, long bytesIn,
          long bytesOut) {}

      @Override
      public void validated(TokenValidation v) {
        validated.add(v);
      }
    };
    sessions = new BrowserSessions(new BrowserSessions.Entities() {
      @Override
      public CompletionStage<BrowserSessionEntity.State> get(String sessionId) {
        return CompletableFuture.completedFuture(new BrowserSessionEntity.Unknown());
      }

      @Override
      public CompletionStage<Done> end(String sessionId, String reason) {
        sessionsEnded.add(sessionId);
        return CompletableFuture.completedFuture(Done.getInstance());
      }
    }, id -> false);
    Admission.Limits limits = (arrival, admitted) -> {
      limitsAsked.add(admitted.route().name());
      return null;
    };
    admission = new Admission(tokens, routes, directory, sessions, new LastUsedRecorder(null, clock), observer, 7,
        "https", limits);
    route("llm", "/llm", true, 1024, false);
    route("llm-stream", "/llm/stream", true, 1024, false);
    route("paused", "/paused", false, 1024, false);
    route("lab", "/lab", true, 1024, true);
    route("notes", "/notes", true, 1024, true);
    routes.apply(new RouteView("pg", RouteDefinition.builder("pg").tcp().groups("ml").build(), List.of(), 1));
  }

  private Audit audit() {
    return new Audit("test", clock.instant(), "node");
  }

  private void route(String name, String prefix, boolean enabled, long maxBody, boolean browser) {
    Instant now = clock.instant();
    routes.apply(new RouteView(name, RouteDefinition.builder(name).pathPrefix(prefix).browser(browser)
        .groups("ml").maxRequestBodyBytes(maxBody).enabled(enabled).times(now, now).build(),
        List.of(), System.nanoTime()));
  }

  private TokenSecrets.Generated issue(String user, List<String> scope) {
    TokenSecrets.Generated g = TokenSecrets.generate();
    PrincipalRef p = PrincipalRef.user(user);
    tokens.offer(new TokenRecord(g.id(), "t", g.secretHash(), p, state.principal(p).incarnation(), p,
        clock.instant(), clock.instant().plus(Duration.ofHours(1)), scope, Map.of(), null, 1));
    return g;
  }

  /** A session of {@code token} for {@code route} on this host, as a cookie value. */
  private String session(TokenSecrets.Generated token, String route, String id) {
    String secret = TokenSecrets.randomSecret();
    sessions.apply(id, new BrowserSessionEntity.Open(token.id(), "gw.test", route, TokenSecrets.hash(secret),
        clock.instant()));
    return id + "_" + secret;
  }

  private static Arrival arrival(Arrival.Credential c, Arrival.Target target, String method, String origin,
      long declared, boolean upgrade, boolean browser) throws RequestPath.Invalid {
    return new Arrival(Arrival.Door.HTTP1, c, Authority.parse(HOST), target, method, origin, declared, "http",
        upgrade, browser);
  }

  private Admission.Decision decide(Arrival a) {
    List<Admission.Decision> out = new ArrayList<>();
    admission.decide(a, new Memos(), Runnable::run, out::add);
    assertThat(out).as("decided from memory").hasSize(1);
    return out.get(0);
  }

  private Admission.Decision admit(String token, String target, long declared) throws RequestPath.Invalid {
    return decide(arrival(new Arrival.BearerToken(token), new Arrival.Path(target), "GET", null, declared, false,
        false));
  }

  private Admission.Decision withCookie(String cookie, String target, String method, String origin, boolean upgrade)
      throws RequestPath.Invalid {
    return decide(arrival(new Arrival.SessionCookie(List.of(cookie)), new Arrival.Path(target), method, origin, -1,
        upgrade, false));
  }

  private static ErrorCode code(Admission.Decision d) {
    assertThat(d).isInstanceOf(Refusal.class);
    return ((Refusal) d).code();
  }

  // ---- the credential ----------------------------------------------------------------------

  @Test
  void exactlyOneBearerHeaderIsRequired() throws Exception {
    Arrival.Credential none = Arrival.Credential.of(Bearer.read(List.<String>of().iterator()), List.of());
    Arrival.Credential two = Arrival.Credential.of(Bearer.read(List.of("Bearer a", "Bearer b").iterator()), List.of());
    Arrival.Credential basic = Arrival.Credential.of(Bearer.read(List.of("Basic YTpi").iterator()), List.of());

    assertThat(((Refusal) decide(arrival(none, new Arrival.Path("/llm/x"), "GET", null, -1, false, false))).message())
        .contains("a bearer token is required");
    assertThat(((Refusal) decide(arrival(two, new Arrival.Path("/llm/x"), "GET", null, -1, false, false))).message())
        .contains("several");
    assertThat(basic).isEqualTo(Arrival.None.INSTANCE);
    assertThat(Arrival.Credential.of(Bearer.read(List.of("bearer  gth_x ").iterator()), List.of()))
        .isEqualTo(new Arrival.BearerToken("gth_x"));
  }

  @Test
  void aRevokedTokenIsRefusedWithTheChallengeThatSaysSo() throws Exception {
    TokenSecrets.Generated g = issue("alice", null);
    PrincipalRef alice = PrincipalRef.user("alice");
    tokens.offer(new TokenRecord(g.id(), "t", g.secretHash(), alice, state.principal(alice).incarnation(), alice,
        clock.instant(), clock.instant().plus(Duration.ofHours(1)), null, Map.of(),
        new TokenRecord.Revocation(clock.instant(), alice, RevocationReason.REVOKED), 2));

    Refusal r = (Refusal) admit(g.token(), "/llm/v1/models", -1);

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.message()).isEqualTo("the bearer token has been revoked");
    assertThat(r.challenge()).isEqualTo(
        "Bearer realm=\"gatehouse\", error=\"invalid_token\", error_description=\"token revoked\"");
    assertThat(validated).singleElement().isInstanceOf(TokenValidation.Invalid.class);
  }

  // ---- the order of checks -----------------------------------------------------------------

  @Test
  void theTokenIsCheckedBeforeAnyRouteIsLookedAt() throws Exception {
    assertThat(code(admit("not-a-token", "/nowhere", -1))).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(code(admit("not-a-token", "/llm/x", -1))).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(validated).hasSize(2);
  }

  @Test
  void noRouteIsA404AndTheGatewaysOwnPrefixNeverReachesARoute() throws Exception {
    String alice = issue("alice", null).token();

    assertThat(code(admit(alice, "/llmx/y", -1))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(admit(alice, "/_gatehouse/anything", -1))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(admit(alice, "/llm/../etc", -1))).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void rbacAndTheTokensRouteScopeAre403() throws Exception {
    String bob = issue("bob", null).token();
    String scoped = issue("alice", List.of("llm-stream")).token();

    Refusal notInGroup = (Refusal) admit(bob, "/llm/x", -1);
    Refusal outOfScope = (Refusal) admit(scoped, "/llm/x", -1);

    assertThat(notInGroup.code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(notInGroup.message()).isEqualTo("user:bob may not use route 'llm'");
    assertThat(outOfScope.code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(admit(scoped, "/llm/stream/x", -1)).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void aDisabledRouteIs503WithRetryAfterAndAnOversizedBody413() throws Exception {
    String alice = issue("alice", null).token();

    Refusal paused = (Refusal) admit(alice, "/paused/x", -1);
    assertThat(paused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(paused.retryAfterSeconds()).isEqualTo(7);
    assertThat(code(admit(alice, "/llm/x", 1025))).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(admit(alice, "/llm/x", 1024)).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void theLimitsStepComesAfterRbacAndBeforeTheBody() throws Exception {
    String alice = issue("alice", null).token();
    String bob = issue("bob", null).token();

    admit(bob, "/llm/x", -1);
    admit(alice, "/paused/x", -1);
    admit(alice, "/llm/x", 5000);

    assertThat(limitsAsked).containsExactly("llm");
  }

  @Test
  void anAdmittedRequestGoesToTheLongestPrefixWithThePrefixStripped() throws Exception {
    String alice = issue("alice", null).token();

    var a = (Admission.Admitted) admit(alice, "/llm/stream/v1/chat?x=1", -1);

    assertThat(a.route().name()).isEqualTo("llm-stream");
    assertThat(a.forwardPath()).isEqualTo("/v1/chat?x=1");
    assertThat(a.token().principal()).isEqualTo(PrincipalRef.user("alice"));
  }

  @Test
  void aBrowserWithoutACredentialIsSentToSignInOnABrowserRouteOnly() throws Exception {
    Arrival.Credential none = Arrival.None.INSTANCE;

    Refusal browserRoute = (Refusal) decide(arrival(none, new Arrival.Path("/lab/tree"), "GET", null, -1, false, true));
    Refusal apiRoute = (Refusal) decide(arrival(none, new Arrival.Path("/llm/x"), "GET", null, -1, false, true));
    Refusal script = (Refusal) decide(arrival(none, new Arrival.Path("/lab/tree"), "GET", null, -1, false, false));

    assertThat(browserRoute.signIn()).isEqualTo("/lab/tree");
    assertThat(apiRoute.signIn()).isNull();
    assertThat(script.signIn()).isNull();
    assertThat(script.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  // ---- routes by name, the gateway itself, grants ------------------------------------------

  @Test
  void aRouteNamedOutrightMustBeOfTheKindAsked() throws Exception {
    String alice = issue("alice", null).token();
    Arrival.Credential c = new Arrival.BearerToken(alice);

    assertThat(decide(arrival(c, new Arrival.Named("pg", true), "GET", null, -1, true, false)))
        .isInstanceOf(Admission.Admitted.class);
    assertThat(code(decide(arrival(c, new Arrival.Named("llm", true), "GET", null, -1, true, false))))
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(decide(arrival(c, new Arrival.Named("pg", false), "POST", null, -1, false, false))))
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(decide(arrival(new Arrival.BearerToken(issue("bob", null).token()), new Arrival.Named("pg", true),
        "GET", null, -1, true, false)))).isEqualTo(ErrorCode.FORBIDDEN);
  }

  @Test
  void theGatewayItselfAsksWhoAndNothingMoreAndTakesNoCookie() throws Exception {
    TokenSecrets.Generated alice = issue("alice", null);

    var a = (Admission.Admitted) decide(arrival(new Arrival.BearerToken(alice.token()), Arrival.Gateway.INSTANCE,
        "POST", null, -1, false, false));
    Refusal byCookie = (Refusal) decide(arrival(new Arrival.SessionCookie(List.of(session(alice, "lab", id(1)))),
        Arrival.Gateway.INSTANCE, "POST", null, -1, false, false));

    assertThat(a.route()).isNull();
    assertThat(a.token().tokenId()).isEqualTo(alice.id());
    assertThat(byCookie.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void aSessionPortsGrantIsTheTokenAsItStandsNow() throws Exception {
    TokenSecrets.Generated alice = issue("alice", null);
    Arrival grant = arrival(new Arrival.Grant(alice.id()), new Arrival.Named("pg", true), "CONNECT", null, -1, false,
        false);
    assertThat(decide(grant)).isInstanceOf(Admission.Admitted.class);

    state = state.apply(new DirectoryEntity.UserUpdated("alice", List.of("ops"), false, audit()));
    directory.offer(state);

    assertThat(code(decide(grant))).isEqualTo(ErrorCode.FORBIDDEN);
  }

  // ---- browser sessions --------------------------------------------------------------------

  private static String id(int n) {
    return ("S" + n + "ssionIdOfTwentyTwoCharacters").substring(0, 22);
  }

  @Test
  void aSessionIsAdmittedOnItsOwnRouteOnly() throws Exception {
    TokenSecrets.Generated alice = issue("alice", null);
    String lab = session(alice, "lab", id(1));

    var a = (Admission.Admitted) withCookie(lab, "/lab/tree", "GET", null, false);
    Refusal onNotes = (Refusal) withCookie(lab, "/notes/x", "GET", null, false);
    Refusal onApiRoute = (Refusal) withCookie(lab, "/llm/x", "GET", null, false);

    assertThat(a.session()).isEqualTo(id(1));
    assertThat(onNotes.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(onNotes.message()).contains("another route");
    assertThat(onApiRoute.message()).contains("a bearer token is required");
  }

  @Test
  void aCookieHoldsOneSessionPerRouteOfItsHost() throws Exception {
    TokenSecrets.Generated alice = issue("alice", null);
    String both = session(alice, "lab", id(1)) + "." + session(alice, "notes", id(2));

    assertThat(((Admission.Admitted) withCookie(both, "/lab/x", "GET", null, false)).session()).isEqualTo(id(1));
    assertThat(((Admission.Admitted) withCookie(both, "/notes/x", "GET", null, false)).session()).isEqualTo(id(2));
  }

  @Test
  void aSessionIsGoodOnItsOwnHostOnlyAndNotWithAnotherSecret() throws Exception {
    TokenSecrets.Generated alice = issue("alice", null);
    String lab = session(alice, "lab", id(1));
    String forged = id(1) + "_" + TokenSecrets.randomSecret();

    Arrival otherHost = new Arrival(Arrival.Door.HTTP1, new Arrival.SessionCookie(List.of(lab)),
        Authority.parse("lab.gw.test"), new Arrival.Path("/lab/x"), "GET", null, -1, "http", false, false);

    assertThat(code(decide(otherHost))).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(code(withCookie(forged, "/lab/x", "GET", null, false))).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void aStateChangingRequestOrAnUpgradeFromAnotherOriginIsRefusedForACookie() throws Exception {
    TokenSecrets.Generated alice = issue("alice", null);
    String lab = session(alice, "lab", id(1));

    assertThat(code(withCookie(lab, "/lab/api/kernels", "GET", "http://evil.example", true)))
        .as("cross-site WebSocket hijacking").isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(code(withCookie(lab, "/lab/api/kernels", "GET", "http://other.gw.test:8080", true)))
        .as("a sibling subdomain").isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(code(withCookie(lab, "/lab/api/contents", "POST", "http://evil.example", false)))
        .isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(withCookie(lab, "/lab/api/kernels", "GET", "http://gw.test:8080", true))
        .isInstanceOf(Admission.Admitted.class);
    assertThat(withCookie(lab, "/lab/api/kernels", "GET", "https://gw.test:8080", true))
        .as("behind a TLS-terminating balancer, the public URL's scheme").isInstanceOf(Admission.Admitted.class);
    assertThat(withCookie(lab, "/lab/tree", "GET", "http://evil.example", false))
        .as("a plain navigation changes nothing").isInstanceOf(Admission.Admitted.class);
    assertThat(decide(arrival(new Arrival.BearerToken(alice.token()), new Arrival.Path("/lab/api/kernels"), "GET",
        "http://evil.example", -1, true, false))).as("a bearer token is no ambient credential")
        .isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void aSessionWhoseRouteNoLongerAdmitsItsPrincipalEnds() throws Exception {
    TokenSecrets.Generated alice = issue("alice", null);
    String lab = session(alice, "lab", id(1));
    state = state.apply(new DirectoryEntity.UserUpdated("alice", List.of("ops"), false, audit()));
    directory.offer(state);

    assertThat(code(withCookie(lab, "/lab/x", "GET", null, false))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(sessionsEnded).containsExactly(id(1));
  }

  @Test
  void sessionsWithoutAccessEndEvenWithoutARequest() {
    TokenSecrets.Generated alice = issue("alice", null);
    session(alice, "lab", id(1));
    session(issue("alice", null), "notes", id(2));
    admission.endSessionsWithoutAccess();
    assertThat(sessionsEnded).isEmpty();

    state = state.apply(new DirectoryEntity.UserUpdated("alice", List.of("ops"), false, audit()));
    directory.offer(state);
    admission.endSessionsWithoutAccess();

    assertThat(sessionsEnded).containsExactlyInAnyOrder(id(1), id(2));
  }

  // ---- reconsidering exchanges in progress -------------------------------------------------

  @Test
  void anExchangeInProgressIsRefusedOnceItsAccessEnds() throws Exception {
    TokenSecrets.Generated g = issue("alice", null);
    var a = (Admission.Admitted) admit(g.token(), "/llm/x", -1);
    assertThat(admission.reconsider(a.token().tokenId(), "llm", null)).isNull();

    state = state.apply(new DirectoryEntity.UserUpdated("alice", List.of("ops"), false, audit()));
    directory.offer(state);
    assertThat(admission.reconsider(a.token().tokenId(), "llm", null).code()).isEqualTo(ErrorCode.FORBIDDEN);

    directory.offer(state.apply(new DirectoryEntity.UserDeleted("alice", audit())));
    assertThat(admission.reconsider(a.token().tokenId(), "llm", null).message())
        .isEqualTo("the bearer token's principal has been deleted");
  }

  @Test
  void aDeletedOrDisabledRouteEndsItsExchanges() throws Exception {
    var a = (Admission.Admitted) admit(issue("alice", null).token(), "/llm/x", -1);

    route("llm", "/llm", false, 1024, false);
    assertThat(admission.reconsider(a.token().tokenId(), "llm", null).code()).isEqualTo(ErrorCode.UNAVAILABLE);

    routes.apply(RouteView.deleted("llm", Long.MAX_VALUE));
    assertThat(admission.reconsider(a.token().tokenId(), "llm", null).code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void anExpiredTokenEndsItsExchanges() throws Exception {
    var a = (Admission.Admitted) admit(issue("alice", null).token(), "/llm/x", -1);

    clock.advance(Duration.ofHours(2));

    assertThat(admission.reconsider(a.token().tokenId(), "llm", null).message())
        .isEqualTo("the bearer token has expired");
  }

  @Test
  void aSessionsExchangesEndWithItsAccessAndTheSessionEndsToo() throws Exception {
    TokenSecrets.Generated alice = issue("alice", null);
    var a = (Admission.Admitted) withCookie(session(alice, "lab", id(3)), "/lab/x", "GET", null, false);

    state = state.apply(new DirectoryEntity.UserUpdated("alice", List.of("ops"), false, audit()));
    directory.offer(state);

    assertThat(admission.reconsider(a.token().tokenId(), "lab", a.session()).code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(sessionsEnded).containsExactly(id(3));
  }
}
