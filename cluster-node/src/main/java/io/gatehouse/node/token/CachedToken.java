package io.gatehouse.node.token;

import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.TokenId;
import java.util.List;

/**
 * What validating a token needs of it, and nothing else: a node holds one of these for every
 * token it has seen, so a million of them must fit in a couple of hundred megabytes. The label,
 * metadata and audit fields stay in the entity and the token table; the SHA-256 of the secret is
 * kept as its 32 bytes, not as hex; times are epoch milliseconds; the principal is shared with
 * the other tokens of the same principal (see {@link TokenCache}).
 *
 * @param routes null when the token may be used on every route its principal may reach
 * @param version the sequence number of the entity's last event, to order copies
 */
record CachedToken(
    TokenId id,
    byte[] secretHash,
    PrincipalRef principal,
    long principalIncarnation,
    long expiresAtMillis,
    List<String> routes,
    boolean revoked,
    long version) {

  static CachedToken of(TokenRecord record, PrincipalRef sharedPrincipal) {
    return new CachedToken(record.id(), TokenSecrets.hashBytes(record.secretHash()), sharedPrincipal,
        record.principalIncarnation(), record.expiresAt().toEpochMilli(), record.routes(), record.revoked(),
        record.version());
  }

  CachedToken revokedAt(long newVersion) {
    return new CachedToken(id, secretHash, principal, principalIncarnation, expiresAtMillis, routes, true, newVersion);
  }

  @Override
  public String toString() {
    return "CachedToken[" + id + ", " + principal + (revoked ? ", revoked" : "") + ", v" + version + "]";
  }
}
