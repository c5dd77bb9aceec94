package io.gatehouse.protocol.token;

import com.fasterxml.jackson.annotation.JsonValue;

/** A token's status as listings show it. Revoked wins over expired. */
public enum TokenStatus {
  ACTIVE("active"),
  REVOKED("revoked"),
  EXPIRED("expired");

  private final String wire;

  TokenStatus(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }
}
