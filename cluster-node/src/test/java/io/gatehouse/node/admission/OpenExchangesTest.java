package io.gatehouse.node.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.browser.BrowserSessions;
import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.persistence.testing.MutableClock;
import io.gatehouse.persistence.token.RevocationReason;
import io.gatehouse.persistence.token.TokenEntity;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.PrincipalRef;
import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle of exchanges: begun, admitted (registered under token, route and session),
 * finished exactly once and recorded once; and cut, with the reason, when their access ends.
 */
class OpenExchangesTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final DirectoryView directory = new DirectoryView();
  private final RouteTable routes = new RouteTable(null);
  private final List<OpenExchanges.Open> recorded = new CopyOnWriteArrayList<>();
  private final List<String> cuts = new CopyOnWriteArrayList<>();
  private final EventExecutor loop = new DefaultEventLoop();
  private TokenCache tokens;
  private OpenExchanges open;
  private TokenSecrets.Generated token;
  private TokenValidation.Valid valid;

  @BeforeEach
  void setUp() {
    Audit audit = new Audit("t", clock.instant(), "n");
    DirectoryState state = DirectoryState.empty().apply(new DirectoryEntity.GroupCreated("ml", audit))
        .apply(new DirectoryEntity.UserCreated("alice", List.of("ml"), false, audit));
    directory.offer(state);
    tokens = new TokenCache(directory, null, clock, Duration.ofSeconds(1), Duration.ofSeconds(1), id -> false);
    token = TokenSecrets.generate();
    PrincipalRef alice = PrincipalRef.user("alice");
    tokens.offer(new TokenRecord(token.id(), "t", token.secretHash(), alice, state.principal(alice).incarnation(), alice,
        clock.instant(), clock.instant().plusSeconds(3600), null, Map.of(), null, 1));
    valid = (TokenValidation.Valid) tokens.validateCached(token.token());
    for (String r : List.of("a", "b")) {
      routes.apply(new RouteView(r, RouteDefinition.builder(r).pathPrefix("/" + r).groups("ml").build(), List.of(), 1));
    }
    BrowserSessions sessions = new BrowserSessions(null, id -> false);
    Admission admission = new Admission(tokens, routes, directory, sessions, null, null, 5, "http",
        Admission.Limits.NONE);
    open = new OpenExchanges(admission);
    open.recordTo(recorded::add);
  }

  @AfterEach
  void stop() {
    loop.shutdownGracefully();
  }

  private OpenExchanges.Open begin(String route, String name) throws Exception {
    return loop.submit(() -> {
      OpenExchanges.Open x = open.on(loop).begin(Arrival.Door.HTTP1, name, "GET", "/" + route, why -> {
        cuts.add(name + ": " + why.message());
      });
      LiveRoute live = routes.get(route);
      x.admitted(new Admission.Admitted(valid, live, null, 0, null));
      return x;
    }).get();
  }

  @Test
  void anExchangeIsInFlightUntilItsOneFinishAndIsRecordedOnce() throws Exception {
    OpenExchanges.Open x = begin("a", "one");
    assertThat(open.active()).isEqualTo(1);
    assertThat(open.count()).isEqualTo(1);

    boolean first = loop.submit(() -> x.finish(200)).get();
    boolean second = loop.submit(() -> x.finish(500)).get();

    assertThat(first).isTrue();
    assertThat(second).isFalse();
    assertThat(open.active()).isZero();
    assertThat(open.count()).isZero();
    assertThat(recorded).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(200));
  }

  @Test
  void aRevocationCutsTheTokensExchangesWithTheReason() throws Exception {
    begin("a", "one");
    begin("b", "two");

    tokens.apply(new TokenEntity.TokenRevoked(token.id(), PrincipalRef.user("alice"), RevocationReason.REVOKED,
        new Audit("t", clock.instant(), "n")), 2);
    open.tokenRevoked(token.id());

    await().untilAsserted(() -> assertThat(cuts).containsExactlyInAnyOrder(
        "one: the bearer token has been revoked", "two: the bearer token has been revoked"));
  }

  @Test
  void aRouteChangeCutsOnlyThatRoutesExchangesThatLostAccess() throws Exception {
    begin("a", "one");
    begin("b", "two");

    routes.apply(new RouteView("a", RouteDefinition.builder("a").pathPrefix("/a").groups("ml").enabled(false).build(),
        List.of(), 2));
    open.routeChanged("a");
    open.routeChanged("b");

    await().untilAsserted(() -> assertThat(cuts).containsExactly("one: route 'a' is disabled"));
  }

  @Test
  void aGrantIsCutWithItsAccessButNeitherCountedInFlightNorRecorded() throws Exception {
    OpenExchanges.Open grant = loop.submit(() -> {
      OpenExchanges.Open g = open.on(loop).grant(why -> cuts.add("grant: " + why.message()));
      g.admitted(new Admission.Admitted(valid, routes.get("a"), null, 0, null));
      return g;
    }).get();
    assertThat(open.active()).isZero();

    routes.apply(RouteView.deleted("a", 3));
    open.routeChanged("a");

    await().untilAsserted(() -> assertThat(cuts).containsExactly("grant: route 'a' no longer exists"));
    loop.submit(() -> grant.finish(0)).get();
    assertThat(recorded).isEmpty();
  }
}
