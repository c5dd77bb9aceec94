package io.gatehouse.node.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.persistence.audit.AuditLog;
import io.gatehouse.protocol.api.ApiJson;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/audit?from=&to=&type=&limit=&cursor=}: the audit trail, newest first.
 * {@code type} is an exact type ({@code token.revoked}) or a family ({@code token.*}).
 */
final class AuditRoutes extends AdminDirectives {
  private final AuditLog audit;
  private final Executor jdbc;
  private final Clock clock;

  AuditRoutes(AuditLog audit, Executor jdbc, Clock clock) {
    this.audit = audit;
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** One audit record as the API shows it. */
  record Entry(Instant time, String type, String actor, String subject, String node, JsonNode detail) {}

  record Page(List<Entry> items, String nextCursor) {}

  Route route() {
    return path("audit", () -> get(() -> parameterOptional("from", from -> parameterOptional("to", to ->
        parameterOptional("type", type -> parameterOptional("limit", limit -> parameterOptional("cursor", cursor -> {
          Instant f;
          Instant t;
          try {
            f = from.map(Instant::parse).orElse(Instant.EPOCH);
          } catch (DateTimeParseException e) {
            return complete(Responses.invalid("from", "must be an RFC 3339 time"));
          }
          try {
            t = to.map(Instant::parse).orElse(clock.instant().plusSeconds(1));
          } catch (DateTimeParseException e) {
            return complete(Responses.invalid("to", "must be an RFC 3339 time"));
          }
          if (!f.isBefore(t)) {
            return complete(Responses.invalid("from", "must be before to"));
          }
          int n;
          Long before;
          try {
            n = limit.map(Integer::parseInt).orElse(100);
          } catch (NumberFormatException e) {
            return complete(Responses.invalid("limit", "must be an integer from 1 to 500"));
          }
          try {
            before = cursor.filter(c -> !c.isEmpty()).map(Long::parseLong).orElse(null);
          } catch (NumberFormatException e) {
            return complete(Responses.invalid("cursor", "must be a cursor from a previous page's nextCursor"));
          }
          if (n < 1 || n > 500) {
            return complete(Responses.invalid("limit", "must be an integer from 1 to 500"));
          }
          if (type.isPresent() && !type.get().matches("[a-z-]+(\\.[a-z-]+|\\.\\*)?")) {
            return complete(Responses.invalid("type", "must be a type such as token.revoked, or a family such as token.*"));
          }
          return respond(() -> CompletableFuture.supplyAsync(
                  () -> audit.page(f, t, type.orElse(null), n, before), jdbc)
              .thenApply(page -> Responses.ok(new Page(page.entries().stream().map(AuditRoutes::entry).toList(),
                  page.nextCursor() == null ? null : String.valueOf(page.nextCursor())))));
        })))))));
  }

  private static Entry entry(AuditLog.Entry e) {
    JsonNode detail;
    try {
      detail = ApiJson.mapper().readTree(e.detail());
    } catch (JsonProcessingException ex) {
      detail = ApiJson.mapper().createObjectNode();
    }
    return new Entry(e.time(), e.type(), e.actor(), e.subject(), e.node(), detail);
  }
}
