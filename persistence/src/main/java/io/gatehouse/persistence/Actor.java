package io.gatehouse.persistence;

import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.PrincipalRef;
import java.time.Instant;

/**
 * The caller of a command as entities record it: the principal's display form (or
 * {@code system}) and the node that took the call. The entity adds the time.
 */
public record Actor(String who, String node) implements CborSerializable {
  public static Actor of(PrincipalRef principal, String node) {
    return new Actor(principal.display(), node);
  }

  public static Actor system(String node) {
    return new Actor(Audit.SYSTEM, node);
  }

  public Audit at(Instant time) {
    return new Audit(who, time, node);
  }
}
