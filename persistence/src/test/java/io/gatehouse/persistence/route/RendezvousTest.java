package io.gatehouse.persistence.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Properties of the bounded-load rendezvous choice that pins consumers to instances. */
class RendezvousTest {
  private static final double FACTOR = 1.25;

  /** Pins consumers one after another, as their first requests arrive. */
  static Map<String, String> assign(List<String> consumers, List<String> instances, Map<String, String> pins) {
    Map<String, Integer> load = loads(pins);
    for (String c : consumers) {
      String chosen = Rendezvous.bounded(c, instances, i -> load.getOrDefault(i, 0), FACTOR);
      pins.put(c, chosen);
      load.merge(chosen, 1, Integer::sum);
    }
    return pins;
  }

  static List<String> names(String prefix, int n, long seed) {
    Random r = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + Long.toHexString(r.nextLong()));
    }
    return out;
  }

  static Map<String, Integer> loads(Map<String, String> pins) {
    Map<String, Integer> load = new HashMap<>();
    pins.values().forEach(i -> load.merge(i, 1, Integer::sum));
    return load;
  }

  @Property
  void noInstanceIsLoadedBeyondTheFactorTimesTheMean(
      @ForAll @IntRange(min = 1, max = 12) int instanceCount,
      @ForAll @IntRange(min = 1, max = 400) int consumerCount,
      @ForAll long seed) {
    List<String> instances = names("ins-", instanceCount, seed);
    Map<String, String> pins = assign(names("tok_", consumerCount, ~seed), instances, new LinkedHashMap<>());

    long bound = (long) Math.ceil(FACTOR * consumerCount / instanceCount);
    assertThat(loads(pins).values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo((int) bound));
  }

  @Property
  void removingAnInstanceMovesOnlyItsConsumersAndAlwaysTheSameWay(
      @ForAll @IntRange(min = 2, max = 10) int instanceCount,
      @ForAll @IntRange(min = 1, max = 300) int consumerCount,
      @ForAll long seed) {
    List<String> instances = names("ins-", instanceCount, seed);
    List<String> consumers = names("tok_", consumerCount, ~seed);
    Map<String, String> before = assign(consumers, instances, new LinkedHashMap<>());
    String removed = instances.get(Math.floorMod(seed, instanceCount));
    List<String> remaining = new ArrayList<>(instances);
    remaining.remove(removed);

    Map<String, String> after = repin(before, removed, remaining);

    before.forEach((c, i) -> {
      if (i.equals(removed)) {
        assertThat(after.get(c)).isNotEqualTo(removed).isIn(remaining);
      } else {
        assertThat(after.get(c)).isEqualTo(i);
      }
    });
    assertThat(repin(before, removed, remaining)).as("deterministic").isEqualTo(after);
    long bound = (long) Math.ceil(FACTOR * consumerCount / remaining.size());
    assertThat(loads(after).values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo((int) bound));
  }

  private static Map<String, String> repin(Map<String, String> before, String removed, List<String> remaining) {
    Map<String, String> kept = new LinkedHashMap<>(before);
    List<String> moving = new ArrayList<>();
    before.forEach((c, i) -> {
      if (i.equals(removed)) {
        moving.add(c);
        kept.remove(c);
      }
    });
    return assign(moving, remaining, kept);
  }

  @Property
  void everyNodeComputesTheSameChoiceWhateverTheOrderOfInstances(
      @ForAll @IntRange(min = 1, max = 10) int instanceCount, @ForAll long seed) {
    List<String> instances = names("ins-", instanceCount, seed);
    List<String> shuffled = new ArrayList<>(instances);
    Collections.shuffle(shuffled, new Random(seed));
    for (String consumer : names("tok_", 50, seed + 1)) {
      assertThat(Rendezvous.bounded(consumer, shuffled, i -> 0, FACTOR))
          .isEqualTo(Rendezvous.bounded(consumer, instances, i -> 0, FACTOR));
      assertThat(Rendezvous.unbounded(consumer, shuffled)).isEqualTo(Rendezvous.unbounded(consumer, instances));
    }
  }

  @Property
  void withoutLoadAConsumerAlwaysTakesItsTopRankedInstance(
      @ForAll @IntRange(min = 2, max = 10) int instanceCount, @ForAll long seed) {
    List<String> instances = names("ins-", instanceCount, seed);
    String consumer = "tok_" + Long.toHexString(seed);
    String top = instances.stream()
        .max((a, b) -> Long.compareUnsigned(Rendezvous.weight(consumer, a), Rendezvous.weight(consumer, b)))
        .orElseThrow();

    assertThat(Rendezvous.bounded(consumer, instances, i -> 0, FACTOR)).isEqualTo(top);
    assertThat(Rendezvous.unbounded(consumer, instances)).isEqualTo(top);
  }

  @Property
  void unboundedIgnoresLoadAndBoundedAvoidsAnInstanceAtItsBound(
      @ForAll @IntRange(min = 2, max = 10) int instanceCount, @ForAll long seed) {
    List<String> instances = names("ins-", instanceCount, seed);
    String consumer = "tok_" + Long.toHexString(seed);
    String top = Rendezvous.unbounded(consumer, instances);
    // The top-ranked instance already holds every other consumer: far past 1.25 times the mean.
    int crowd = 10 * instanceCount;

    assertThat(Rendezvous.bounded(consumer, instances, i -> i.equals(top) ? crowd : 0, FACTOR)).isNotEqualTo(top);
    assertThat(Rendezvous.unbounded(consumer, instances)).isEqualTo(top);
  }

  @Property
  void noInstanceMeansNoChoice(@ForAll long seed) {
    assertThat(Rendezvous.bounded("tok_" + seed, List.of(), i -> 0, FACTOR)).isNull();
    assertThat(Rendezvous.unbounded("tok_" + seed, List.of())).isNull();
  }
}
