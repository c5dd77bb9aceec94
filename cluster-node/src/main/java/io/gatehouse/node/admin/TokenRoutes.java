package io.gatehouse.node.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.gatehouse.node.metrics.GatewayMetrics;
import io.gatehouse.node.token.TokenService;
import io.gatehouse.persistence.token.RevocationReason;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenTable;
import io.gatehouse.protocol.api.TokenJson;
import io.gatehouse.protocol.api.TokenRequests;
import io.gatehouse.protocol.token.TokenId;
import java.time.Clock;
import java.util.Optional;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /api/v1/tokens}: issue, list, show and revoke tokens. */
final class TokenRoutes extends AdminDirectives {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 500;

  private final TokenService tokens;
  private final Clock clock;
  private final GatewayMetrics metrics;

  TokenRoutes(TokenService tokens, Clock clock, GatewayMetrics metrics) {
    this.tokens = tokens;
    this.clock = clock;
    this.metrics = metrics;
  }

  Route route(AdminCaller caller) {
    return pathPrefix("tokens", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(this::list),
            post(() -> body(TokenRequests.Issue.class, req -> respond(() ->
                tokens.issue(req, caller.principal(), caller.actor())
                    .thenApply(issued -> Responses.created(json(issued.record()).withSecret(issued.token())))))))),
        pathPrefix(segment(), id -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> show(id)),
                delete(() -> revoke(id, caller)))),
            path("revoke", () -> post(() -> revoke(id, caller)))))));
  }

  private Route list() {
    return parameterOptional("status", status -> parameterOptional("limit", limit ->
        parameterOptional("cursor", cursor -> {
          Optional<TokenTable.Filter> filter = TokenTable.Filter.fromWire(status.orElse("all"));
          if (filter.isEmpty()) {
            return complete(Responses.invalid("status", "must be one of active, revoked, expired, all"));
          }
          Integer n = parseLimit(limit.orElse(String.valueOf(DEFAULT_LIMIT)));
          if (n == null) {
            return complete(Responses.invalid("limit", "must be an integer from 1 to " + MAX_LIMIT));
          }
          return respond(() -> tokens.list(filter.get(), n, cursor.filter(c -> !c.isEmpty()).orElse(null))
              .thenApply(page -> Responses.ok(new TokenJson.Page(
                  page.rows().stream().map(this::json).toList(), page.nextCursor()))));
        })));
  }

  private Route show(String id) {
    if (!TokenId.isValid(id)) {
      return complete(Responses.notFound("token '" + id + "' does not exist"));
    }
    return respond(() -> tokens.get(TokenId.of(id)).thenApply(row -> row
        .map(r -> Responses.ok(json(r)))
        .orElseGet(() -> Responses.notFound("token '" + id + "' does not exist"))));
  }

  private Route revoke(String id, AdminCaller caller) {
    if (!TokenId.isValid(id)) {
      return complete(Responses.notFound("token '" + id + "' does not exist"));
    }
    return respond(() -> tokens.revoke(TokenId.of(id), caller.principal(), RevocationReason.REVOKED, caller.actor())
        .thenApply(row -> {
          metrics.revoked();
          return Responses.ok(json(row));
        }));
  }

  private static Integer parseLimit(String text) {
    try {
      int n = Integer.parseInt(text);
      return n >= 1 && n <= MAX_LIMIT ? n : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private TokenJson json(TokenTable.Row r) {
    return new TokenJson(r.id().value(), null, r.label(), r.principal(), r.createdBy(), r.createdAt(), r.expiresAt(),
        r.status(clock.instant()), r.revokedAt(), r.revokedBy(), r.lastUsedAt(), r.routes(), r.metadata());
  }

  private TokenJson json(TokenRecord r) {
    TokenRecord.Revocation rev = r.revocation();
    return new TokenJson(r.id().value(), null, r.label(), r.principal(), r.createdBy(), r.createdAt(), r.expiresAt(),
        r.status(clock.instant()), rev == null ? null : rev.at(), rev == null ? null : rev.by(), null, r.routes(),
        r.metadata());
  }
}
