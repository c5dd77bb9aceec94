package io.gatehouse.persistence.projection;

import io.gatehouse.persistence.Audited;
import io.gatehouse.persistence.audit.AuditLog;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.persistence.session.BrowserSessionEntity;
import io.gatehouse.persistence.token.TokenEntity;
import io.gatehouse.persistence.token.TokenTable;
import java.util.List;

/** The read models of the store and the journal tags they are fed from. */
public final class Projections {
  /** The projection that feeds the token table: a starting node loads the table, then the journal after its offset. */
  public static final String TOKENS = "tokens";

  private Projections() {}

  public static List<TagProjection.Definition> all() {
    return List.of(
        new TagProjection.Definition(TOKENS, TokenEntity.TAG, (c, envelope) -> {
          TokenEntity.Event event = (TokenEntity.Event) envelope.event();
          TokenTable.apply(c, event, envelope.sequenceNr());
          AuditLog.append(c, envelope.persistenceId(), envelope.sequenceNr(), event);
        }),
        new TagProjection.Definition("directory-audit", DirectoryEntity.TAG, (c, envelope) ->
            AuditLog.append(c, envelope.persistenceId(), envelope.sequenceNr(), (Audited) envelope.event())),
        new TagProjection.Definition("route-audit", RouteEntity.TAG, (c, envelope) ->
            AuditLog.append(c, envelope.persistenceId(), envelope.sequenceNr(), (Audited) envelope.event())),
        new TagProjection.Definition("browser-session-audit", BrowserSessionEntity.TAG, (c, envelope) ->
            AuditLog.append(c, envelope.persistenceId(), envelope.sequenceNr(), (Audited) envelope.event())));
  }
}
