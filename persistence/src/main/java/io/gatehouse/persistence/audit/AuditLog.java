package io.gatehouse.persistence.audit;

import io.gatehouse.persistence.Audited;
import io.gatehouse.persistence.store.Sql;
import io.gatehouse.protocol.api.ApiJson;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The audit trail: one row per persisted event, written by the projections from the journal (the
 * events themselves carry actor, time and node), so no write can happen without its audit row
 * eventually existing.
 */
public final class AuditLog {
  private static final int MAX_DETAIL = 8000;

  private final Sql sql;

  public AuditLog(Sql sql) {
    this.sql = sql;
  }

  /** One audit record; {@code detail} is a JSON object. */
  public record Entry(long id, Instant time, String type, String actor, String subject, String node,
      String detail) {}

  /** A page, newest first; {@code nextCursor} (an id) is null on the last page. */
  public record Page(List<Entry> entries, Long nextCursor) {}

  /**
   * Audit records in [from, to), newest first. {@code type} is an exact type ({@code token.revoked})
   * or a family ({@code token.*}); null for all.
   */
  public Page page(Instant from, Instant to, String type, int limit, Long before) {
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder(" where event_time >= ? and event_time < ?");
    params.add(from.toEpochMilli());
    params.add(to.toEpochMilli());
    if (type != null) {
      if (type.endsWith(".*")) {
        where.append(" and event_type like ?");
        params.add(type.substring(0, type.length() - 1) + "%");
      } else {
        where.append(" and event_type = ?");
        params.add(type);
      }
    }
    if (before != null) {
      where.append(" and id < ?");
      params.add(before);
    }
    params.add(limit + 1);
    List<Entry> rows = sql.query("select id, event_time, event_type, actor, subject, node, detail from audit_log"
        + where + " order by id desc limit ?", rs -> new Entry(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)),
            rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)), params.toArray());
    if (rows.size() <= limit) {
      return new Page(rows, null);
    }
    List<Entry> page = List.copyOf(rows.subList(0, limit));
    return new Page(page, page.get(limit - 1).id());
  }

  /**
   * Records what happened outside any entity (a connectivity test): under a key of its own in
   * place of a journal position, so that recording it twice leaves one row.
   */
  public void record(String key, Audited event) {
    sql.inTransaction(c -> {
      append(c, key, 1, event);
      return null;
    });
  }

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
