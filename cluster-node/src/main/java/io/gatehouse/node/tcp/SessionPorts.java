package io.gatehouse.node.tcp;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.TcpSessionJson;
import io.gatehouse.protocol.net.AddressRange;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * This node's session ports ({@code POST /_gatehouse/tcp-sessions}): each a listener on a free
 * port of the configured range, for one token and one tcp route. A session lives on the node that
 * opened it, and its id says which: a {@code DELETE} that reaches another node is passed on to the
 * owner over a cluster topic. Without {@code GATEHOUSE_TCP_PORTS} there are none (404).
 */
public final class SessionPorts {
  /**
   * @param firstPort the range's first port (0 with {@code lastPort} 0: session ports are off)
   * @param bindHost the address the listeners bind ({@code GATEHOUSE_HOST})
   * @param advertisedHost the host consumers connect to, as the session says ({@code GATEHOUSE_TCP_HOST})
   * @param perPrincipal how many session ports one principal may hold at once, on this node
   * @param widestV4 the shortest prefix an IPv4 {@code allowFrom} may have ({@code /24}: at most 256 addresses)
   * @param widestV6 the same for IPv6
   */
  public record Settings(int firstPort, int lastPort, String bindHost, String advertisedHost, int perPrincipal,
      int widestV4, int widestV6) {
    public boolean enabled() {
      return firstPort > 0;
    }
  }

  /**
   * Asks the node that owns session {@code id} to end it for {@code principal} (or anyone, for an
   * admin), if its route is within {@code scope} (null: the token has no route scope).
   */
  public record EndRequest(String id, PrincipalRef principal, boolean admin, java.util.List<String> scope,
      ActorRef<Ended> replyTo) implements CborSerializable {}

  /** What came of a deletion: {@link Outcome#name()} on the wire. */
  public record Ended(Outcome outcome) implements CborSerializable {}

  /** Deleted; no such session of the caller's; or the session's route is outside the token's scope. */
  public enum Outcome { DELETED, NOT_FOUND, OUT_OF_SCOPE }

  public static final String TOPIC = "gatehouse-tcp-sessions";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Settings settings;
  private final String nodeTag;
  private final Clock clock;
  private final ConcurrentHashMap<String, SessionPort> sessions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, String> portsInUse = new ConcurrentHashMap<>();
  private final AtomicInteger cursor = new AtomicInteger();
  private volatile Listening listening;
  private ActorSystem<?> system;
  private ActorRef<Topic.Command<EndRequest>> topic;

  /** What listening needs from the data plane once it runs. */
  private record Listening(EventLoopGroup group, Class<? extends ServerChannel> channel, TcpParts parts) {}

  public SessionPorts(Settings settings, String node, Clock clock) {
    this.settings = settings;
    this.nodeTag = tag(node);
    this.clock = clock;
  }

  public boolean enabled() {
    return settings.enabled();
  }

  /** Joins the cluster's topic: DELETEs of this node's sessions that reach other nodes come here. */
  public void join(ActorSystem<?> system, ActorRef<Topic.Command<EndRequest>> topic) {
    this.system = system;
    this.topic = topic;
    topic.tell(Topic.subscribe(system.systemActorOf(owner(), "gatehouse-tcp-session-owner",
        Props.empty())));
  }

  /** The data plane is up: sessions can listen on its event loops. */
  public void start(EventLoopGroup group, Class<? extends ServerChannel> channel, TcpParts parts) {
    this.listening = new Listening(group, channel, parts);
    // Sessions end at their expiresAt, by this node's clock, within a second.
    group.next().scheduleAtFixedRate(this::expire, 1, 1, TimeUnit.SECONDS);
  }

  private void expire() {
    Instant now = clock.instant();
    for (SessionPort s : sessions.values()) {
      if (!s.expiresAt.isAfter(now)) {
        s.close("expired");
      }
    }
  }

  /**
   * Opens a session port for {@code admitted} (a tcp route the token may use), reachable from
   * {@code allowFrom} (null: {@code caller} alone) for {@code ttlMinutes}, never past the token.
   * A principal holds at most {@link Settings#perPrincipal()} at once (then 429), and
   * {@code allowFrom} may be no wider than the widest prefix allowed (else 400).
   */
  public CompletionStage<TcpSessionJson.Session> open(Admission.Admitted admitted, String allowFrom,
      InetAddress caller, int ttlMinutes) {
    Listening l = listening;
    if (!settings.enabled() || l == null) {
      return CompletableFuture.failedFuture(Rejection.notFound(
          "session ports are off on this gateway (GATEHOUSE_TCP_PORTS is not set); use the tunnel"));
    }
    AddressRange allow = allowFrom != null ? AddressRange.parse(allowFrom) : AddressRange.of(caller);
    int widest = allow.network().length == 4 ? settings.widestV4() : settings.widestV6();
    if (allow.prefixBits() < widest) {
      return CompletableFuture.failedFuture(Rejection.invalid("allowFrom", "may be at most a /" + widest
          + " range on this gateway (GATEHOUSE_TCP_ALLOW_FROM_WIDEST); got " + allow));
    }
    long held = sessions.values().stream().filter(s -> s.principal.equals(admitted.token().principal())).count();
    if (held >= settings.perPrincipal()) {
      return CompletableFuture.failedFuture(new Rejection(ErrorCode.LIMIT_REACHED, admitted.token().principal()
          .display() + " holds " + held + " session ports, the most one principal may hold at once "
          + "(GATEHOUSE_TCP_SESSIONS_PER_PRINCIPAL); delete one first"));
    }
    Instant until = clock.instant().plus(Duration.ofMinutes(ttlMinutes));
    long tokenEnds = l.parts().admission().tokenExpiresAtMillis(admitted.token().tokenId());
    if (tokenEnds > 0 && tokenEnds < until.toEpochMilli()) {
      until = Instant.ofEpochMilli(tokenEnds);
    }
    String id = nodeTag + HexFormat.of().formatHex(randomBytes());
    SessionPort session = new SessionPort(id, admitted, allow, until, settings.advertisedHost(), () -> forget(id));
    CompletableFuture<TcpSessionJson.Session> result = new CompletableFuture<>();
    bind(session, l, settings.lastPort() - settings.firstPort() + 1, result);
    return result;
  }

  /** Tries free ports of the range from the cursor on, until one binds or all were tried. */
  private void bind(SessionPort session, Listening l, int triesLeft, CompletableFuture<TcpSessionJson.Session> result) {
    int span = settings.lastPort() - settings.firstPort() + 1;
    int port = -1;
    while (triesLeft > 0) {
      triesLeft--;
      int candidate = settings.firstPort() + Math.floorMod(cursor.getAndIncrement(), span);
      if (portsInUse.putIfAbsent(candidate, session.id) == null) {
        port = candidate;
        break;
      }
    }
    if (port < 0) {
      result.completeExceptionally(new Rejection(ErrorCode.UNAVAILABLE,
          "no free session port on this node (range " + settings.firstPort() + "-" + settings.lastPort() + ")"));
      return;
    }
    int chosen = port;
    int rest = triesLeft;
    ChannelFuture f = new ServerBootstrap()
        .group(l.group())
        .channel(l.channel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            session.accepted(ch, l.parts());
          }
        })
        .bind(settings.bindHost(), chosen);
    f.addListener(done -> {
      if (!done.isSuccess()) {
        portsInUse.remove(chosen, session.id);
        bind(session, l, rest, result);
        return;
      }
      Channel listener = f.channel();
      sessions.put(session.id, session);
      session.listening(listener, l.parts().open());
      listener.closeFuture().addListener(c -> portsInUse.remove(chosen, session.id));
      result.complete(session.json());
    });
  }

  /**
   * Ends session {@code id} for {@code token}: only its owner's principal (or an admin) may. On
   * another node's session the owner is asked; answers whether it was found.
   */
  public CompletionStage<Outcome> end(String id, TokenValidation.Valid token) {
    if (id.startsWith(nodeTag) || topic == null) {
      return CompletableFuture.completedFuture(endHere(id, token.principal(), token.admin(), token.routes()));
    }
    CompletionStage<Ended> asked = AskPattern.ask(topic,
        (ActorRef<Ended> reply) -> Topic.publish(new EndRequest(id, token.principal(), token.admin(), token.routes(),
            reply)), Duration.ofSeconds(2), system.scheduler());
    return asked.handle((ended, failure) -> failure == null ? ended.outcome() : Outcome.NOT_FOUND);
  }

  /** A route scope applies to every call that names a route: a token scoped elsewhere deletes nothing. */
  private Outcome endHere(String id, PrincipalRef principal, boolean admin, java.util.List<String> scope) {
    SessionPort s = sessions.get(id);
    if (s == null || !(admin || s.principal.equals(principal))) {
      return Outcome.NOT_FOUND;
    }
    if (scope != null && !scope.contains(s.route)) {
      return Outcome.OUT_OF_SCOPE;
    }
    s.close("deleted");
    return Outcome.DELETED;
  }

  private Behavior<EndRequest> owner() {
    return Behaviors.receiveMessage(r -> {
      if (r.id().startsWith(nodeTag)) {
        r.replyTo().tell(new Ended(endHere(r.id(), r.principal(), r.admin(), r.scope())));
      }
      return Behaviors.same();
    });
  }

  /** Session ports open on this node now. */
  public int count() {
    return sessions.size();
  }

  /** The node stops: every session ends. */
  public void closeAll() {
    sessions.values().forEach(s -> s.close("the node stops"));
  }

  private void forget(String id) {
    sessions.remove(id);
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return b;
  }

  /** Six hex digits naming the node, at the front of its sessions' ids. */
  private static String tag(String node) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(node.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h, 0, 3);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
