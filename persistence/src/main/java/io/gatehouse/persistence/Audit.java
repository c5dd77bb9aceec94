package io.gatehouse.persistence;

import io.gatehouse.protocol.CborSerializable;
import java.time.Instant;

/**
 * Who did it, when and through which node: carried by every persisted event, so the journal is
 * the audit trail and the audit table is only a projection of it.
 *
 * @param actor {@code user:alice}, {@code service-account:gatehouse-admin} or {@code system}
 * @param node the cluster address of the node that accepted the command
 */
public record Audit(String actor, Instant at, String node) implements CborSerializable {
  public static final String SYSTEM = "system";
}
