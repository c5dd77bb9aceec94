package io.gatehouse.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Who a token grants access as: a user (member of groups) or a service account (no groups). */
public enum PrincipalType {
  USER("user"),
  SERVICE_ACCOUNT("service-account");

  private final String wire;

  PrincipalType(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static PrincipalType fromWire(String wire) {
    for (PrincipalType t : values()) {
      if (t.wire.equals(wire)) {
        return t;
      }
    }
    throw new IllegalArgumentException("must be one of user, service-account");
  }
}
