package io.gatehouse.persistence.token;

import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.TokenId;
import io.gatehouse.protocol.token.TokenStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything known about one token, as its entity holds it. {@code secretHash} is the SHA-256 of
 * the secret (see {@link TokenSecrets}); the secret itself is never stored.
 *
 * @param principalIncarnation the incarnation of the principal when the token was issued; a
 *     principal deleted and created again has another one, and the old tokens stay dead
 * @param routes null when the token may be used on every route its principal may reach
 * @param version the sequence number of the entity's last event, to order copies on other nodes
 */
public record TokenRecord(
    TokenId id,
    String label,
    String secretHash,
    PrincipalRef principal,
    long principalIncarnation,
    PrincipalRef createdBy,
    Instant createdAt,
    Instant expiresAt,
    List<String> routes,
    Map<String, String> metadata,
    Revocation revocation,
    long version)
    implements CborSerializable {

  /** Why and by whom a token was revoked. */
  public record Revocation(Instant at, PrincipalRef by, RevocationReason reason) implements CborSerializable {}

  /** The token as its issue event made it, at {@code version} (the event's sequence number). */
  public static TokenRecord issued(TokenEntity.TokenIssued e, long version) {
    return new TokenRecord(e.id(), e.label(), e.secretHash(), e.principal(), e.principalIncarnation(), e.createdBy(),
        e.createdAt(), e.expiresAt(), e.routes(), e.metadata(), null, version);
  }

  public TokenStatus status(Instant now) {
    if (revocation != null) {
      return TokenStatus.REVOKED;
    }
    return now.isBefore(expiresAt) ? TokenStatus.ACTIVE : TokenStatus.EXPIRED;
  }

  public boolean revoked() {
    return revocation != null;
  }

  TokenRecord revoke(Revocation r, long newVersion) {
    return new TokenRecord(id, label, secretHash, principal, principalIncarnation, createdBy, createdAt, expiresAt,
        routes, metadata, r, newVersion);
  }

  @Override
  public String toString() {
    // Records print every field; the hash is not the secret, but it has no place in a log line.
    return "TokenRecord[" + id + ", " + principal + ", expires " + expiresAt
        + (revocation != null ? ", revoked " + revocation.at() : "") + ", v" + version + "]";
  }
}
