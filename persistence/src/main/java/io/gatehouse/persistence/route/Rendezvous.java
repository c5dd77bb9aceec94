package io.gatehouse.persistence.route;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.ToIntFunction;

/**
 * Rendezvous (highest random weight) hashing with bounded load: every consumer ranks the
 * instances by a hash of (consumer, instance) and takes the best-ranked one whose load stays
 * within {@code ceil(loadFactor * mean)} after the assignment. Ranks depend on nothing but the two
 * names, so every node computes the same choice; removing an instance only moves the consumers
 * that were on it, and a consumer re-pinned after its session was lost lands where it was, as
 * long as that instance is healthy and under its bound.
 */
public final class Rendezvous {
  private Rendezvous() {}

  /**
   * The consumer's best-ranked instance, whatever the load: every node computes the same answer
   * from the names alone. For a consumer whose pin cannot be read right now, so that it still
   * reaches the instance it most likely has. Null when there is no instance.
   */
  public static String unbounded(String consumer, Collection<String> instances) {
    String best = null;
    long bestWeight = 0;
    for (String i : instances) {
      long w = weight(consumer, i);
      if (best == null || Long.compareUnsigned(w, bestWeight) > 0) {
        best = i;
        bestWeight = w;
      }
    }
    return best;
  }

  /**
   * The consumer's best-ranked instance among those that stay within {@code ceil(loadFactor *
   * mean)} after taking it; when none does (only possible with a factor near 1), the best-ranked
   * of all. Null when there is no instance.
   *
   * @param load the consumers pinned to an instance now, not counting this one
   * @param loadFactor at least 1
   */
  public static String bounded(String consumer, Collection<String> instances, ToIntFunction<String> load,
      double loadFactor) {
    if (loadFactor < 1.0) {
      throw new IllegalArgumentException("the load factor must be at least 1, got " + loadFactor);
    }
    if (instances.isEmpty()) {
      return null;
    }
    long total = 1;
    for (String i : instances) {
      total += load.applyAsInt(i);
    }
    long cap = (long) Math.ceil(loadFactor * total / instances.size());
    String best = null;
    long bestWeight = 0;
    for (String i : instances) {
      long w = weight(consumer, i);
      if (load.applyAsInt(i) + 1 <= cap && (best == null || Long.compareUnsigned(w, bestWeight) > 0)) {
        best = i;
        bestWeight = w;
      }
    }
    return best != null ? best : unbounded(consumer, instances);
  }

  /** A stable 64-bit weight: FNV-1a over both names, then a MurmurHash3 finaliser to spread it. */
  static long weight(String consumer, String instance) {
    long h = 0xcbf29ce484222325L;
    for (byte b : consumer.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h = (h ^ 0x1f) * 0x100000001b3L;
    for (byte b : instance.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
