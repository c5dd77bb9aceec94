package io.gatehouse.protocol;

/**
 * A value that breaks its rule, raised while a request record is built. {@code field} is relative
 * to the record being built; the JSON reader prefixes the path of that record in the body.
 */
public final class FieldError extends RuntimeException {
  private final String field;

  public FieldError(String field, String problem) {
    super(problem, null, false, false);
    this.field = field;
  }

  public String field() {
    return field;
  }

  public String problem() {
    return getMessage();
  }

  public static <T> T required(T value, String field) {
    if (value == null) {
      throw new FieldError(field, "is required");
    }
    return value;
  }
}
