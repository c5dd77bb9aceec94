package io.gatehouse.node.token;

import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.TokenId;
import java.util.List;

/** The answer to "may this bearer token be used?": who it grants access as, or precisely why not. */
public sealed interface TokenValidation permits TokenValidation.Valid, TokenValidation.Invalid {

  /**
   * A usable token.
   *
   * @param groups the principal's groups now (not when the token was issued)
   * @param routes null when the token is not limited to routes
   */
  record Valid(
      TokenId tokenId, PrincipalRef principal, List<String> groups, boolean admin, boolean canRegister,
      List<String> routes) implements TokenValidation {}

  record Invalid(Reason reason) implements TokenValidation {}

  enum Reason {
    /** Not of the token syntax; refused without any lookup. */
    MALFORMED("malformed", null),
    /** No such token, or the secret does not match (the two are not told apart). */
    UNKNOWN("unknown", null),
    EXPIRED("expired", "token expired"),
    REVOKED("revoked", "token revoked"),
    /** The token's user or service account was deleted. */
    PRINCIPAL_DELETED("principal_deleted", "principal deleted");

    private final String label;
    private final String description;

    Reason(String label, String description) {
      this.label = label;
      this.description = description;
    }

    /** For metrics and logs. */
    public String label() {
      return label;
    }

    /** The {@code error_description} of the 401's WWW-Authenticate header, or null for none. */
    public String description() {
      return description;
    }

    private final Invalid invalid = new Invalid(this);

    public Invalid invalid() {
      return invalid;
    }
  }
}
