package io.gatehouse.persistence.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of instance health, with time passed in: leases, checks, passive ejection. */
class InstanceHealthTest {
  private static final long T0 = 1_000_000L;
  private final InstanceHealth health = new InstanceHealth(Duration.ofSeconds(15));

  private static RouteEntity.Instance instance(String id, int leaseSeconds) {
    return new RouteEntity.Instance(id, "127.0.0.1:9001", "d", "p", "/health", leaseSeconds, Instant.EPOCH, "test");
  }

  @Test
  void aRegistrationStartsInRotationWhenItsFirstCheckPassed() {
    health.registered("a", true, T0, 5);
    health.registered("b", false, T0, 5);

    assertThat(health.inRotation("a", T0)).isTrue();
    assertThat(health.inRotation("b", T0)).isFalse();
  }

  @Test
  void aTrackedInstanceIsOutUntilItsFirstCheckAndIsDueAtOnce() {
    health.track("a", T0);

    assertThat(health.inRotation("a", T0)).isFalse();
    assertThat(health.allChecked(List.of("a"))).isFalse();
    assertThat(health.dueForCheck(List.of(instance("a", 30)), T0)).hasSize(1);
    assertThat(health.dueForCheck(List.of(instance("a", 30)), T0)).as("already being checked").isEmpty();
    assertThat(health.checked("a", true, T0 + 10, 5)).as("went into rotation").isTrue();
    assertThat(health.allChecked(List.of("a"))).isTrue();
  }

  @Test
  void twoFailedChecksInARowTakeItOutAndOnePassedCheckPutsItBack() {
    health.registered("a", true, T0, 5);

    assertThat(health.checked("a", false, T0 + 5_000, 5)).isFalse();
    assertThat(health.inRotation("a", T0 + 5_000)).isTrue();
    assertThat(health.checked("a", false, T0 + 10_000, 5)).isTrue();
    assertThat(health.inRotation("a", T0 + 10_000)).isFalse();
    assertThat(health.checked("a", true, T0 + 15_000, 5)).isTrue();
    assertThat(health.inRotation("a", T0 + 15_000)).isTrue();
  }

  @Test
  void anEjectedInstanceStaysOutForTheEjectionTimeThenNeedsAPassedCheck() {
    health.registered("a", true, T0, 5);

    assertThat(health.ejected("a", T0)).isTrue();
    assertThat(health.ejected("a", T0)).as("already out").isFalse();
    assertThat(health.dueForCheck(List.of(instance("a", 30)), T0 + 14_000)).as("within the ejection").isEmpty();
    assertThat(health.checked("a", true, T0 + 10_000, 5)).isFalse();
    assertThat(health.inRotation("a", T0 + 10_000)).isFalse();
    assertThat(health.dueForCheck(List.of(instance("a", 30)), T0 + 15_000)).hasSize(1);
    assertThat(health.checked("a", true, T0 + 15_000, 5)).isTrue();
  }

  @Test
  void aLeaseLapsesWithoutHeartbeatsAndAHeartbeatRenewsIt() {
    health.registered("a", true, T0, 5);
    health.registered("b", true, T0, 5);
    List<RouteEntity.Instance> instances = List.of(instance("a", 30), instance("b", 30));

    assertThat(health.heartbeat("a", T0 + 20_000)).isTrue();

    assertThat(health.expired(instances, T0 + 30_000)).isEmpty();
    assertThat(health.expired(instances, T0 + 30_001)).containsExactly("b");
    assertThat(health.heartbeat("gone", T0)).as("no lease to renew").isFalse();
  }
}
