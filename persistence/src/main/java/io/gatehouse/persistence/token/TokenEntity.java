package io.gatehouse.persistence.token;

import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.Audited;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.token.TokenId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * One token, event-sourced and sharded by token id. A revocation is a persisted
 * {@link TokenRevoked} event: it is written before the revoke is acknowledged, survives any
 * restart, and is published on a cluster topic so every node's token cache drops the token.
 *
 * <p>Expiry needs no event: the status is computed from {@code expiresAt} against the clock.
 */
public final class TokenEntity
    extends EventSourcedBehaviorWithEnforcedReplies<TokenEntity.Command, TokenEntity.Event, TokenEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Token");
  public static final String TAG = "token";
  public static final String TOPIC = "gatehouse-tokens";

  // ---- state -------------------------------------------------------------------------------

  public sealed interface State extends CborSerializable permits Blank, Live, Revoked {}

  /** Never issued (an id nobody holds, or one being issued right now). */
  public record Blank() implements State {}

  /** Issued and not revoked; it may still have expired. */
  public record Live(TokenRecord token) implements State {}

  public record Revoked(TokenRecord token) implements State {}

  // ---- commands ----------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable permits Issue, Revoke, Get {}

  /**
   * What the issuer decided; the entity adds the id, the time and the version, and computes the
   * expiry from the issue time, so that {@code expiresAt - createdAt} is exactly the lifetime asked.
   */
  public record Draft(
      String label,
      String secretHash,
      PrincipalRef principal,
      long principalIncarnation,
      PrincipalRef createdBy,
      Duration lifetime,
      List<String> routes,
      Map<String, String> metadata)
      implements CborSerializable {
    @Override
    public String toString() {
      return "Draft[" + label + ", " + principal + ", lifetime " + lifetime + "]";
    }
  }

  public record Issue(Draft draft, Actor actor, ActorRef<StatusReply<TokenRecord>> replyTo) implements Command {}

  /** Idempotent: revoking a revoked token answers with the first revocation. */
  public record Revoke(PrincipalRef by, RevocationReason reason, Actor actor,
      ActorRef<StatusReply<TokenRecord>> replyTo) implements Command {}

  public record Get(ActorRef<Lookup> replyTo) implements Command {}

  /** The answer to {@link Get}; {@code token} is null for an id that was never issued. */
  public record Lookup(TokenId id, TokenRecord token) implements CborSerializable {}

  // ---- events ------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable, Audited permits TokenIssued, TokenRevoked {
    TokenId id();

    @Override
    default String subject() {
      return "token:" + id().value();
    }
  }

  public record TokenIssued(
      TokenId id,
      String label,
      String secretHash,
      PrincipalRef principal,
      long principalIncarnation,
      PrincipalRef createdBy,
      Instant createdAt,
      Instant expiresAt,
      List<String> routes,
      Map<String, String> metadata,
      Audit audit)
      implements Event {
    public String auditType() { return "token.issued"; }

    public Map<String, Object> detail() {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("label", label);
      d.put("principal", principal.display());
      d.put("expiresAt", expiresAt.toString());
      if (routes != null) {
        d.put("routes", routes);
      }
      return d;
    }

    @Override
    public String toString() {
      return "TokenIssued[" + id + ", " + principal + ", expires " + expiresAt + "]";
    }
  }

  public record TokenRevoked(TokenId id, PrincipalRef by, RevocationReason reason, Audit audit) implements Event {
    public String auditType() { return "token.revoked"; }

    public Map<String, Object> detail() {
      return Map.of("reason", reason.wire());
    }
  }

  /** What the entity publishes on {@link #TOPIC} after each persisted event. */
  public record Published(TokenRecord token) implements CborSerializable {}

  // ---- wiring ------------------------------------------------------------------------------

  public static void init(ActorSystem<?> system, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), topic, clock)));
  }

  public static EntityRef<Command> ref(ClusterSharding sharding, TokenId id) {
    return sharding.entityRefFor(ENTITY_KEY, id.value());
  }

  public static Behavior<Command> create(String entityId, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    return new TokenEntity(TokenId.of(entityId), topic, clock);
  }

  private final TokenId id;
  private final ActorRef<Topic.Command<Published>> topic;
  private final Clock clock;

  private TokenEntity(TokenId id, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), id.value()));
    this.id = id;
    this.topic = topic;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new Blank();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilderByState<Command, Event, Blank, State> blank =
        newCommandHandlerWithReplyBuilder()
            .forStateType(Blank.class)
            .onCommand(Issue.class, this::onIssue)
            .onCommand(Revoke.class, (state, cmd) ->
                Effect().reply(cmd.replyTo(), StatusReply.error(
                    Rejection.notFound("token '" + id + "' does not exist").wireText())))
            .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Lookup(id, null)));

    CommandHandlerWithReplyBuilderByState<Command, Event, Live, State> live =
        newCommandHandlerWithReplyBuilder()
            .forStateType(Live.class)
            .onCommand(Issue.class, (state, cmd) -> alreadyIssued(cmd))
            .onCommand(Revoke.class, this::onRevoke)
            .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Lookup(id, state.token())));

    CommandHandlerWithReplyBuilderByState<Command, Event, Revoked, State> revoked =
        newCommandHandlerWithReplyBuilder()
            .forStateType(Revoked.class)
            .onCommand(Issue.class, (state, cmd) -> alreadyIssued(cmd))
            .onCommand(Revoke.class, (state, cmd) -> Effect().reply(cmd.replyTo(), StatusReply.success(state.token())))
            .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), new Lookup(id, state.token())));

    return blank.orElse(live).orElse(revoked).build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(TokenIssued.class, (state, e) -> new Live(TokenRecord.issued(e, 1)))
        .onEvent(TokenRevoked.class, (state, e) -> {
          TokenRecord token = ((Live) state).token();
          return new Revoked(token.revoke(
              new TokenRecord.Revocation(e.audit().at(), e.by(), e.reason()), token.version() + 1));
        })
        .build();
  }

  // ---- handlers ----------------------------------------------------------------------------

  private ReplyEffect<Event, State> onIssue(Blank state, Issue cmd) {
    Draft d = cmd.draft();
    Instant now = now();
    if (d.lifetime().isNegative() || d.lifetime().isZero()) {
      return Effect().reply(cmd.replyTo(), StatusReply.error(
          Rejection.invalid("lifetime", "must be positive").wireText()));
    }
    TokenIssued issued = new TokenIssued(id, d.label(), d.secretHash(), d.principal(), d.principalIncarnation(),
        d.createdBy(), now, now.plus(d.lifetime()), d.routes(), d.metadata(), cmd.actor().at(now));
    return Effect()
        .persist(issued)
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), s -> StatusReply.success(((Live) s).token()));
  }

  private ReplyEffect<Event, State> onRevoke(Live state, Revoke cmd) {
    TokenRevoked revoked = new TokenRevoked(id, cmd.by(), cmd.reason(), cmd.actor().at(now()));
    return Effect()
        .persist(revoked)
        .thenRun(this::publish)
        .thenReply(cmd.replyTo(), s -> StatusReply.success(((Revoked) s).token()));
  }

  private ReplyEffect<Event, State> alreadyIssued(Issue cmd) {
    return Effect().reply(cmd.replyTo(), StatusReply.error(
        Rejection.conflict("token id '" + id + "' is already in use").wireText()));
  }

  private void publish(State state) {
    if (state instanceof Live l) {
      topic.tell(Topic.publish(new Published(l.token())));
    } else if (state instanceof Revoked r) {
      topic.tell(Topic.publish(new Published(r.token())));
    }
  }

  private Instant now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.MILLIS);
  }
}
