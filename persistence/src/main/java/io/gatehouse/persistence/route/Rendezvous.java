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
   * The instance for {@code consumer}, or null when there is none.
   *
   * @param load the consumers pinned to an instance now, not counting this one
   */
  public static String choose(String consumer, Collection<String> instances, ToIntFunction<String> load,
      double loadFactor) {
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
    String bestUnbounded = null;
    long bestUnboundedWeight = 0;
    for (String i : instances) {
      long w = weight(consumer, i);
      if (bestUnbounded == null || Long.compareUnsigned(w, bestUnboundedWeight) > 0) {
        bestUnbounded = i;
        bestUnboundedWeight = w;
      }
      if (load.applyAsInt(i) + 1 <= cap && (best == null || Long.compareUnsigned(w, bestWeight) > 0)) {
        best = i;
        bestWeight = w;
      }
    }
    return best != null ? best : bestUnbounded;
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
