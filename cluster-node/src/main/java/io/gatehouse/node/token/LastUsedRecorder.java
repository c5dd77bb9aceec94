package io.gatehouse.node.token;

import io.gatehouse.persistence.token.TokenTable;
import io.gatehouse.protocol.token.TokenId;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers when each token was last used on this node and writes it to the token table in one
 * batch per interval: a token used a thousand times a second costs one row update per interval,
 * not one write per request.
 */
public final class LastUsedRecorder {
  private static final Logger log = LoggerFactory.getLogger(LastUsedRecorder.class);

  /** Per token: the last use (epoch millis) since the last flush, 0 when none. */
  private final ConcurrentHashMap<TokenId, AtomicLong> pending = new ConcurrentHashMap<>();
  private final TokenTable table;
  private final Clock clock;

  public LastUsedRecorder(TokenTable table, Clock clock) {
    this.table = table;
    this.clock = clock;
  }

  /** Called on the request path: a map read and a store, no allocation in steady state, no I/O. */
  public void used(TokenId id) {
    AtomicLong last = pending.get(id);
    if (last == null) {
      last = pending.computeIfAbsent(id, k -> new AtomicLong());
    }
    last.set(clock.millis());
  }

  /** Writes what was recorded since the last flush; blocking, run it on the JDBC dispatcher. */
  public void flush() {
    Map<TokenId, Instant> batch = new HashMap<>();
    for (Map.Entry<TokenId, AtomicLong> e : pending.entrySet()) {
      long at = e.getValue().getAndSet(0);
      if (at != 0) {
        batch.put(e.getKey(), Instant.ofEpochMilli(at));
      } else if (pending.remove(e.getKey(), e.getValue()) && e.getValue().get() != 0) {
        // Used between the read and the removal: keep it.
        pending.merge(e.getKey(), e.getValue(), (current, removed) -> {
          current.accumulateAndGet(removed.get(), Math::max);
          return current;
        });
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    try {
      table.touch(batch);
    } catch (RuntimeException e) {
      // Put them back (unless newer uses arrived meanwhile) and try again next interval.
      batch.forEach((id, at) -> pending.computeIfAbsent(id, k -> new AtomicLong())
          .accumulateAndGet(at.toEpochMilli(), Math::max));
      log.warn("could not record last use of {} tokens: {}", batch.size(), e.getMessage());
    }
  }
}
