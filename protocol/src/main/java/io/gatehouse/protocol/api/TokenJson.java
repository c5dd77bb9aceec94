package io.gatehouse.protocol.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.TokenStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A token as the admin API shows it. {@code token}, the secret-bearing string, is set only in the
 * answer to {@code POST /tokens} and omitted everywhere else; no answer ever carries its hash.
 * {@code routes} is null for a token that is not limited to routes.
 */
public record TokenJson(
    String id,
    @JsonInclude(JsonInclude.Include.NON_NULL) String token,
    String label,
    PrincipalRef principal,
    PrincipalRef createdBy,
    Instant createdAt,
    Instant expiresAt,
    TokenStatus status,
    Instant revokedAt,
    PrincipalRef revokedBy,
    Instant lastUsedAt,
    List<String> routes,
    Map<String, String> metadata) {

  public TokenJson withSecret(String token) {
    return new TokenJson(
        id, token, label, principal, createdBy, createdAt, expiresAt, status, revokedAt, revokedBy, lastUsedAt,
        routes, metadata);
  }

  /** One page of a listing: {@code nextCursor} is null on the last page. */
  public record Page(List<TokenJson> items, String nextCursor) {}
}
