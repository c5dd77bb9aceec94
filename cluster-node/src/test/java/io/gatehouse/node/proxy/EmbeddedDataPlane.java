package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.affinity.InstancePicker;
import io.gatehouse.node.affinity.SessionCache;
import io.gatehouse.node.browser.BrowserSessions;
import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.metrics.RequestObserver;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.node.upstream.AddressPolicy;
import io.gatehouse.node.upstream.Dialer;
import io.gatehouse.node.upstream.InstanceLoad;
import io.gatehouse.node.upstream.Upstreams;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.persistence.session.BrowserSessionEntity;
import io.gatehouse.persistence.testing.MutableClock;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.PrincipalRef;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The HTTP door on Netty's embedded channels, for tests of the frontend and the exchange without
 * a socket: the real admission, picker, pools and open exchanges over views the test fills, and
 * instances that are channels the test holds ({@link #upstreams}): it reads what the gateway sent
 * them and writes what they answer, byte for byte, through the real HTTP codecs.
 */
final class EmbeddedDataPlane {
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  final DirectoryView directory = new DirectoryView();
  final RouteTable routes = new RouteTable("gw.test");
  final TokenCache tokens;
  final OpenExchanges open;
  final List<OpenExchanges.Open> finished = new ArrayList<>();
  /** Every connection the gateway opened to an instance, in order. */
  final List<EmbeddedChannel> upstreams = new ArrayList<>();
  /** Set to make the next dials fail (an instance that refuses connections). */
  RuntimeException dialFailure;
  final HttpDoor door;
  private DirectoryState state;

  EmbeddedDataPlane() {
    Audit audit = new Audit("test", clock.instant(), "node");
    state = DirectoryState.empty()
        .apply(new DirectoryEntity.GroupCreated("ml", audit))
        .apply(new DirectoryEntity.UserCreated("alice", List.of("ml"), false, audit));
    directory.offer(state);
    tokens = new TokenCache(directory, null, clock, Duration.ofSeconds(3), Duration.ofSeconds(30), id -> false);
    RequestObserver observer = new RequestObserver() {
      @Override
      public void finished(String route, String tokenId, String instanceId, int status, long nanos, long bytesIn,
          long bytesOut) {}

      @Override
      public void validated(TokenValidation v) {}
    };
    BrowserSessions sessions = new BrowserSessions(new BrowserSessions.Entities() {
      @Override
      public CompletionStage<BrowserSessionEntity.State> get(String sessionId) {
        return CompletableFuture.completedFuture(new BrowserSessionEntity.Unknown());
      }

      @Override
      public CompletionStage<Done> end(String sessionId, String reason) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
    }, id -> false);
    Admission admission = new Admission(tokens, routes, directory, sessions, new LastUsedRecorder(null, clock),
        observer, 5, "http", Admission.Limits.NONE);
    Dialer dialer = (loop, target, timeout, init, raw) -> {
      if (dialFailure != null) {
        return new EmbeddedChannel().newFailedFuture(dialFailure);
      }
      EmbeddedChannel instance = new EmbeddedChannel(init);
      upstreams.add(instance);
      return instance.newSucceededFuture();
    };
    Upstreams upstreamParts = new Upstreams(4, (route, instance, why) -> { }, null, AddressPolicy.any(), dialer);
    InstancePicker picker = new InstancePicker(routes, new SessionCache(), new InstancePicker.Sessions() {
      @Override
      public CompletionStage<String> resolve(String route, String consumer, String avoid) {
        LiveRouteIds ids = new LiveRouteIds(routes.get(route));
        return CompletableFuture.completedFuture(ids.firstOtherThan(avoid));
      }

      @Override
      public CompletionStage<Optional<String>> persisted(String route, String consumer) {
        return CompletableFuture.completedFuture(Optional.empty());
      }

      @Override
      public void stillActive(String route, String consumer, String instanceId) {}
    }, new InstanceLoad(), clock);
    open = new OpenExchanges(admission);
    open.recordTo(finished::add);
    door = new HttpDoor(new DataPlane.Parts(admission, picker, upstreamParts, open, observer, null, null, "http",
        "node"), new DataPlaneSettings(1, false, 8192, 16384, 5, 4, Duration.ofSeconds(60), Duration.ofSeconds(1),
        Duration.ZERO, Duration.ofSeconds(1), null, false, null, null));
  }

  /** The ids of a route's instances in rotation. */
  private record LiveRouteIds(io.gatehouse.node.route.LiveRoute route) {
    String firstOtherThan(String avoid) {
      for (var t : route.healthyTargets()) {
        if (!t.id().equals(avoid)) {
          return t.id();
        }
      }
      return null;
    }
  }

  /** A route at {@code /name} for group ml, with instances {@code name.1}, {@code name.2} ... */
  void route(String name, int instances, java.util.function.UnaryOperator<RouteDefinition.Builder> more) {
    List<RouteView.InstanceView> list = new ArrayList<>();
    for (int i = 1; i <= instances; i++) {
      list.add(new RouteView.InstanceView(name + "." + i, "10.0.0." + i + ":8000", true, 0, clock.instant(),
          clock.instant()));
    }
    routes.apply(new RouteView(name, more.apply(RouteDefinition.builder(name).pathPrefix("/" + name).groups("ml"))
        .times(clock.instant(), clock.instant()).build(), list, System.nanoTime()));
  }

  /** A token of alice's; {@code id()} and {@code token()}. */
  TokenSecrets.Generated token() {
    TokenSecrets.Generated g = TokenSecrets.generate();
    PrincipalRef alice = PrincipalRef.user("alice");
    tokens.offer(new TokenRecord(g.id(), "t", g.secretHash(), alice, state.principal(alice).incarnation(), alice,
        clock.instant(), clock.instant().plus(Duration.ofHours(1)), null, Map.of(), null, 1));
    return g;
  }

  /** A client connection on the HTTP/1.1 door, as {@code ProtocolNegotiation} sets one up. */
  EmbeddedChannel client() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast("codec", new HttpServerCodec());
    ch.pipeline().addLast("frontend", new FrontendHandler(door, false, false));
    return ch;
  }

  /** Sends {@code text} (CRLF line ends) as raw bytes, and lets every task it started run. */
  static void send(EmbeddedChannel ch, String text) {
    ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    settle(ch);
  }

  static void settle(EmbeddedChannel ch) {
    ch.runPendingTasks();
    ch.flush();
  }

  /** What a channel wrote, as text (all of it so far). */
  static String written(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      if (o instanceof ByteBuf b) {
        sb.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      }
    }
    return sb.toString();
  }

  /** The instance connection {@code i} answers {@code text}; the client side then runs its tasks. */
  void answer(int i, String text, EmbeddedChannel client) {
    upstreams.get(i).writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    settle(client);
  }
}
