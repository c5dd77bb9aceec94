package io.gatehouse.persistence;

import java.util.Map;

/** A persisted event as the audit log shows it. */
public interface Audited {
  Audit audit();

  /** For example {@code token.revoked}. */
  String auditType();

  /** For example {@code token:tok_1A2b3C4d5E6f} or {@code user:alice}. */
  String subject();

  /** What changed; never a secret or a hash. */
  Map<String, Object> detail();
}
