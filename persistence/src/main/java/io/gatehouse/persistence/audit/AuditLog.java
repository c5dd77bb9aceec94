package io.gatehouse.persistence.audit;

import io.gatehouse.persistence.Audited;
import io.gatehouse.persistence.store.Sql;
import io.gatehouse.protocol.api.ApiJson;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The audit trail: one row per persisted event, written by the projections from the journal (the
 * events themselves carry actor, time and node), so no write can happen without its audit row
 * eventually existing.
 */
public final class AuditLog {
  private static final int MAX_DETAIL = 8000;

  private AuditLog() {}

  /** Appends the row for one event; a replayed event is recognised by its journal position. */
  public static void append(Connection c, String persistenceId, long sequenceNr, Audited event) throws SQLException {
    if (!Sql.query(c, "select 1 from audit_log where persistence_id = ? and sequence_nr = ?", rs -> 1,
        persistenceId, sequenceNr).isEmpty()) {
      return;
    }
    String detail = new String(ApiJson.write(event.detail()), StandardCharsets.UTF_8);
    if (detail.length() > MAX_DETAIL) {
      detail = "{\"truncated\":true}";
    }
    Sql.update(c, "insert into audit_log (event_time, event_type, actor, subject, node, detail, persistence_id, "
            + "sequence_nr) values (?, ?, ?, ?, ?, ?, ?, ?)",
        event.audit().at().toEpochMilli(), event.auditType(), event.audit().actor(), event.subject(),
        event.audit().node(), detail, persistenceId, sequenceNr);
  }
}
