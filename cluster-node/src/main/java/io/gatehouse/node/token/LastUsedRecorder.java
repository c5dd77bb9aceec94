package io.gatehouse.node.token;

import io.gatehouse.persistence.token.TokenTable;
import io.gatehouse.protocol.token.TokenId;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers when each token was last used on this node and writes it to the token table in one
 * batch per interval: a token used a thousand times a second costs one row update per interval,
 * not one write per request.
 */
public final class LastUsedRecorder {
  private static final Logger log = LoggerFactory.getLogger(LastUsedRecorder.class);

  private final ConcurrentHashMap<TokenId, Instant> pending = new ConcurrentHashMap<>();
  private final TokenTable table;
  private final Clock clock;

  public LastUsedRecorder(TokenTable table, Clock clock) {
    this.table = table;
    this.clock = clock;
  }

  /** Called on the request path: one map write, no I/O. */
  public void used(TokenId id) {
    pending.put(id, clock.instant());
  }

  /** Writes what was recorded since the last flush; blocking, run it on the JDBC dispatcher. */
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    Map<TokenId, Instant> batch = new HashMap<>();
    for (TokenId id : pending.keySet()) {
      Instant at = pending.remove(id);
      if (at != null) {
        batch.put(id, at);
      }
    }
    try {
      table.touch(batch);
    } catch (RuntimeException e) {
      // Put them back (unless newer uses arrived meanwhile) and try again next interval.
      batch.forEach((id, at) -> pending.merge(id, at, (newer, older) -> newer.isAfter(older) ? newer : older));
      log.warn("could not record last use of {} tokens: {}", batch.size(), e.getMessage());
    }
  }
}
