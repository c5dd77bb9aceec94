package io.gatehouse.node.admission;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.gatehouse.persistence.testing.MutableClock;
import io.gatehouse.persistence.token.RevocationReason;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.PrincipalRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Admission as a plain function of the node's views: the order of API.md's refusals and what
 * each says, and the recheck that ends exchanges in progress. No network, no Netty, no actor.
 */
class AdmissionTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final DirectoryView directory = new DirectoryView();
  private final RouteTable routes = new RouteTable("gw.test");
  private final List<TokenValidation> validated = new ArrayList<>();
  private TokenCache tokens;
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
    tokens = new TokenCache(directory, null, clock, Duration.ofSeconds(3), Duration.ofSeconds(30));
    RequestObserver observer = new RequestObserver() {
      @Override
      public void finished(String route, String tokenId, String instanceId, int status, long nanos, long bytesIn,
          long bytesOut) {}

      @Override
      public void validated(TokenValidation v) {
        validated.add(v);
      }
    };
    admission = new Admission(tokens, routes, directory, new LastUsedRecorder(null, clock), observer, 7, id -> true);
    route("llm", "/llm", true, 1024);
    route("llm-stream", "/llm/stream", true, 1024);
    route("paused", "/paused", false, 1024);
  }

  private Audit audit() {
    return new Audit("test", clock.instant(), "node");
  }

  private void route(String name, String prefix, boolean enabled, long maxBody) {
    Instant now = clock.instant();
    routes.apply(new RouteView(name, new RouteDefinition(name, RouteDefinition.Kind.STATIC, prefix, null,
        List.of("ml"), List.of(), "consumer", true, "/health", 5, 5, 300, maxBody, null, null, now, now, enabled, false, null, null),
        List.of(), System.nanoTime()));
  }

  private TokenSecrets.Generated issue(String user, List<String> scope) {
    TokenSecrets.Generated g = TokenSecrets.generate();
    PrincipalRef p = PrincipalRef.user(user);
    tokens.offer(new TokenRecord(g.id(), "t", g.secretHash(), p, state.principal(p).incarnation(), p,
        clock.instant(), clock.instant().plus(Duration.ofHours(1)), scope, Map.of(), null, 1));
    return g;
  }

  private Admission.Decision admit(String token, String target, long declared) {
    TokenValidation v = admission.fromMemory(new Bearer(token, false), new TokenCache.Memo());
    return admission.admit(v, null, target, declared);
  }

  private static ErrorCode code(Admission.Decision d) {
    assertThat(d).isInstanceOf(Refusal.class);
    return ((Refusal) d).code();
  }

  // ---- the credential ----------------------------------------------------------------------

  @Test
  void exactlyOneBearerHeaderIsRequired() {
    Iterator<String> none = List.<String>of().iterator();
    Iterator<String> two = List.of("Bearer a", "Bearer b").iterator();
    Iterator<String> basic = List.of("Basic YTpi").iterator();

    assertThat(admission.credentialProblem(Bearer.read(none)).message()).contains("a bearer token is required");
    assertThat(admission.credentialProblem(Bearer.read(two)).message()).contains("several");
    assertThat(admission.credentialProblem(Bearer.read(basic)).code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(admission.credentialProblem(Bearer.read(List.of("bearer  gth_x ").iterator()))).isNull();
    assertThat(Bearer.read(List.of("bearer  gth_x ").iterator()).token()).isEqualTo("gth_x");
  }

  @Test
  void aRevokedTokenIsRefusedWithTheChallengeThatSaysSo() {
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
  void theTokenIsCheckedBeforeAnyRouteIsLookedAt() {
    Bearer unseen = new Bearer("gth_Unknown00_" + "x".repeat(43), false);
    assertThat(admission.fromMemory(unseen, new TokenCache.Memo())).as("only its entity can tell").isNull();

    assertThat(code(admission.admit(TokenValidation.Reason.UNKNOWN.invalid(), null, "/nowhere", -1)))
        .isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(code(admit("not-a-token", "/llm/x", -1))).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void noRouteIsA404AndTheGatewaysOwnPrefixNeverReachesARoute() {
    String alice = issue("alice", null).token();

    assertThat(code(admit(alice, "/llmx/y", -1))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(admit(alice, "/_gatehouse/anything", -1))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(code(admit(alice, "/llm/../etc", -1))).isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  @Test
  void rbacAndTheTokensRouteScopeAre403() {
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
  void aDisabledRouteIs503WithRetryAfterAndAnOversizedBody413() {
    String alice = issue("alice", null).token();

    Refusal paused = (Refusal) admit(alice, "/paused/x", -1);
    assertThat(paused.code()).isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(paused.retryAfterSeconds()).isEqualTo(7);
    assertThat(code(admit(alice, "/llm/x", 1025))).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);
    assertThat(admit(alice, "/llm/x", 1024)).isInstanceOf(Admission.Admitted.class);
  }

  @Test
  void anAdmittedRequestGoesToTheLongestPrefixWithThePrefixStripped() {
    String alice = issue("alice", null).token();

    var a = (Admission.Admitted) admit(alice, "/llm/stream/v1/chat?x=1", -1);

    assertThat(a.route().name()).isEqualTo("llm-stream");
    assertThat(a.forwardPath()).isEqualTo("/v1/chat?x=1");
    assertThat(a.token().principal()).isEqualTo(PrincipalRef.user("alice"));
  }

  // ---- rechecking exchanges in progress ----------------------------------------------------

  @Test
  void anExchangeInProgressIsRefusedOnceItsAccessEnds() {
    TokenSecrets.Generated g = issue("alice", null);
    var a = (Admission.Admitted) admit(g.token(), "/llm/x", -1);
    assertThat(admission.recheck(a.token().tokenId(), "llm", null)).isNull();

    state = state.apply(new DirectoryEntity.UserUpdated("alice", List.of("ops"), false, audit()));
    directory.offer(state);
    assertThat(admission.recheck(a.token().tokenId(), "llm", null).code()).isEqualTo(ErrorCode.FORBIDDEN);

    directory.offer(state.apply(new DirectoryEntity.UserDeleted("alice", audit())));
    assertThat(admission.recheck(a.token().tokenId(), "llm", null).message())
        .isEqualTo("the bearer token's principal has been deleted");
  }

  @Test
  void aDeletedOrDisabledRouteEndsItsExchanges() {
    var a = (Admission.Admitted) admit(issue("alice", null).token(), "/llm/x", -1);

    route("llm", "/llm", false, 1024);
    assertThat(admission.recheck(a.token().tokenId(), "llm", null).code()).isEqualTo(ErrorCode.UNAVAILABLE);

    routes.apply(RouteView.deleted("llm", Long.MAX_VALUE));
    assertThat(admission.recheck(a.token().tokenId(), "llm", null).code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void anExpiredTokenEndsItsExchanges() {
    var a = (Admission.Admitted) admit(issue("alice", null).token(), "/llm/x", -1);

    clock.advance(Duration.ofHours(2));

    assertThat(admission.recheck(a.token().tokenId(), "llm", null).message()).isEqualTo("the bearer token has expired");
  }
}
