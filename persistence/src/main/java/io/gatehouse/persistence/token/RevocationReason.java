package io.gatehouse.persistence.token;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why a token was revoked: by an admin, or because its principal was deleted. */
public enum RevocationReason {
  REVOKED("revoked"),
  PRINCIPAL_DELETED("principal_deleted");

  private final String wire;

  RevocationReason(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  public static RevocationReason fromWire(String wire) {
    for (RevocationReason r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    throw new IllegalArgumentException(wire);
  }
}
