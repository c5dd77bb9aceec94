package io.gatehouse.persistence.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that tests move by hand, to reach a token's expiry without waiting for it: either
 * frozen at a start instant, or ticking with the system clock plus what the test added.
 */
public final class MutableClock extends Clock {
  private final Instant frozenAt;
  private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

  /** Frozen at {@code start} until advanced. */
  public MutableClock(Instant start) {
    this.frozenAt = start;
  }

  private MutableClock() {
    this.frozenAt = null;
  }

  /** Ticking with the system clock, ahead of it by whatever the test advanced. */
  public static MutableClock ticking() {
    return new MutableClock();
  }

  public void advance(Duration d) {
    offset.updateAndGet(o -> o.plus(d));
  }

  @Override
  public Instant instant() {
    return (frozenAt == null ? Instant.now() : frozenAt).plus(offset.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
