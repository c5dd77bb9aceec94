package io.gatehouse.persistence.session;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.Audited;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.token.TokenId;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * One browser session, event-sourced and sharded by session id: a browser that opened a web UI
 * behind a browser route (JupyterLab, Gradio, a VS Code) without an {@code Authorization} header.
 * The session stands for a token on one host and one route: it is admitted exactly as that token
 * would be, on that route only, so it expires with the token and ends when it is revoked, its
 * principal deleted, or the route stops admitting the principal; and it ends when its browser
 * signs out (with the session's own secret: nobody else's sign-out ends it).
 *
 * <p>A session starts {@link Offered} by a browser link: the link carries a code (the session's
 * id and a one-time secret) that lives a minute and is good once; opening it makes the session
 * {@link Open} under the session secret the opening node sets in the browser's cookie. The
 * token never travels in a URL. Only hashes of the two secrets are stored.
 */
public final class BrowserSessionEntity extends EventSourcedBehaviorWithEnforcedReplies<
    BrowserSessionEntity.Command, BrowserSessionEntity.Event, BrowserSessionEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "BrowserSession");
  public static final String TAG = "browser-session";
  public static final String TOPIC = "gatehouse-browser-sessions";

  // ---- state -------------------------------------------------------------------------------

  /** Typed by name on the wire: {@link Published} carries a state to the other nodes. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "state")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Unknown.class, name = "unknown"),
    @JsonSubTypes.Type(value = Offered.class, name = "offered"),
    @JsonSubTypes.Type(value = Open.class, name = "open"),
    @JsonSubTypes.Type(value = Ended.class, name = "ended")
  })
  public sealed interface State extends CborSerializable permits Unknown, Offered, Open, Ended {}

  public record Unknown() implements State {}

  /**
   * A browser link was made: its code is good once, until {@code codeExpiresAt}. {@code route} is
   * the route the session is for (null in sessions made before sessions were bound to a route:
   * such a session is good for no route).
   */
  public record Offered(TokenId tokenId, String host, String route, String next, String codeHash,
      Instant codeExpiresAt) implements State {}

  /** Signed in: a browser holds the secret whose hash this is. */
  public record Open(TokenId tokenId, String host, String route, String secretHash, Instant openedAt)
      implements State {}

  public record Ended(TokenId tokenId, String host, String route, String reason, Instant endedAt) implements State {}

  // ---- commands ----------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable permits Offer, Redeem, OpenDirectly, End, Get {}

  /** Makes a browser link's session; answers once it is persisted. */
  public record Offer(TokenId tokenId, String host, String route, String next, String codeHash, Instant codeExpiresAt,
      Actor actor, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Opens the session with the link's code (its hash) and the new session secret (its hash). */
  public record Redeem(String codeHash, String host, String secretHash, Actor actor,
      ActorRef<StatusReply<Redeemed>> replyTo) implements Command {}

  /** What opening a link gives: where the browser goes next, and the token it stands for. */
  public record Redeemed(TokenId tokenId, String next) implements CborSerializable {}

  /** Opens a session at once: a person signed in by pasting the token on the sign-in page. */
  public record OpenDirectly(TokenId tokenId, String host, String route, String secretHash, Actor actor,
      ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /**
   * Ends the session; idempotent. {@code secretHash} is the hash of the secret a browser signing
   * out presented: a session ends only when it matches (else the answer is a 404 and nothing
   * happens). Null when the gateway ends it (its token or its access ended).
   */
  public record End(String reason, String secretHash, Actor actor, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  public record Get(ActorRef<State> replyTo) implements Command {}

  // ---- events ------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable, Audited permits SessionOffered, SessionOpened, SessionEnded {
    String sessionId();

    TokenId tokenId();

    @Override
    default String subject() {
      return "token:" + tokenId().value();
    }
  }

  public record SessionOffered(String sessionId, TokenId tokenId, String host, String route, String next,
      String codeHash, Instant codeExpiresAt, Audit audit) implements Event {
    public String auditType() { return "session.link-issued"; }
    public Map<String, Object> detail() { return detailOf(sessionId, host, route); }
  }

  public record SessionOpened(String sessionId, TokenId tokenId, String host, String route, String secretHash,
      Audit audit) implements Event {
    public String auditType() { return "session.opened"; }
    public Map<String, Object> detail() { return detailOf(sessionId, host, route); }
  }

  public record SessionEnded(String sessionId, TokenId tokenId, String reason, Audit audit) implements Event {
    public String auditType() { return "session.ended"; }
    public Map<String, Object> detail() {
      Map<String, Object> d = detailOf(sessionId, null, null);
      d.put("reason", reason);
      return d;
    }
  }

  private static Map<String, Object> detailOf(String sessionId, String host, String route) {
    Map<String, Object> d = new LinkedHashMap<>();
    // The id is not a secret (the session's secret is), but half of it is enough to tell sessions apart.
    d.put("session", sessionId.substring(0, Math.min(8, sessionId.length())));
    if (host != null) {
      d.put("host", host);
    }
    if (route != null) {
      d.put("route", route);
    }
    return d;
  }

  /** Published on {@link #TOPIC} after each event: every node's session cache follows. */
  public record Published(String sessionId, State state) implements CborSerializable {}

  // ---- wiring ------------------------------------------------------------------------------

  public static void init(ActorSystem<?> system, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), topic, clock)));
  }

  public static EntityRef<Command> ref(ClusterSharding sharding, String sessionId) {
    return sharding.entityRefFor(ENTITY_KEY, sessionId);
  }

  public static Behavior<Command> create(String sessionId, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    return new BrowserSessionEntity(sessionId, topic, clock);
  }

  private final String sessionId;
  private final ActorRef<Topic.Command<Published>> topic;
  private final Clock clock;

  private BrowserSessionEntity(String sessionId, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), sessionId));
    this.sessionId = sessionId;
    this.topic = topic;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new Unknown();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(SessionOffered.class, (s, e) -> new Offered(e.tokenId(), e.host(), e.route(), e.next(),
            e.codeHash(), e.codeExpiresAt()))
        .onEvent(SessionOpened.class, (s, e) -> new Open(e.tokenId(), e.host(), e.route(), e.secretHash(),
            e.audit().at()))
        .onEvent(SessionEnded.class, (s, e) -> new Ended(e.tokenId(), hostOf(s), routeOf(s), e.reason(),
            e.audit().at()))
        .build();
  }

  private static String hostOf(State s) {
    if (s instanceof Offered o) {
      return o.host();
    }
    return s instanceof Open o ? o.host() : null;
  }

  private static String routeOf(State s) {
    if (s instanceof Offered o) {
      return o.route();
    }
    return s instanceof Open o ? o.route() : null;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilderByState<Command, Event, Unknown, State> unknown =
        newCommandHandlerWithReplyBuilder().forStateType(Unknown.class)
            .onCommand(Offer.class, (s, cmd) -> persist(new SessionOffered(sessionId, cmd.tokenId(), cmd.host(),
                cmd.route(), cmd.next(), cmd.codeHash(), cmd.codeExpiresAt(), cmd.actor().at(now())), cmd.replyTo()))
            .onCommand(OpenDirectly.class, (s, cmd) -> persist(new SessionOpened(sessionId, cmd.tokenId(),
                cmd.host(), cmd.route(), cmd.secretHash(), cmd.actor().at(now())), cmd.replyTo()))
            .onCommand(Redeem.class, (s, cmd) -> Effect().reply(cmd.replyTo(), codeRefused("is not known")))
            .onCommand(End.class, (s, cmd) -> Effect().reply(cmd.replyTo(), ended(cmd)));
    CommandHandlerWithReplyBuilderByState<Command, Event, Offered, State> offered =
        newCommandHandlerWithReplyBuilder().forStateType(Offered.class)
            .onCommand(Redeem.class, this::onRedeem)
            .onCommand(End.class, this::onEnd);
    CommandHandlerWithReplyBuilderByState<Command, Event, Open, State> open =
        newCommandHandlerWithReplyBuilder().forStateType(Open.class)
            .onCommand(Redeem.class, (s, cmd) -> Effect().reply(cmd.replyTo(), codeRefused("was used already")))
            .onCommand(End.class, this::onEnd);
    CommandHandlerWithReplyBuilderByState<Command, Event, Ended, State> ended =
        newCommandHandlerWithReplyBuilder().forStateType(Ended.class)
            .onCommand(Redeem.class, (s, cmd) -> Effect().reply(cmd.replyTo(), codeRefused("was used already")))
            .onCommand(End.class, (s, cmd) -> Effect().reply(cmd.replyTo(), ended(cmd)));
    CommandHandlerWithReplyBuilderByState<Command, Event, State, State> any =
        newCommandHandlerWithReplyBuilder().forAnyState()
            .onCommand(Offer.class, (s, cmd) -> Effect().reply(cmd.replyTo(),
                StatusReply.error(Rejection.conflict("session id in use").wireText())))
            .onCommand(OpenDirectly.class, (s, cmd) -> Effect().reply(cmd.replyTo(),
                StatusReply.error(Rejection.conflict("session id in use").wireText())))
            .onCommand(Get.class, (s, cmd) -> Effect().reply(cmd.replyTo(), s));
    return unknown.orElse(offered).orElse(open).orElse(ended).orElse(any).build();
  }

  /** A code is good once, within its minute, on the host its link was made for. */
  private ReplyEffect<Event, State> onRedeem(Offered s, Redeem cmd) {
    if (!s.codeHash().equals(cmd.codeHash()) || !s.host().equals(cmd.host())) {
      return Effect().reply(cmd.replyTo(), codeRefused("is not known"));
    }
    if (!now().isBefore(s.codeExpiresAt())) {
      return Effect().reply(cmd.replyTo(), codeRefused("has expired (a browser link lives 60 s)"));
    }
    return Effect().persist(new SessionOpened(sessionId, s.tokenId(), s.host(), s.route(), cmd.secretHash(),
            cmd.actor().at(now())))
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), after -> StatusReply.success(new Redeemed(s.tokenId(), s.next())));
  }

  private ReplyEffect<Event, State> onEnd(State s, End cmd) {
    if (cmd.secretHash() != null && !(s instanceof Open o && o.secretHash().equals(cmd.secretHash()))) {
      // A sign-out ends only the session whose secret it carries.
      return Effect().reply(cmd.replyTo(), notFound());
    }
    TokenId token = s instanceof Open o ? o.tokenId() : ((Offered) s).tokenId();
    return persist(new SessionEnded(sessionId, token, cmd.reason(), cmd.actor().at(now())), cmd.replyTo());
  }

  private ReplyEffect<Event, State> persist(Event e, ActorRef<StatusReply<Done>> replyTo) {
    return Effect().persist(e).thenRun(this::publish).thenReply(replyTo, after -> StatusReply.ack());
  }

  private void publish(State s) {
    topic.tell(Topic.publish(new Published(sessionId, s)));
  }

  /** An End for a session that is not open: done for the gateway, not found for a sign-out. */
  private static StatusReply<Done> ended(End cmd) {
    return cmd.secretHash() == null ? StatusReply.ack() : notFound();
  }

  private static StatusReply<Done> notFound() {
    return StatusReply.error(Rejection.notFound("no such browser session").wireText());
  }

  private static StatusReply<Redeemed> codeRefused(String why) {
    return StatusReply.error(Rejection.invalid("code", "this sign-in code " + why).wireText());
  }

  private Instant now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
  }
}
