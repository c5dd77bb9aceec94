package io.gatehouse.persistence.route;

import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.Audited;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.Rejection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One route, sharded by name: its definition and its registered instances are persisted events,
 * so the route outlives its instances and any node. Around that it runs what must happen exactly
 * once per route in the whole cluster: lease expiry, active health checks of every instance (one
 * prober per route, not one per node), passive ejection reported by the data planes, and the
 * bounded-load rendezvous choice that pins consumers to instances.
 *
 * <p>Health, leases and session counts live in memory only: after the entity moves, leases start
 * over and every instance is probed again before the new incarnation publishes anything, so
 * other nodes keep routing on what they knew until then.
 */
public final class RouteEntity extends EventSourcedBehaviorWithEnforcedReplies<
    RouteEntity.Command, RouteEntity.Event, RouteEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Route");
  public static final String TAG = "route";
  public static final String TOPIC = "gatehouse-routes";

  /** Two failed checks in a row take a healthy instance out; one passed check puts it in. */
  static final int FAILURES_TO_EJECT = 2;
  /** An undefined entity still listed in the index after this long has an orphaned claim. */
  static final Duration ORPHAN_GRACE = Duration.ofSeconds(30);

  // ---- persisted state ---------------------------------------------------------------------

  /** A registered instance. {@code healthPath} is the instance's own, or the route's. */
  public record Instance(String id, String address, String deployment, String project, String healthPath,
      int leaseSeconds, Instant registeredAt) implements CborSerializable {}

  /** The definition (null when the route does not exist) and the registered instances. */
  public record State(RouteDefinition definition, SortedMap<String, Instance> instances) implements CborSerializable {
    public State {
      instances = Collections.unmodifiableSortedMap(instances == null ? new TreeMap<>() : new TreeMap<>(instances));
    }

    State withInstance(Instance i) {
      TreeMap<String, Instance> copy = new TreeMap<>(instances);
      copy.put(i.id(), i);
      return new State(definition, copy);
    }

    State withoutInstance(String id) {
      TreeMap<String, Instance> copy = new TreeMap<>(instances);
      copy.remove(id);
      return new State(definition, copy);
    }

    boolean defined() {
      return definition != null;
    }
  }

  // ---- what other nodes see ----------------------------------------------------------------

  public record InstanceView(String id, String address, boolean healthy, int activeSessions, Instant registeredAt,
      Instant lastHeartbeatAt) implements CborSerializable {}

  /**
   * The route as every node's route table holds it: published on {@link #TOPIC} at every change.
   * {@code definition} is null once the route is deleted. Versions only grow, also across
   * incarnations of the entity (they start from the wall clock).
   */
  public record RouteView(String name, RouteDefinition definition, List<InstanceView> instances, long version)
      implements CborSerializable {}

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
   * The answer comes after the instance's first health check, so it says whether the instance
   * is in rotation.
   */
  public record Register(Instance instance, RouteDefinition ephemeral, Actor actor,
      ActorRef<StatusReply<RouteView>> replyTo) implements Command {}

  public record Heartbeat(String instanceId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /** Answers with the route's view after the removal (without definition if the route went with it). */
  public record Deregister(String instanceId, Actor actor, ActorRef<StatusReply<RouteView>> replyTo)
      implements Command {}

  public record GetView(ActorRef<RouteView> replyTo) implements Command {}

  /** Sent by every node's route table every few seconds: keeps the entity (and its prober) running,
   * and gets the current view back when the node's copy is not the current one. */
  public record KeepAlive(long knownVersion, ActorRef<RouteView> replyTo) implements Command {}

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
    if (d.pathPrefix() != null) {
      m.put("pathPrefix", d.pathPrefix());
    }
    if (d.subdomain() != null) {
      m.put("subdomain", d.subdomain());
    }
    m.put("allowedGroups", d.allowedGroups());
    m.put("allowedServiceAccounts", d.allowedServiceAccounts());
    if (d.project() != null) {
      m.put("project", d.project());
    }
    return m;
  }

  // ---- wiring ------------------------------------------------------------------------------

  /**
   * What a route entity needs from its node. {@code passiveEjection}: an instance ejected by a
   * data plane (connect failures, a burst of 5xx) stays out at least this long, then must pass a
   * health check to come back. {@code sessionExpiry}: a consumer not reported active (by its
   * session or a data plane) for this long no longer counts for its instance's load bound.
   */
  public record Deps(
      ActorRef<Topic.Command<RouteView>> topic,
      HealthProber prober,
      RouteClaims claims,
      Clock clock,
      double loadFactor,
      Duration passiveEjection,
      Duration sessionExpiry,
      HealthRecorder healthHistory) {}

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
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new RouteEntity(name, deps, ctx, timers)));
  }

  // ---- in-memory runtime -------------------------------------------------------------------

  /** What the entity knows of an instance beyond its registration. */
  private static final class Health {
    Instant lastHeartbeat;
    boolean healthy;
    boolean everChecked;
    boolean probing;
    int failures;
    long nextProbeAtMillis;
    long ejectedUntilMillis;

    Health(Instant now) {
      this.lastHeartbeat = now;
    }
  }

  private record Session(String instanceId, long lastSeenMillis) {}

  /**
   * The consumers pinned to this route's instances, with each instance's count kept as pins
   * change: choosing for a new consumer reads the counts in O(instances), not O(consumers).
   */
  private static final class Pins {
    private final Map<String, Session> byConsumer = new HashMap<>();
    private final Map<String, Integer> perInstance = new HashMap<>();

    Session get(String consumer) {
      return byConsumer.get(consumer);
    }

    Session put(String consumer, Session session) {
      Session before = byConsumer.put(consumer, session);
      if (before != null) {
        uncount(before.instanceId());
      }
      perInstance.merge(session.instanceId(), 1, Integer::sum);
      return before;
    }

    Session remove(String consumer) {
      Session before = byConsumer.remove(consumer);
      if (before != null) {
        uncount(before.instanceId());
      }
      return before;
    }

    boolean removeIf(Predicate<Session> doomed) {
      boolean any = false;
      for (Iterator<Session> it = byConsumer.values().iterator(); it.hasNext(); ) {
        Session x = it.next();
        if (doomed.test(x)) {
          it.remove();
          uncount(x.instanceId());
          any = true;
        }
      }
      return any;
    }

    void clear() {
      byConsumer.clear();
      perInstance.clear();
    }

    /** Pinned consumers per instance id (read-only). */
    Map<String, Integer> counts() {
      return Collections.unmodifiableMap(perInstance);
    }

    private void uncount(String instanceId) {
      perInstance.computeIfPresent(instanceId, (id, n) -> n == 1 ? null : n - 1);
    }
  }

  private final String name;
  private final Deps deps;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Map<String, Health> health = new HashMap<>();
  private final Pins sessions = new Pins();
  /** Registrations waiting for their instance's first health check before they answer. */
  private final Map<String, ActorRef<StatusReply<RouteView>>> registering = new HashMap<>();
  private long version;
  private long quietUntilMillis;
  private boolean syncingClaim;
  private boolean claimDirty;
  private int ticks;
  private long lastSessionSweepMillis;
  private boolean releaseChecked;
  private boolean sessionsChanged;
  private int recordedHealthy = -1;
  private int recordedInstances = -1;
  private final long startedMillis;

  private RouteEntity(String name, Deps deps, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(PersistenceId.of(ENTITY_KEY.name(), name));
    this.name = name;
    this.deps = deps;
    this.ctx = ctx;
    this.timers = timers;
    this.version = deps.clock().millis() * 1000;
    this.startedMillis = deps.clock().millis();
  }

  @Override
  public State emptyState() {
    return new State(null, null);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          Instant now = now();
          state.instances().keySet().forEach(id -> health.put(id, new Health(now)));
          if (state.defined()) {
            // Leases start over and every instance is checked before this incarnation speaks.
            quietUntilMillis = deps.clock().millis() + 3_000;
            startTicking();
          }
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(RouteDefined.class, (s, e) -> new State(e.definition(), null))
        .onEvent(RouteUpdated.class, (s, e) -> new State(e.definition(), s.instances()))
        .onEvent(RouteDeleted.class, (s, e) -> new State(null, null))
        .onEvent(InstanceRegistered.class, (s, e) -> s.withInstance(e.instance()))
        .onEvent(InstanceRemoved.class, (s, e) -> s.withoutInstance(e.instanceId()))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Define.class, this::onDefine)
        .onCommand(Update.class, this::onUpdate)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Register.class, this::onRegister)
        .onCommand(Heartbeat.class, this::onHeartbeat)
        .onCommand(Deregister.class, this::onDeregister)
        .onCommand(GetView.class, (s, cmd) -> Effect().reply(cmd.replyTo(), view(s)))
        .onCommand(KeepAlive.class, this::onKeepAlive)
        .onCommand(Choose.class, this::onChoose)
        .onCommand(RefreshSession.class, this::onRefresh)
        .onCommand(PassiveFailure.class, this::onPassiveFailure)
        .onCommand(Tick.class, this::onTick)
        .onCommand(ProbeDone.class, this::onProbeDone)
        .onCommand(ClaimSynced.class, this::onClaimSynced)
        .onCommand(SyncClaim.class, (s, cmd) -> {
          syncClaim(s);
          return Effect().noReply();
        })
        .build();
  }

  // ---- definition --------------------------------------------------------------------------

  private ReplyEffect<Event, State> onDefine(State s, Define cmd) {
    if (s.defined()) {
      return Effect().reply(cmd.replyTo(), error(Rejection.conflict("route '" + name + "' already exists")));
    }
    Instant now = now();
    return Effect().persist(new RouteDefined(cmd.definition().withTimes(now, now), cmd.actor().at(now)))
        .thenRun(after -> {
          syncClaim(after);
          changed(after);
        })
        .thenReply(cmd.replyTo(), after -> StatusReply.success(view(after)));
  }

  private ReplyEffect<Event, State> onUpdate(State s, Update cmd) {
    if (!s.defined()) {
      return Effect().reply(cmd.replyTo(), error(Rejection.notFound("route '" + name + "' does not exist")));
    }
    if (!s.definition().isStatic()) {
      return Effect().reply(cmd.replyTo(), error(Rejection.conflict(
          "route '" + name + "' is ephemeral: it follows its deployment and cannot be edited")));
    }
    Instant now = now();
    RouteDefinition def = cmd.definition().withTimes(s.definition().createdAt(), now);
    return Effect().persist(new RouteUpdated(def, cmd.actor().at(now)))
        .thenRun(this::changed)
        .thenReply(cmd.replyTo(), after -> StatusReply.success(view(after)));
  }

  private ReplyEffect<Event, State> onDelete(State s, Delete cmd) {
    if (!s.defined()) {
      return Effect().reply(cmd.replyTo(), error(Rejection.notFound("route '" + name + "' does not exist")));
    }
    return Effect().persist(deletion(s, "deleted", cmd.actor().at(now())))
        .thenRun(this::gone)
        .thenReply(cmd.replyTo(), after -> StatusReply.success(view(after)));
  }

  /** The events that delete the route: each instance removed, then the route. */
  private List<Event> deletion(State s, String reason, Audit audit) {
    List<Event> events = new ArrayList<>();
    s.instances().keySet().forEach(id -> events.add(new InstanceRemoved(id, name, "route-deleted", audit)));
    events.add(new RouteDeleted(name, reason, audit));
    return events;
  }

  // ---- registrations -----------------------------------------------------------------------

  private ReplyEffect<Event, State> onRegister(State s, Register cmd) {
    Instance instance = cmd.instance();
    Audit audit = cmd.actor().at(now());
    List<Event> events = new ArrayList<>();
    if (!s.defined()) {
      if (cmd.ephemeral() == null) {
        return Effect().reply(cmd.replyTo(), error(Rejection.invalid("route", "route '" + name + "' does not exist")));
      }
      events.add(new RouteDefined(cmd.ephemeral().withTimes(audit.at(), audit.at()), audit));
    } else if (cmd.ephemeral() != null && s.definition().isStatic()) {
      return Effect().reply(cmd.replyTo(), error(Rejection.conflict("deployment '" + name
          + "' has the name of a static route; register it with \"route\": \"" + name + "\" or rename it")));
    } else if (cmd.ephemeral() == null && !s.definition().isStatic()) {
      return Effect().reply(cmd.replyTo(), error(Rejection.invalid("route",
          "'" + name + "' is an ephemeral route; register without a route to join it")));
    } else if (cmd.ephemeral() != null && !cmd.ephemeral().project().equals(s.definition().project())) {
      return Effect().reply(cmd.replyTo(), error(Rejection.conflict("deployment '" + name
          + "' is registered in project '" + s.definition().project() + "'")));
    }
    // An instance that registers again from the same address replaces its earlier registration.
    s.instances().values().stream()
        .filter(old -> old.address().equals(instance.address()))
        .forEach(old -> events.add(new InstanceRemoved(old.id(), name, "replaced", audit)));
    Instance registered = new Instance(instance.id(), instance.address(), instance.deployment(), instance.project(),
        instance.healthPath() != null ? instance.healthPath()
            : (s.defined() ? s.definition().healthPath() : cmd.ephemeral().healthPath()),
        instance.leaseSeconds(), audit.at());
    events.add(new InstanceRegistered(registered, name, audit));
    boolean defines = !s.defined();
    return Effect().persist(events)
        .thenRun(after -> {
          if (defines) {
            syncClaim(after);
          }
          events.stream().filter(e -> e instanceof InstanceRemoved)
              .forEach(e -> forget(((InstanceRemoved) e).instanceId()));
          Health h = new Health(now());
          health.put(registered.id(), h);
          registering.put(registered.id(), cmd.replyTo());
          startTicking();
          changed(after);
          probe(after.definition(), registered, h);
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, State> onHeartbeat(State s, Heartbeat cmd) {
    Health h = health.get(cmd.instanceId());
    if (!s.instances().containsKey(cmd.instanceId()) || h == null) {
      return Effect().reply(cmd.replyTo(), error(Rejection.notFound(
          "instance '" + cmd.instanceId() + "' holds no lease; register again")));
    }
    h.lastHeartbeat = now();
    return Effect().reply(cmd.replyTo(), StatusReply.ack());
  }

  private ReplyEffect<Event, State> onDeregister(State s, Deregister cmd) {
    if (!s.instances().containsKey(cmd.instanceId())) {
      return Effect().reply(cmd.replyTo(), error(Rejection.notFound(
          "instance '" + cmd.instanceId() + "' is not registered")));
    }
    List<Event> events = removal(s, List.of(cmd.instanceId()), "deregistered", cmd.actor().at(now()));
    return Effect().persist(events)
        .thenRun(after -> afterRemoval(after, events))
        .thenReply(cmd.replyTo(), after -> StatusReply.success(view(after)));
  }

  /** Removing instances; an ephemeral route goes with its last instance. */
  private List<Event> removal(State s, List<String> ids, String reason, Audit audit) {
    List<Event> events = new ArrayList<>();
    ids.forEach(id -> events.add(new InstanceRemoved(id, name, reason, audit)));
    if (!s.definition().isStatic() && s.instances().size() == ids.size()) {
      events.add(new RouteDeleted(name, "last instance gone", audit));
    }
    return events;
  }

  private void afterRemoval(State after, List<Event> events) {
    events.stream().filter(e -> e instanceof InstanceRemoved).forEach(e -> forget(((InstanceRemoved) e).instanceId()));
    if (!after.defined()) {
      gone(after);
    } else {
      changed(after);
    }
  }

  // ---- keeping every node current ----------------------------------------------------------

  private ReplyEffect<Event, State> onKeepAlive(State s, KeepAlive cmd) {
    if (s.defined()) {
      startTicking();
    } else if (!releaseChecked && deps.clock().millis() - startedMillis > ORPHAN_GRACE.toMillis()) {
      // Kept alive because the index lists it, yet not defined: a crash came between deleting the
      // route and releasing its claim. Release it now. The grace leaves time for a route being
      // created right now (claimed, not yet defined) to be defined.
      releaseChecked = true;
      syncClaim(s);
    }
    if (cmd.knownVersion() != version && !quiet()) {
      cmd.replyTo().tell(view(s));
    }
    return Effect().noReply();
  }

  // ---- sessions ----------------------------------------------------------------------------

  private ReplyEffect<Event, State> onChoose(State s, Choose cmd) {
    long nowMillis = deps.clock().millis();
    Session current = sessions.get(cmd.consumer());
    if (current != null && inRotation(current.instanceId(), nowMillis) && !current.instanceId().equals(cmd.avoid())) {
      sessions.put(cmd.consumer(), new Session(current.instanceId(), nowMillis));
      return Effect().reply(cmd.replyTo(), new Chosen(current.instanceId()));
    }
    List<String> candidates = new ArrayList<>();
    for (String id : s.instances().keySet()) {
      if (inRotation(id, nowMillis) && !id.equals(cmd.avoid())) {
        candidates.add(id);
      }
    }
    if (candidates.isEmpty() && cmd.avoid() != null && inRotation(cmd.avoid(), nowMillis)) {
      candidates.add(cmd.avoid());
    }
    if (current != null) {
      sessions.remove(cmd.consumer());
    }
    Map<String, Integer> load = sessionCounts();
    String chosen = Rendezvous.choose(cmd.consumer(), candidates, id -> load.getOrDefault(id, 0), deps.loadFactor());
    if (chosen != null) {
      sessions.put(cmd.consumer(), new Session(chosen, nowMillis));
    }
    sessionsChanged = true;
    return Effect().reply(cmd.replyTo(), new Chosen(chosen));
  }

  private ReplyEffect<Event, State> onRefresh(State s, RefreshSession cmd) {
    if (s.instances().containsKey(cmd.instanceId())) {
      Session before = sessions.put(cmd.consumer(), new Session(cmd.instanceId(), deps.clock().millis()));
      sessionsChanged |= before == null || !before.instanceId().equals(cmd.instanceId());
    }
    return Effect().noReply();
  }

  private Map<String, Integer> sessionCounts() {
    return sessions.counts();
  }

  // ---- health ------------------------------------------------------------------------------

  private ReplyEffect<Event, State> onPassiveFailure(State s, PassiveFailure cmd) {
    Health h = health.get(cmd.instanceId());
    if (h != null) {
      long nowMillis = deps.clock().millis();
      h.ejectedUntilMillis = nowMillis + deps.passiveEjection().toMillis();
      h.nextProbeAtMillis = h.ejectedUntilMillis;
      if (h.healthy) {
        h.healthy = false;
        ctx.getLog().info("instance {} of route {} ejected: {}", cmd.instanceId(), name, cmd.reason());
        changed(s);
      }
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onTick(State s, Tick tick) {
    if (!s.defined()) {
      timers.cancel("tick");
      return Effect().noReply();
    }
    Instant now = now();
    long nowMillis = deps.clock().millis();
    List<String> expired = new ArrayList<>();
    for (Instance i : s.instances().values()) {
      Health h = health.computeIfAbsent(i.id(), id -> new Health(now));
      if (h.lastHeartbeat.plusSeconds(i.leaseSeconds()).isBefore(now)) {
        expired.add(i.id());
      } else if (!h.probing && nowMillis >= h.nextProbeAtMillis) {
        probe(s.definition(), i, h);
      }
    }
    ticks++;
    long expiry = deps.sessionExpiry().toMillis();
    if (nowMillis - lastSessionSweepMillis >= Math.min(60_000, expiry / 3)) {
      lastSessionSweepMillis = nowMillis;
      sessionsChanged |= sessions.removeIf(x -> nowMillis - x.lastSeenMillis() > expiry);
    }
    if (sessionsChanged && ticks % 5 == 0) {
      // Session counts are shown per instance; they go out with at most one view per 5 s.
      sessionsChanged = false;
      changed(s);
    }
    if (quietUntilMillis != 0 && (nowMillis >= quietUntilMillis || allChecked(s))) {
      quietUntilMillis = 0;
      changed(s);
    }
    if (expired.isEmpty()) {
      return Effect().noReply();
    }
    ctx.getLog().info("lease of {} on route {} expired", expired, name);
    List<Event> events = removal(s, expired, "lease-expired", Actor.system(selfNode()).at(now));
    return Effect().persist(events).thenRun(after -> afterRemoval(after, events)).thenNoReply();
  }

  private void probe(RouteDefinition def, Instance i, Health h) {
    h.probing = true;
    Duration timeout = Duration.ofSeconds(Math.max(1, Math.min(def.healthIntervalSeconds(), def.connectTimeoutSeconds())));
    ctx.pipeToSelf(deps.prober().probe(i.address(), i.healthPath(), timeout), (outcome, failure) ->
        new ProbeDone(i.id(), failure == null && outcome.healthy(),
            failure == null ? outcome.detail() : failure.toString()));
  }

  private ReplyEffect<Event, State> onProbeDone(State s, ProbeDone done) {
    Health h = health.get(done.instanceId());
    if (h == null || !s.defined()) {
      return Effect().noReply();
    }
    long nowMillis = deps.clock().millis();
    h.probing = false;
    h.everChecked = true;
    h.nextProbeAtMillis = nowMillis + s.definition().healthIntervalSeconds() * 1000L;
    boolean was = h.healthy;
    if (done.healthy()) {
      h.failures = 0;
      if (nowMillis >= h.ejectedUntilMillis) {
        h.healthy = true;
      }
    } else {
      h.failures++;
      if (h.failures >= FAILURES_TO_EJECT) {
        h.healthy = false;
      }
    }
    if (was != h.healthy) {
      ctx.getLog().info("instance {} of route {} is {} ({})", done.instanceId(), name,
          h.healthy ? "healthy" : "unhealthy", done.detail());
      changed(s);
    }
    ActorRef<StatusReply<RouteView>> waiting = registering.remove(done.instanceId());
    if (waiting != null) {
      waiting.tell(StatusReply.success(view(s)));
    }
    return Effect().noReply();
  }

  private boolean allChecked(State s) {
    return s.instances().keySet().stream().allMatch(id -> health.containsKey(id) && health.get(id).everChecked);
  }

  private boolean inRotation(String instanceId, long nowMillis) {
    Health h = health.get(instanceId);
    return h != null && h.healthy && nowMillis >= h.ejectedUntilMillis;
  }

  // ---- publishing --------------------------------------------------------------------------

  private boolean quiet() {
    return quietUntilMillis != 0;
  }

  private void changed(State s) {
    version = Math.max(version + 1, deps.clock().millis() * 1000);
    if (!quiet()) {
      RouteView v = view(s);
      deps.topic().tell(Topic.publish(v));
      recordHealth((int) v.instances().stream().filter(InstanceView::healthy).count(), v.instances().size());
    }
  }

  private void recordHealth(int healthy, int instances) {
    if (healthy != recordedHealthy || instances != recordedInstances) {
      recordedHealthy = healthy;
      recordedInstances = instances;
      deps.healthHistory().record(name, now(), healthy, instances);
    }
  }

  /** The route is deleted: say so to every node, forget its runtime, give its claim back. */
  private void gone(State after) {
    health.clear();
    sessions.clear();
    timers.cancel("tick");
    quietUntilMillis = 0;
    version = Math.max(version + 1, deps.clock().millis() * 1000);
    deps.topic().tell(Topic.publish(new RouteView(name, null, List.of(), version)));
    recordHealth(0, 0);
    syncClaim(after);
  }

  /**
   * Brings the route's entry in the index in line with this entity: claimed while defined,
   * released when not. One call at a time; a change meanwhile runs it again, so a route deleted
   * and created again in quick succession ends up claimed.
   */
  private void syncClaim(State s) {
    if (syncingClaim) {
      claimDirty = true;
      return;
    }
    syncingClaim = true;
    claimDirty = false;
    CompletionStage<Done> op = s.defined() ? deps.claims().claim(s.definition()) : deps.claims().release(name);
    ctx.pipeToSelf(op, (done, failure) -> new ClaimSynced(failure == null ? null : failure.toString()));
  }

  private ReplyEffect<Event, State> onClaimSynced(State s, ClaimSynced r) {
    syncingClaim = false;
    if (r.failure() != null) {
      ctx.getLog().warn("route {}: could not update the route index ({}); retrying", name, r.failure());
      timers.startSingleTimer("sync-claim", new SyncClaim(), Duration.ofSeconds(2));
    } else if (claimDirty) {
      syncClaim(s);
    }
    return Effect().noReply();
  }

  private void forget(String instanceId) {
    health.remove(instanceId);
    registering.remove(instanceId);
    sessions.removeIf(x -> x.instanceId().equals(instanceId));
  }

  private void startTicking() {
    if (!timers.isTimerActive("tick")) {
      timers.startTimerWithFixedDelay("tick", new Tick(), Duration.ofSeconds(1));
    }
  }

  RouteView view(State s) {
    if (!s.defined()) {
      return new RouteView(name, null, List.of(), version);
    }
    Map<String, Integer> counts = sessionCounts();
    List<InstanceView> instances = new ArrayList<>();
    long nowMillis = deps.clock().millis();
    for (Instance i : s.instances().values()) {
      Health h = health.get(i.id());
      instances.add(new InstanceView(i.id(), i.address(), inRotation(i.id(), nowMillis),
          counts.getOrDefault(i.id(), 0), i.registeredAt(), h == null ? i.registeredAt() : h.lastHeartbeat));
    }
    return new RouteView(name, s.definition(), instances, version);
  }

  private Instant now() {
    return Instant.now(deps.clock()).truncatedTo(ChronoUnit.MILLIS);
  }

  private String selfNode() {
    return ctx.getSystem().address().getHost().orElse("local") + ":"
        + ctx.getSystem().address().getPort().map(String::valueOf).orElse("0");
  }

  private static <T> StatusReply<T> error(Rejection r) {
    return StatusReply.error(r.wireText());
  }
}
