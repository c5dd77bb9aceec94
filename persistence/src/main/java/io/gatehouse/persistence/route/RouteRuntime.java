package io.gatehouse.persistence.route;

import io.gatehouse.persistence.route.RouteEntity.Command;
import io.gatehouse.persistence.route.RouteEntity.Defined;
import io.gatehouse.persistence.route.RouteEntity.Instance;
import io.gatehouse.persistence.route.RouteEntity.State;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * What one route's entity keeps in memory beside its persisted state, and does about it: the
 * instances' health (leases, checks, ejection), the pins, the views it publishes, the route's
 * claim in the index, and the tick that drives leases and checks. {@link RouteBehavior} decides
 * what is persisted and answered; this carries out what follows.
 */
final class RouteRuntime {
  /** How long a recovered entity stays quiet at most while its instances get their first check. */
  static final Duration QUIET_AFTER_RECOVERY = Duration.ofSeconds(3);
  /** Pin counts are shown per instance; they go out with at most one view per this many ticks. */
  private static final int PIN_PUBLISH_TICKS = 5;

  private final String name;
  private final RouteEntity.Deps deps;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  final InstanceHealth health;
  final PinLedger pins;
  private final RoutePublisher publisher;
  private final ClaimSync claim;
  private boolean pinsChanged;
  private int ticks;
  private long lastPinSweepMillis;

  RouteRuntime(String name, RouteEntity.Deps deps, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    this.name = name;
    this.deps = deps;
    this.ctx = ctx;
    this.timers = timers;
    this.health = new InstanceHealth(deps.passiveEjection());
    this.pins = new PinLedger(deps.loadFactor());
    this.publisher = new RoutePublisher(name, deps.topic(), deps.healthHistory(), deps.clock());
    this.claim = new ClaimSync(deps.claims());
  }

  long millis() {
    return deps.clock().millis();
  }

  /** The entity came back from the journal: leases start over, and it is quiet until every instance was checked. */
  void recovered(Defined d) {
    long now = millis();
    d.instances().keySet().forEach(id -> health.track(id, now));
    publisher.quietUntil(now + QUIET_AFTER_RECOVERY.toMillis());
    startTicking();
  }

  /** Whether a node's copy at {@code knownVersion} is current (a quiet entity has nothing better to give). */
  boolean current(long knownVersion) {
    return knownVersion == publisher.version() || publisher.quiet();
  }

  // ---- what follows a change ---------------------------------------------------------------

  /** A persisted registration: its first check decides whether it starts in rotation. */
  void registered(Defined after, Instance i, HealthProber.Outcome firstCheck) {
    health.registered(i.id(), firstCheck.healthy(), millis(), after.definition().upstream().health().intervalSeconds());
    startTicking();
    changed(after);
  }

  /** Instances are gone (deregistered, replaced, lease lapsed); the route too, maybe. */
  void removed(State after, List<String> instanceIds) {
    instanceIds.forEach(this::forget);
    if (after instanceof Defined) {
      changed(after);
    } else {
      gone(after);
    }
  }

  /** The route is deleted: say so to every node, forget its runtime, give its claim back. */
  void gone(State after) {
    health.clear();
    pins.clear();
    timers.cancel("tick");
    publisher.gone();
    syncClaim(after);
  }

  void forget(String instanceId) {
    health.forget(instanceId);
    pins.forgetInstance(instanceId);
  }

  void changed(State s) {
    publisher.changed(v -> view(s, v));
  }

  void pinsChanged() {
    pinsChanged = true;
  }

  void syncClaim(State s) {
    CompletionStage<Done> op = claim.start(name, s instanceof Defined d ? d.definition() : null);
    if (op != null) {
      ctx.pipeToSelf(op, (done, failure) -> new RouteEntity.ClaimSynced(failure == null ? null : failure.toString()));
    }
  }

  /** The claim operation ended; answers whether it must run again. */
  boolean claimEnded() {
    return claim.ended();
  }

  // ---- the tick and the checks -------------------------------------------------------------

  /**
   * Looks at leases and checks: starts the checks that are due, forgets consumers not heard of,
   * publishes pin counts now and then, ends the quiet period by time. Answers the instances whose
   * lease lapsed (their removal is the entity's to persist).
   */
  List<String> tick(Defined s) {
    long now = millis();
    List<String> expired = health.expired(s.instances().values(), now);
    for (Instance i : health.dueForCheck(s.instances().values(), now)) {
      if (!expired.contains(i.id())) {
        check(s.definition(), i);
      }
    }
    ticks++;
    long expiry = deps.sessionExpiry().toMillis();
    if (now - lastPinSweepMillis >= Math.min(60_000, expiry / 3)) {
      lastPinSweepMillis = now;
      pinsChanged |= pins.sweep(now, expiry);
    }
    if (pinsChanged && ticks % PIN_PUBLISH_TICKS == 0) {
      pinsChanged = false;
      changed(s);
    }
    if (publisher.quietTimeOver(now)) {
      publisher.speak(v -> view(s, v));
    }
    return expired;
  }

  /** A check ended: in or out of rotation, and once every instance was checked, the quiet period ends. */
  void checked(Defined s, RouteEntity.ProbeDone done) {
    if (health.checked(done.instanceId(), done.healthy(), millis(), s.definition().upstream().health().intervalSeconds())) {
      ctx.getLog().info("instance {} of route {} is {} ({})", done.instanceId(), name,
          done.healthy() ? "healthy" : "unhealthy", done.detail());
      changed(s);
    }
    if (publisher.quiet() && health.allChecked(s.instances().keySet())) {
      publisher.speak(v -> view(s, v));
    }
  }

  private void check(RouteDefinition def, Instance i) {
    // The route decides how (it may have changed since the instance registered): connect, or GET the path.
    String path = def.checkedByConnecting() ? null : i.healthPath() != null ? i.healthPath() : def.upstream().health().path();
    ctx.pipeToSelf(deps.prober().probe(i.address(), path, def.checkTimeout()), (outcome, failure) ->
        new RouteEntity.ProbeDone(i.id(), failure == null && outcome.healthy(),
            failure == null ? outcome.detail() : failure.toString()));
  }

  void startTicking() {
    if (!timers.isTimerActive("tick")) {
      timers.startTimerWithFixedDelay("tick", new RouteEntity.Tick(), deps.tick());
    }
  }

  void stopTicking() {
    timers.cancel("tick");
  }

  // ---- views -------------------------------------------------------------------------------

  List<String> inRotation(Defined s) {
    long now = millis();
    List<String> up = new ArrayList<>();
    for (String id : s.instances().keySet()) {
      if (health.inRotation(id, now)) {
        up.add(id);
      }
    }
    return up;
  }

  RouteView view(State s) {
    return view(s, publisher.version());
  }

  private RouteView view(State s, long version) {
    if (!(s instanceof Defined d)) {
      return RouteView.deleted(name, version);
    }
    long now = millis();
    List<RouteView.InstanceView> instances = new ArrayList<>();
    for (Instance i : d.instances().values()) {
      instances.add(new RouteView.InstanceView(i.id(), i.address(), health.inRotation(i.id(), now),
          pins.pinnedTo(i.id()), i.registeredAt(),
          Instant.ofEpochMilli(health.lastHeartbeat(i.id(), i.registeredAt().toEpochMilli()))));
    }
    return new RouteView(name, d.definition(), instances, version);
  }
}
