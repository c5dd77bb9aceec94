package io.gatehouse.protocol;

/** A user or service account by name, as it appears in tokens and audit records. */
public record PrincipalRef(PrincipalType type, Name name) implements CborSerializable {
  public PrincipalRef {
    if (type == null) {
      throw new FieldError("type", "is required (user or service-account)");
    }
    if (name == null) {
      throw new FieldError("name", "is required");
    }
  }

  public static PrincipalRef user(String name) {
    return new PrincipalRef(PrincipalType.USER, Name.of(name));
  }

  public static PrincipalRef serviceAccount(String name) {
    return new PrincipalRef(PrincipalType.SERVICE_ACCOUNT, Name.of(name));
  }

  /** {@code user:alice} or {@code service-account:partner-acme}: the form used in logs and audit. */
  public String display() {
    return type.wire() + ":" + name.value();
  }

  @Override
  public String toString() {
    return display();
  }
}
