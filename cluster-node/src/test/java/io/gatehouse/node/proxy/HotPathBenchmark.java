package io.gatehouse.node.proxy;

import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Authority;
import io.gatehouse.node.admission.Memos;
import io.gatehouse.node.admission.RequestPath;
import io.gatehouse.node.browser.BrowserSessions;
import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.metrics.RequestObserver;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.affinity.SessionCache;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.session.ConsumerSessionEntity;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.PrincipalRef;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The steps of the request path that run for every request, each on its own, with the data sizes
 * of a busy node: {@code tokens} cached tokens, 50 routes, {@code tokens} pinned consumers. Run by
 * {@code ops/bench/jmh.sh}; not part of the test suite. Each benchmark cycles through 1,024
 * different consumers so that the caches are not answering the same key every time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class HotPathBenchmark {
  private static final int ROUTES = 50;
  private static final int MASK = 1023;

  @Param("100000")
  public int tokens;

  private TokenCache tokenCache;
  private DirectoryView directory;
  private RouteTable routeTable;
  private SessionCache sessions;
  private LiveRoute route;
  private final String[] bearers = new String[MASK + 1];
  private final String[] tokenIds = new String[MASK + 1];
  private final String[] uris = new String[MASK + 1];
  private TokenValidation.Valid valid;
  private Admission admission;
  private int i;

  @Setup
  public void setUp() throws Exception {
    Clock clock = Clock.systemUTC();
    Instant now = clock.instant();
    Audit audit = new Audit("bench", now, "bench");
    directory = new DirectoryView();
    DirectoryState state = DirectoryState.empty()
        .apply(new DirectoryEntity.GroupCreated("ml", audit))
        .apply(new DirectoryEntity.UserCreated("alice", List.of("ml"), false, audit));
    directory.offer(state);
    PrincipalRef alice = PrincipalRef.user("alice");
    long incarnation = state.principal(alice).incarnation();

    tokenCache = new TokenCache(directory, null, clock, Duration.ofSeconds(3), Duration.ofSeconds(30), id -> false);
    sessions = new SessionCache();
    routeTable = new RouteTable("gw.example.com");
    for (int r = 0; r < ROUTES; r++) {
      List<RouteView.InstanceView> instances = new ArrayList<>();
      for (int k = 0; k < 4; k++) {
        instances.add(new RouteView.InstanceView("inst-" + r + "-" + k, "127.0.0.1:" + (9000 + k), true, 0, now, now));
      }
      routeTable.apply(new RouteView("route-" + r, RouteDefinition.builder("route-" + r)
          .match(new RouteDefinition.Match("/models/route-" + r, "route-" + r)).groups("ml").times(now, now).build(), instances, 1));
    }
    route = routeTable.get("route-7");

    for (int t = 0; t < tokens; t++) {
      TokenSecrets.Generated g = TokenSecrets.generate();
      tokenCache.offer(new TokenRecord(g.id(), "token " + t, g.secretHash(), alice, incarnation, alice, now,
          now.plus(Duration.ofDays(30)), null, Map.of(), null, 1));
      sessions.put(ConsumerSessionEntity.entityId(route.name(), g.id().value()), "inst-7-" + (t & 3),
          clock.millis());
      if (t <= MASK) {
        bearers[t] = g.token();
        tokenIds[t] = g.id().value();
        uris[t] = "/models/route-" + (t % ROUTES) + "/v1/chat/completions?n=" + t;
      }
    }
    valid = (TokenValidation.Valid) tokenCache.validateCached(bearers[0]);
    RequestObserver none = new RequestObserver() {
      @Override
      public void finished(String route, String tokenId, String instanceId, int status, long nanos, long bytesIn,
          long bytesOut) {}

      @Override
      public void validated(TokenValidation validation) {}
    };
    admission = new Admission(tokenCache, routeTable, directory, new BrowserSessions(null, id -> false),
        new LastUsedRecorder(null, clock), none, 5, "http", Admission.Limits.NONE);
    try {
      authority = Authority.parse("gw.example.com");
    } catch (RequestPath.Invalid e) {
      throw new IllegalStateException(e);
    }
  }

  /** Token validation: syntax check, cache lookup, SHA-256 of the secret, expiry, principal. */
  @Benchmark
  public TokenValidation validateToken() {
    return tokenCache.validateCached(bearers[i++ & MASK]);
  }

  private final TokenCache.Memo memo = new TokenCache.Memo();

  /** The same for a keep-alive connection presenting its token again: the connection's memo. */
  @Benchmark
  public TokenValidation validateTokenAgainOnConnection() {
    return tokenCache.validateCached(bearers[0], memo);
  }

  private final Memos memos = new Memos();
  private Authority authority;
  private Admission.Decision decided;

  /**
   * The whole admission of a request on a keep-alive connection: the token (the connection's
   * memo), normalising the path, the longest prefix among 50 routes, RBAC, the body limit.
   */
  @Benchmark
  public Admission.Decision admitOnConnection() {
    Arrival a = new Arrival(Arrival.Door.HTTP1, new Arrival.BearerToken(bearers[0]), authority,
        new Arrival.Path(uris[i++ & MASK]), "POST", null, 312, "http", false, false);
    admission.decide(a, memos, Runnable::run, d -> decided = d);
    return decided;
  }

  /** The affinity lookup: the consumer's pin in this node's cache, and its instance in rotation. */
  @Benchmark
  public LiveRoute.Target affinityLookup() {
    String key = ConsumerSessionEntity.entityId(route.name(), tokenIds[i++ & MASK]);
    SessionCache.Entry pin = sessions.get(key);
    sessions.used(pin, 1L);
    return route.healthyTarget(pin.instanceId());
  }

  /** Header rewriting for the instance, on a typical API request's headers (built each time). */
  @Benchmark
  public HttpHeaders rewriteHeaders() {
    HttpHeaders h = clientHeaders();
    Headers.toUpstream(h, false, "127.0.0.1:9001", "127.0.0.1", "http", "3f9a0c1e5b7d2468", "user:alice",
        "tok_AbCdEfGhIjKl", null);
    return h;
  }

  /** What {@link #rewriteHeaders} spends on building the headers alone: subtract it. */
  @Benchmark
  public HttpHeaders buildHeadersOnly() {
    return clientHeaders();
  }

  private HttpHeaders clientHeaders() {
    HttpHeaders h = Headers.REQUEST_HEADERS.newHeaders();
    h.add(HttpHeaderNames.HOST, "gw.example.com");
    h.add(HttpHeaderNames.USER_AGENT, "openai-python/1.51.0");
    h.add(HttpHeaderNames.ACCEPT, "application/json");
    h.add(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearers[0]);
    h.add(HttpHeaderNames.CONTENT_TYPE, "application/json");
    h.add(HttpHeaderNames.CONTENT_LENGTH, "312");
    return h;
  }
}
