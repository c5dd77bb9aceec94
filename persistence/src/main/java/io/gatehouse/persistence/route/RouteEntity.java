package io.gatehouse.persistence.route;

import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.Audited;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.Rejection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * One route, sharded by name: its definition and its registered instances are persisted events,
 * so the route outlives its instances and any node. The entity is where what must happen once per
 * route in the whole cluster happens: lease expiry, the active health checks of every instance
 * (one prober per route, not one per node), passive ejection reported by the data planes, and the
 * bounded-load choice that pins consumers to instances.
 *
 * <p>This class holds what is persisted (the state, the commands, the events) and the wiring; the
 * behaviour, per state, is {@link RouteBehavior}; the in-memory parts are {@link InstanceHealth}
 * (leases, checks, ejection), {@link PinLedger} (pins and load), {@link RoutePublisher} (versions,
 * the topic, the health history) and {@link ClaimSync} (the route index). Health and pins live in
 * memory only: after the entity moves, leases start over and every instance is checked again
 * before the new incarnation publishes anything, so other nodes keep routing on what they knew.
 */
public final class RouteEntity {
  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Route");
  public static final String TAG = "route";
  public static final String TOPIC = "gatehouse-routes";

  private RouteEntity() {}

  // ---- persisted state ---------------------------------------------------------------------

  /**
   * A registered instance. {@code healthPath} is the instance's own, or the route's.
   * {@code registeredBy} is the principal that registered it ({@code service-account:ci}); only
   * it (or an admin) may heartbeat or deregister the instance. Null in events written before it
   * was recorded: then only admins may.
   */
  public record Instance(String id, String address, String deployment, String project, String healthPath,
      int leaseSeconds, Instant registeredAt, String registeredBy) implements CborSerializable {}

  public sealed interface State extends CborSerializable permits Undefined, Defined {}

  /** Never defined, or deleted. */
  public record Undefined() implements State {}

  public record Defined(RouteDefinition definition, SortedMap<String, Instance> instances) implements State {
    public Defined {
      instances = Collections.unmodifiableSortedMap(instances == null ? new TreeMap<>() : new TreeMap<>(instances));
    }

    Defined withDefinition(RouteDefinition d) {
      return new Defined(d, instances);
    }

    Defined withInstance(Instance i) {
      TreeMap<String, Instance> copy = new TreeMap<>(instances);
      copy.put(i.id(), i);
      return new Defined(definition, copy);
    }

    Defined withoutInstance(String id) {
      TreeMap<String, Instance> copy = new TreeMap<>(instances);
      copy.remove(id);
      return new Defined(definition, copy);
    }
  }

  // ---- commands ----------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable
      permits Define, Update, Delete, Register, Heartbeat, Deregister, GetView, KeepAlive, Choose, RefreshSession,
          PassiveFailure, Tick, ProbeDone, ClaimSynced, SyncClaim {}

  public record Define(RouteDefinition definition, Actor actor, ActorRef<StatusReply<RouteView>> replyTo)
      implements Command {}

  public record Update(RouteDefinition definition, Actor actor, ActorRef<StatusReply<RouteView>> replyTo)
      implements Command {}

  /** Answers with the route's last view, without definition. */
  public record Delete(Actor actor, ActorRef<StatusReply<RouteView>> replyTo) implements Command {}

  /**
   * Registers an instance; {@code ephemeral} is the route to create for a deployment without one.
   * The instance's first health check was made by the caller before it sent this, so the answer
   * (given as soon as the registration is persisted) already says whether it is in rotation.
   * {@code admin}: the registrar is an admin; anyone else registers onto a static route only when
   * the route's {@code registrationProjects} names the instance's project.
   */
  public record Register(Instance instance, RouteDefinition ephemeral, HealthProber.Outcome firstCheck, Actor actor,
      boolean admin, ActorRef<StatusReply<RouteView>> replyTo) implements Command {}

  /** A lease renewed by {@code who} (the registrar; an {@code admin} may renew any). */
  public record Heartbeat(String instanceId, String who, boolean admin, ActorRef<StatusReply<Done>> replyTo)
      implements Command {}

  /**
   * Answers with the route's view after the removal (without definition if the route went with
   * it). Only the registrar (the actor) or an {@code admin} may remove an instance.
   */
  public record Deregister(String instanceId, Actor actor, boolean admin, ActorRef<StatusReply<RouteView>> replyTo)
      implements Command {}

  public record GetView(ActorRef<RouteView> replyTo) implements Command {}

  /**
   * Sent by every node's route table every second: keeps the entity (and its prober) running. The
   * answer is the current view when the node's copy is not the current one, else {@link UpToDate}.
   */
  public record KeepAlive(long knownVersion, ActorRef<KeepAliveReply> replyTo) implements Command {}

  public sealed interface KeepAliveReply extends CborSerializable permits RouteView, UpToDate {}

  /** The node's copy of the route is current (or the entity is not ready to speak yet). */
  public record UpToDate(String name) implements KeepAliveReply {}

  /** Which instance {@code consumer} should use; {@code avoid} is one its node saw leave rotation. */
  public record Choose(String consumer, String avoid, ActorRef<Chosen> replyTo) implements Command {}

  /** The answer to {@link Choose}: null when no instance is healthy. */
  public record Chosen(String instanceId) implements CborSerializable {}

  /**
   * The consumer is active and pinned to the instance: sent by a session on recovery and by every
   * data plane that serves the consumer, every few minutes. A consumer not heard of for
   * {@link Deps#sessionExpiry} is no longer counted for the load bound.
   */
  public record RefreshSession(String consumer, String instanceId) implements Command {}

  /** A data plane could not connect to the instance, or saw a burst of 5xx from it. */
  public record PassiveFailure(String instanceId, String reason) implements Command {}

  record Tick() implements Command {}

  record ProbeDone(String instanceId, boolean healthy, String detail) implements Command {}

  record ClaimSynced(String failure) implements Command {}

  record SyncClaim() implements Command {}

  // ---- events ------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable, Audited
      permits RouteDefined, RouteUpdated, RouteDeleted, InstanceRegistered, InstanceRemoved {}

  public record RouteDefined(RouteDefinition definition, Audit audit) implements Event {
    public String auditType() { return "route.created"; }
    public String subject() { return "route:" + definition.name(); }
    public Map<String, Object> detail() { return routeDetail(definition); }
  }

  public record RouteUpdated(RouteDefinition definition, Audit audit) implements Event {
    public String auditType() { return "route.updated"; }
    public String subject() { return "route:" + definition.name(); }
    public Map<String, Object> detail() { return routeDetail(definition); }
  }

  public record RouteDeleted(String name, String reason, Audit audit) implements Event {
    public String auditType() { return "route.deleted"; }
    public String subject() { return "route:" + name; }
    public Map<String, Object> detail() { return Map.of("reason", reason); }
  }

  public record InstanceRegistered(Instance instance, String route, Audit audit) implements Event {
    public String auditType() { return "instance.registered"; }
    public String subject() { return "instance:" + instance.id(); }
    public Map<String, Object> detail() {
      return Map.of("route", route, "address", instance.address(), "deployment", instance.deployment(),
          "project", instance.project());
    }
  }

  /** {@code reason}: deregistered, lease-expired, replaced, route-deleted. */
  public record InstanceRemoved(String instanceId, String route, String reason, Audit audit) implements Event {
    public String auditType() {
      return reason.equals("lease-expired") ? "instance.expired" : "instance.deregistered";
    }
    public String subject() { return "instance:" + instanceId; }
    public Map<String, Object> detail() { return Map.of("route", route, "reason", reason); }
  }

  static Map<String, Object> routeDetail(RouteDefinition d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", d.kind().name().toLowerCase());
    if (d.match().pathPrefix() != null) {
      m.put("pathPrefix", d.match().pathPrefix());
    }
    if (d.match().subdomain() != null) {
      m.put("subdomain", d.match().subdomain());
    }
    m.put("allowedGroups", d.access().groups());
    m.put("allowedServiceAccounts", d.access().serviceAccounts());
    if (!d.access().registrationProjects().isEmpty()) {
      m.put("registrationProjects", d.access().registrationProjects());
    }
    if (d.project() != null) {
      m.put("project", d.project());
    }
    m.put("enabled", d.enabled());
    return m;
  }

  /** The state after {@code e}: the one event handler, used by recovery and by tests. */
  static State apply(State s, Event e) {
    if (e instanceof RouteDefined d) {
      return new Defined(d.definition(), null);
    }
    if (e instanceof RouteDeleted) {
      return new Undefined();
    }
    Defined defined = (Defined) s;
    if (e instanceof RouteUpdated u) {
      return defined.withDefinition(u.definition());
    }
    if (e instanceof InstanceRegistered r) {
      return defined.withInstance(r.instance());
    }
    return defined.withoutInstance(((InstanceRemoved) e).instanceId());
  }

  // ---- wiring ------------------------------------------------------------------------------

  /**
   * What a route entity needs from its node. {@code passiveEjection}: an instance ejected by a
   * data plane (connect failures, a burst of 5xx) stays out at least this long, then must pass a
   * health check to come back. {@code sessionExpiry}: a consumer not reported active (by its
   * session or a data plane) for this long no longer counts for its instance's load bound.
   * {@code tick}: how often leases and checks are looked at (a second).
   */
  public record Deps(
      ActorRef<Topic.Command<RouteView>> topic,
      HealthProber prober,
      RouteClaims claims,
      Clock clock,
      double loadFactor,
      Duration passiveEjection,
      Duration sessionExpiry,
      HealthRecorder healthHistory,
      Duration tick) {}

  /** Where the entity records each change of the route's number of healthy instances. */
  @FunctionalInterface
  public interface HealthRecorder {
    void record(String route, Instant at, int healthy, int instances);
  }

  /** The route's entry in the {@link RouteIndexEntity}: claimed while it exists, released after. */
  public interface RouteClaims {
    CompletionStage<Done> claim(RouteDefinition definition);

    CompletionStage<Done> release(String route);
  }

  public static void init(ActorSystem<?> system, Deps deps) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), deps)));
  }

  public static EntityRef<Command> ref(ClusterSharding sharding, String route) {
    return sharding.entityRefFor(ENTITY_KEY, route);
  }

  public static Behavior<Command> create(String name, Deps deps) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new RouteBehavior(name, deps, ctx, timers)));
  }

  static Set<String> tags() {
    return Set.of(TAG);
  }

  static <T> StatusReply<T> error(Rejection r) {
    return StatusReply.error(r.wireText());
  }
}
