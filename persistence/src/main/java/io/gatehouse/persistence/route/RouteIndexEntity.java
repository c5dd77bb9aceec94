package io.gatehouse.persistence.route;

import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.Rejection;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
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
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * Which route names, path prefixes and subdomains are taken. Each route is its own entity, so no
 * route can see the others; this single entity is where two routes that would answer the same
 * requests are refused (409), even when two admins create them at the same moment on two nodes.
 * A route claims its name and match here before its entity defines it, and releases them after
 * it is deleted.
 */
public final class RouteIndexEntity extends EventSourcedBehaviorWithEnforcedReplies<
    RouteIndexEntity.Command, RouteIndexEntity.Event, RouteIndexEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "RouteIndex");
  public static final String ENTITY_ID = "route-index";
  public static final String TOPIC = "gatehouse-route-index";

  /** A route's name and where it answers. */
  public record Claim(String name, RouteDefinition.Kind kind, String pathPrefix, String subdomain)
      implements CborSerializable {
    /** What {@code d} claims: its name and its match. */
    public static Claim of(RouteDefinition d) {
      return new Claim(d.name(), d.kind(), d.match().pathPrefix(), d.match().subdomain());
    }

    boolean sameMatch(Claim other) {
      return kind == other.kind && java.util.Objects.equals(pathPrefix, other.pathPrefix)
          && java.util.Objects.equals(subdomain, other.subdomain);
    }
  }

  public record State(long version, SortedMap<String, Claim> claims) implements CborSerializable {
    public State {
      claims = Collections.unmodifiableSortedMap(claims == null ? new TreeMap<>() : new TreeMap<>(claims));
    }

    State with(Claim claim) {
      TreeMap<String, Claim> copy = new TreeMap<>(claims);
      copy.put(claim.name(), claim);
      return new State(version + 1, copy);
    }

    State without(String name) {
      TreeMap<String, Claim> copy = new TreeMap<>(claims);
      copy.remove(name);
      return new State(version + 1, copy);
    }
  }

  public sealed interface Command extends CborSerializable permits ClaimMatch, Release, GetState {}

  /** Claims {@code claim}; with {@code replace}, the route may move its own match (PUT). */
  public record ClaimMatch(Claim claim, boolean replace, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record Release(String name, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record GetState(ActorRef<State> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable permits Claimed, Released {}

  public record Claimed(Claim claim) implements Event {}

  public record Released(String name) implements Event {}

  public static void init(ActorSystem<?> system, ActorRef<Topic.Command<State>> topic) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), topic)));
  }

  public static EntityRef<Command> ref(ClusterSharding sharding) {
    return sharding.entityRefFor(ENTITY_KEY, ENTITY_ID);
  }

  public static Behavior<Command> create(String entityId, ActorRef<Topic.Command<State>> topic) {
    return new RouteIndexEntity(PersistenceId.of(ENTITY_KEY.name(), entityId), topic);
  }

  private final ActorRef<Topic.Command<State>> topic;

  private RouteIndexEntity(PersistenceId id, ActorRef<Topic.Command<State>> topic) {
    super(id);
    this.topic = topic;
  }

  @Override
  public State emptyState() {
    return new State(0, null);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(ClaimMatch.class, this::onClaim)
        .onCommand(Release.class, this::onRelease)
        .onCommand(GetState.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Claimed.class, (state, e) -> state.with(e.claim()))
        .onEvent(Released.class, (state, e) -> state.without(e.name()))
        .build();
  }

  private ReplyEffect<Event, State> onClaim(State state, ClaimMatch cmd) {
    Claim claim = cmd.claim();
    Claim mine = state.claims().get(claim.name());
    if (mine != null && mine.sameMatch(claim)) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    if (mine != null && (!cmd.replace() || mine.kind() != claim.kind())) {
      return reject(cmd, "route '" + claim.name() + "' already exists");
    }
    if (mine == null && cmd.replace()) {
      return Effect().reply(cmd.replyTo(), StatusReply.error(
          Rejection.notFound("route '" + claim.name() + "' does not exist").wireText()));
    }
    for (Claim other : state.claims().values()) {
      if (other.name().equals(claim.name())) {
        continue;
      }
      if (claim.pathPrefix() != null && claim.pathPrefix().equals(other.pathPrefix())) {
        return reject(cmd, "path prefix " + claim.pathPrefix() + " is already route '" + other.name() + "'");
      }
      if (claim.subdomain() != null && claim.subdomain().equals(other.subdomain())) {
        return reject(cmd, "subdomain " + claim.subdomain() + " is already route '" + other.name() + "'");
      }
    }
    return Effect().persist(new Claimed(claim))
        .thenRun(s -> topic.tell(Topic.publish(s)))
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> onRelease(State state, Release cmd) {
    if (!state.claims().containsKey(cmd.name())) {
      return Effect().reply(cmd.replyTo(), StatusReply.ack());
    }
    return Effect().persist(new Released(cmd.name()))
        .thenRun(s -> topic.tell(Topic.publish(s)))
        .thenReply(cmd.replyTo(), s -> StatusReply.ack());
  }

  private ReplyEffect<Event, State> reject(ClaimMatch cmd, String message) {
    return Effect().reply(cmd.replyTo(), StatusReply.error(Rejection.conflict(message).wireText()));
  }
}
