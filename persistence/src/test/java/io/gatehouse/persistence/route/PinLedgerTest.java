package io.gatehouse.persistence.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Pins and the load bound, as the route entity keeps them. */
class PinLedgerTest {
  private final PinLedger pins = new PinLedger(1.25);

  @Test
  void aConsumerKeepsItsPinWhileItsInstanceIsInRotation() {
    String first = pins.choose("tok_a", null, List.of("x", "y"), 1);

    assertThat(pins.choose("tok_a", null, List.of("x", "y"), 2)).isEqualTo(first);
    assertThat(pins.pinnedTo(first)).isEqualTo(1);
  }

  @Test
  void aPinOutOfRotationOrToAvoidMovesAndIsCountedOnce() {
    String first = pins.choose("tok_a", null, List.of("x", "y"), 1);
    String other = first.equals("x") ? "y" : "x";

    assertThat(pins.choose("tok_a", first, List.of("x", "y"), 2)).isEqualTo(other);
    assertThat(pins.counts()).isEqualTo(java.util.Map.of(other, 1));
    assertThat(pins.choose("tok_a", null, List.of(first), 3)).as("its instance left rotation").isEqualTo(first);
  }

  @Test
  void theInstanceToAvoidIsTakenWhenItIsTheOnlyOneLeft() {
    assertThat(pins.choose("tok_a", "x", List.of("x"), 1)).isEqualTo("x");
    assertThat(pins.choose("tok_b", null, List.of(), 1)).isNull();
  }

  @Test
  void noInstanceTakesMoreThanTheBound() {
    for (int i = 0; i < 400; i++) {
      pins.choose("tok_" + i, null, List.of("x", "y", "z", "w"), i);
    }

    assertThat(pins.counts().values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(125));
  }

  @Test
  void consumersNotHeardOfForTheExpiryAreForgottenAndAGoneInstanceTakesItsPins() {
    pins.refresh("tok_old", "x", 1_000);
    pins.refresh("tok_new", "x", 50_000);
    pins.refresh("tok_y", "y", 50_000);

    assertThat(pins.sweep(60_000, 30_000)).isTrue();
    assertThat(pins.pinnedTo("x")).isEqualTo(1);

    pins.forgetInstance("x");
    assertThat(pins.counts()).containsOnlyKeys(Set.of("y"));
  }
}
