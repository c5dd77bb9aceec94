package io.gatehouse.persistence.route;

import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.route.RouteEntity.ClaimSynced;
import io.gatehouse.persistence.route.RouteEntity.Command;
import io.gatehouse.persistence.route.RouteEntity.Defined;
import io.gatehouse.persistence.route.RouteEntity.Event;
import io.gatehouse.persistence.route.RouteEntity.Instance;
import io.gatehouse.persistence.route.RouteEntity.InstanceRegistered;
import io.gatehouse.persistence.route.RouteEntity.InstanceRemoved;
import io.gatehouse.persistence.route.RouteEntity.State;
import io.gatehouse.persistence.route.RouteEntity.Undefined;
import io.gatehouse.protocol.Rejection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilderByState;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The behaviour of a {@link RouteEntity}, one set of handlers per state ({@code Undefined},
 * {@code Defined}) and a few for either. Every command that carries a reply address gets an
 * answer from its handler: the compiler checks it (enforced replies).
 */
final class RouteBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {
  /** An undefined entity still listed in the index after this long has an orphaned claim. */
  static final Duration ORPHAN_GRACE = Duration.ofSeconds(30);

  private final String name;
  private final RouteEntity.Deps deps;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final RouteRuntime runtime;
  private final long startedMillis;
  private boolean orphanChecked;

  RouteBehavior(String name, RouteEntity.Deps deps, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(PersistenceId.of(RouteEntity.ENTITY_KEY.name(), name));
    this.name = name;
    this.deps = deps;
    this.ctx = ctx;
    this.timers = timers;
    this.runtime = new RouteRuntime(name, deps, ctx, timers);
    this.startedMillis = runtime.millis();
  }

  @Override
  public State emptyState() {
    return new Undefined();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return RouteEntity.tags();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state instanceof Defined d) {
            runtime.recovered(d);
          }
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(RouteEntity::apply);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return undefined().orElse(defined()).orElse(eitherState()).build();
  }

  // ---- undefined ---------------------------------------------------------------------------

  private CommandHandlerWithReplyBuilderByState<Command, Event, Undefined, State> undefined() {
    return newCommandHandlerWithReplyBuilder().forStateType(Undefined.class)
        .onCommand(RouteEntity.Define.class, this::onDefine)
        .onCommand(RouteEntity.Update.class, (s, cmd) -> Effect().reply(cmd.replyTo(), noRoute()))
        .onCommand(RouteEntity.Delete.class, (s, cmd) -> Effect().reply(cmd.replyTo(), noRoute()))
        .onCommand(RouteEntity.Register.class, this::onRegisterFirst)
        .onCommand(RouteEntity.Heartbeat.class, (s, cmd) -> Effect().reply(cmd.replyTo(), noLease(cmd.instanceId())))
        .onCommand(RouteEntity.Deregister.class, (s, cmd) -> Effect().reply(cmd.replyTo(),
            RouteEntity.error(Rejection.notFound("instance '" + cmd.instanceId() + "' is not registered"))))
        .onCommand(RouteEntity.Choose.class, (s, cmd) -> Effect().reply(cmd.replyTo(), new RouteEntity.Chosen(null)))
        .onCommand(RouteEntity.KeepAlive.class, this::onKeepAliveUndefined)
        .onCommand(RouteEntity.Tick.class, (s, cmd) -> {
          runtime.stopTicking();
          return Effect().noReply();
        })
        .onCommand(RouteEntity.RefreshSession.class, (s, cmd) -> Effect().noReply())
        .onCommand(RouteEntity.PassiveFailure.class, (s, cmd) -> Effect().noReply())
        .onCommand(RouteEntity.ProbeDone.class, (s, cmd) -> Effect().noReply());
  }

  private ReplyEffect<Event, State> onDefine(Undefined s, RouteEntity.Define cmd) {
    Instant now = now();
    return Effect().persist(new RouteEntity.RouteDefined(cmd.definition().withTimes(now, now), cmd.actor().at(now)))
        .thenRun(after -> {
          runtime.syncClaim(after);
          runtime.changed(after);
        })
        .thenReply(cmd.replyTo(), after -> StatusReply.success(runtime.view(after)));
  }

  /** A registration that creates its (ephemeral) route. */
  private ReplyEffect<Event, State> onRegisterFirst(Undefined s, RouteEntity.Register cmd) {
    if (cmd.ephemeral() == null) {
      return Effect().reply(cmd.replyTo(), RouteEntity.error(Rejection.invalid("route",
          "route '" + name + "' does not exist")));
    }
    Audit audit = cmd.actor().at(now());
    Instance registered = withDefaults(cmd.instance(), cmd.ephemeral(), audit.at());
    List<Event> events = List.of(new RouteEntity.RouteDefined(cmd.ephemeral().withTimes(audit.at(), audit.at()), audit),
        new InstanceRegistered(registered, name, audit));
    return Effect().persist(events)
        .thenRun(after -> {
          runtime.syncClaim(after);
          runtime.registered((Defined) after, registered, cmd.firstCheck());
        })
        .thenReply(cmd.replyTo(), after -> StatusReply.success(runtime.view(after)));
  }

  private ReplyEffect<Event, State> onKeepAliveUndefined(Undefined s, RouteEntity.KeepAlive cmd) {
    if (!orphanChecked && runtime.millis() - startedMillis > ORPHAN_GRACE.toMillis()) {
      // Kept alive because the index lists it, yet not defined: a crash came between deleting the
      // route and releasing its claim. Release it now. The grace leaves time for a route being
      // created right now (claimed, not yet defined) to be defined.
      orphanChecked = true;
      runtime.syncClaim(s);
    }
    return replyToKeepAlive(s, cmd);
  }

  // ---- defined -----------------------------------------------------------------------------

  private CommandHandlerWithReplyBuilderByState<Command, Event, Defined, State> defined() {
    return newCommandHandlerWithReplyBuilder().forStateType(Defined.class)
        .onCommand(RouteEntity.Define.class, (s, cmd) -> Effect().reply(cmd.replyTo(),
            RouteEntity.error(Rejection.conflict("route '" + name + "' already exists"))))
        .onCommand(RouteEntity.Update.class, this::onUpdate)
        .onCommand(RouteEntity.Delete.class, this::onDelete)
        .onCommand(RouteEntity.Register.class, this::onRegister)
        .onCommand(RouteEntity.Heartbeat.class, this::onHeartbeat)
        .onCommand(RouteEntity.Deregister.class, this::onDeregister)
        .onCommand(RouteEntity.Choose.class, this::onChoose)
        .onCommand(RouteEntity.KeepAlive.class, (s, cmd) -> {
          runtime.startTicking();
          return replyToKeepAlive(s, cmd);
        })
        .onCommand(RouteEntity.RefreshSession.class, this::onRefresh)
        .onCommand(RouteEntity.PassiveFailure.class, this::onPassiveFailure)
        .onCommand(RouteEntity.Tick.class, this::onTick)
        .onCommand(RouteEntity.ProbeDone.class, this::onProbeDone);
  }

  private ReplyEffect<Event, State> onUpdate(Defined s, RouteEntity.Update cmd) {
    if (!s.definition().isStatic()) {
      return Effect().reply(cmd.replyTo(), RouteEntity.error(Rejection.conflict(
          "route '" + name + "' is ephemeral: it follows its deployment and cannot be edited")));
    }
    Instant now = now();
    RouteDefinition def = cmd.definition().withTimes(s.definition().createdAt(), now);
    return Effect().persist(new RouteEntity.RouteUpdated(def, cmd.actor().at(now)))
        .thenRun(runtime::changed)
        .thenReply(cmd.replyTo(), after -> StatusReply.success(runtime.view(after)));
  }

  private ReplyEffect<Event, State> onDelete(Defined s, RouteEntity.Delete cmd) {
    Audit audit = cmd.actor().at(now());
    List<Event> events = new ArrayList<>();
    s.instances().keySet().forEach(id -> events.add(new InstanceRemoved(id, name, "route-deleted", audit)));
    events.add(new RouteEntity.RouteDeleted(name, "deleted", audit));
    return Effect().persist(events)
        .thenRun(runtime::gone)
        .thenReply(cmd.replyTo(), after -> StatusReply.success(runtime.view(after)));
  }

  /** A registration for a route that exists. */
  private ReplyEffect<Event, State> onRegister(Defined s, RouteEntity.Register cmd) {
    RouteDefinition def = s.definition();
    Rejection refused = registrationConflict(def, cmd.ephemeral());
    if (refused == null && !cmd.admin() && def.isStatic()
        && !def.access().registrationProjects().contains(cmd.instance().project())) {
      refused = Rejection.forbidden(cmd.actor().who() + " may not register onto route '" + name + "': its "
          + "registrationProjects do not name project '" + cmd.instance().project() + "' (an admin sets them)");
    }
    if (refused != null) {
      return Effect().reply(cmd.replyTo(), RouteEntity.error(refused));
    }
    Audit audit = cmd.actor().at(now());
    Instance registered = withDefaults(cmd.instance(), def, audit.at());
    List<Event> events = new ArrayList<>();
    // An instance that registers again from the same address replaces its earlier registration
    // (its registrar's own, or any for an admin: nobody else can push an instance out).
    s.instances().values().stream()
        .filter(old -> old.address().equals(registered.address()) && (cmd.admin() || mayTouch(old, cmd.actor().who())))
        .forEach(old -> events.add(new InstanceRemoved(old.id(), name, "replaced", audit)));
    events.add(new InstanceRegistered(registered, name, audit));
    return Effect().persist(events)
        .thenRun(after -> {
          events.stream().filter(e -> e instanceof InstanceRemoved)
              .forEach(e -> runtime.forget(((InstanceRemoved) e).instanceId()));
          runtime.registered((Defined) after, registered, cmd.firstCheck());
        })
        .thenReply(cmd.replyTo(), after -> StatusReply.success(runtime.view(after)));
  }

  private Rejection registrationConflict(RouteDefinition def, RouteDefinition ephemeral) {
    if (ephemeral != null && def.isStatic()) {
      return Rejection.conflict("deployment '" + name + "' has the name of a static route; register it with "
          + "\"route\": \"" + name + "\" or rename it");
    }
    if (ephemeral == null && !def.isStatic()) {
      return Rejection.invalid("route", "'" + name + "' is an ephemeral route; register without a route to join it");
    }
    if (ephemeral != null && ephemeral.isTcp() != def.isTcp()) {
      return Rejection.invalid("protocol", "deployment '" + name + "' is registered as " + def.protocol().wire());
    }
    if (ephemeral != null && !ephemeral.project().equals(def.project())) {
      return Rejection.conflict("deployment '" + name + "' is registered in project '" + def.project() + "'");
    }
    return null;
  }

  private ReplyEffect<Event, State> onHeartbeat(Defined s, RouteEntity.Heartbeat cmd) {
    Instance i = s.instances().get(cmd.instanceId());
    if (i == null || !(cmd.admin() || mayTouch(i, cmd.who()))
        || !runtime.health.heartbeat(cmd.instanceId(), runtime.millis())) {
      return Effect().reply(cmd.replyTo(), noLease(cmd.instanceId()));
    }
    return Effect().reply(cmd.replyTo(), StatusReply.ack());
  }

  /** Whether {@code who} registered the instance (instances of before this was recorded: admins only). */
  private static boolean mayTouch(Instance i, String who) {
    return i.registeredBy() != null && i.registeredBy().equals(who);
  }

  private ReplyEffect<Event, State> onDeregister(Defined s, RouteEntity.Deregister cmd) {
    Instance i = s.instances().get(cmd.instanceId());
    if (i == null || !(cmd.admin() || mayTouch(i, cmd.actor().who()))) {
      return Effect().reply(cmd.replyTo(), RouteEntity.error(Rejection.notFound(
          "instance '" + cmd.instanceId() + "' is not registered")));
    }
    List<Event> events = removal(s, List.of(cmd.instanceId()), "deregistered", cmd.actor().at(now()));
    return Effect().persist(events)
        .thenRun(after -> runtime.removed(after, List.of(cmd.instanceId())))
        .thenReply(cmd.replyTo(), after -> StatusReply.success(runtime.view(after)));
  }

  private ReplyEffect<Event, State> onChoose(Defined s, RouteEntity.Choose cmd) {
    long now = runtime.millis();
    String chosen = runtime.pins.choose(cmd.consumer(), cmd.avoid(), runtime.inRotation(s), now);
    runtime.pinsChanged();
    return Effect().reply(cmd.replyTo(), new RouteEntity.Chosen(chosen));
  }

  private ReplyEffect<Event, State> onRefresh(Defined s, RouteEntity.RefreshSession cmd) {
    if (s.instances().containsKey(cmd.instanceId())) {
      if (runtime.pins.refresh(cmd.consumer(), cmd.instanceId(), runtime.millis())) {
        runtime.pinsChanged();
      }
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onPassiveFailure(Defined s, RouteEntity.PassiveFailure cmd) {
    if (runtime.health.ejected(cmd.instanceId(), runtime.millis())) {
      ctx.getLog().info("instance {} of route {} ejected: {}", cmd.instanceId(), name, cmd.reason());
      runtime.changed(s);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onTick(Defined s, RouteEntity.Tick tick) {
    List<String> expired = runtime.tick(s);
    if (expired.isEmpty()) {
      return Effect().noReply();
    }
    ctx.getLog().info("lease of {} on route {} expired", expired, name);
    List<Event> events = removal(s, expired, "lease-expired", Actor.system(selfNode()).at(now()));
    return Effect().persist(events).thenRun(after -> runtime.removed(after, expired)).thenNoReply();
  }

  private ReplyEffect<Event, State> onProbeDone(Defined s, RouteEntity.ProbeDone done) {
    runtime.checked(s, done);
    return Effect().noReply();
  }

  /** Removing instances; an ephemeral route goes with its last instance. */
  private List<Event> removal(Defined s, List<String> ids, String reason, Audit audit) {
    List<Event> events = new ArrayList<>();
    ids.forEach(id -> events.add(new InstanceRemoved(id, name, reason, audit)));
    if (!s.definition().isStatic() && s.instances().size() == ids.size()) {
      events.add(new RouteEntity.RouteDeleted(name, "last instance gone", audit));
    }
    return events;
  }

  // ---- either state ------------------------------------------------------------------------

  private CommandHandlerWithReplyBuilderByState<Command, Event, State, State> eitherState() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(RouteEntity.GetView.class, (s, cmd) -> Effect().reply(cmd.replyTo(), runtime.view(s)))
        .onCommand(ClaimSynced.class, this::onClaimSynced)
        .onCommand(RouteEntity.SyncClaim.class, (s, cmd) -> {
          runtime.syncClaim(s);
          return Effect().noReply();
        });
  }

  private ReplyEffect<Event, State> onClaimSynced(State s, ClaimSynced r) {
    boolean again = runtime.claimEnded();
    if (r.failure() != null) {
      ctx.getLog().warn("route {}: could not update the route index ({}); retrying", name, r.failure());
      timers.startSingleTimer("sync-claim", new RouteEntity.SyncClaim(), Duration.ofSeconds(2));
    } else if (again) {
      runtime.syncClaim(s);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> replyToKeepAlive(State s, RouteEntity.KeepAlive cmd) {
    if (runtime.current(cmd.knownVersion())) {
      return Effect().reply(cmd.replyTo(), new RouteEntity.UpToDate(name));
    }
    return Effect().reply(cmd.replyTo(), runtime.view(s));
  }

  /**
   * The instance as registered: the route's health path unless it has its own; none when the
   * route's instances are checked by connecting (tcp, HTTP/2).
   */
  private static Instance withDefaults(Instance i, RouteDefinition route, Instant at) {
    return new Instance(i.id(), i.address(), i.deployment(), i.project(), route.checkedByConnecting() ? null
        : i.healthPath() != null ? i.healthPath() : route.upstream().health().path(), i.leaseSeconds(), at,
        i.registeredBy());
  }

  private StatusReply<RouteView> noRoute() {
    return RouteEntity.error(Rejection.notFound("route '" + name + "' does not exist"));
  }

  private static StatusReply<Done> noLease(String instanceId) {
    return RouteEntity.error(Rejection.notFound("instance '" + instanceId + "' holds no lease; register again"));
  }

  private Instant now() {
    return Instant.now(deps.clock()).truncatedTo(ChronoUnit.MILLIS);
  }

  private String selfNode() {
    return ctx.getSystem().address().getHost().orElse("local") + ":"
        + ctx.getSystem().address().getPort().map(String::valueOf).orElse("0");
  }
}
