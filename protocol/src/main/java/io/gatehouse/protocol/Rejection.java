package io.gatehouse.protocol;

/**
 * A domain refusal with its API.md error code, e.g. a duplicate name ({@code conflict}) or a
 * principal that does not exist ({@code invalid_request}).
 *
 * <p>Entities answer refusals with {@code StatusReply.error(rejection.wireText())}: a plain string
 * survives remoting with no extra serializer, and {@link #fromWireText} restores the code on the
 * asking node, in one place.
 */
public final class Rejection extends RuntimeException {
  private static final String SEPARATOR = ": ";
  private final ErrorCode code;

  public Rejection(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  public static Rejection invalid(String field, String problem) {
    return new Rejection(ErrorCode.INVALID_REQUEST, field + ": " + problem);
  }

  public static Rejection notFound(String message) {
    return new Rejection(ErrorCode.NOT_FOUND, message);
  }

  public static Rejection forbidden(String message) {
    return new Rejection(ErrorCode.FORBIDDEN, message);
  }

  public static Rejection conflict(String message) {
    return new Rejection(ErrorCode.CONFLICT, message);
  }

  public String wireText() {
    return code.code() + SEPARATOR + getMessage();
  }

  /** Reads back {@link #wireText()}; any other text becomes an internal error. */
  public static Rejection fromWireText(String text) {
    int at = text == null ? -1 : text.indexOf(SEPARATOR);
    if (at > 0) {
      try {
        return new Rejection(ErrorCode.fromCode(text.substring(0, at)), text.substring(at + SEPARATOR.length()));
      } catch (IllegalArgumentException notOurs) {
        // fall through
      }
    }
    return new Rejection(ErrorCode.INTERNAL, "internal error");
  }
}
