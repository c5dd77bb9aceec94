package io.gatehouse.protocol;

/**
 * The error codes of API.md, each with the HTTP status it travels with. Admin API and data plane
 * answer every 4xx/5xx with {@code {"error": code, "message": ...}}.
 */
public enum ErrorCode {
  INVALID_REQUEST("invalid_request", 400),
  INVALID_TOKEN("invalid_token", 401),
  FORBIDDEN("forbidden", 403),
  NOT_FOUND("not_found", 404),
  METHOD_NOT_ALLOWED("method_not_allowed", 405),
  CONFLICT("conflict", 409),
  PAYLOAD_TOO_LARGE("payload_too_large", 413),
  LIMIT_REACHED("limit_reached", 429),
  INTERNAL("internal", 500),
  UPSTREAM_UNAVAILABLE("upstream_unavailable", 502),
  NO_HEALTHY_INSTANCE("no_healthy_instance", 503),
  UNAVAILABLE("unavailable", 503),
  UPSTREAM_TIMEOUT("upstream_timeout", 504);

  private final String code;
  private final int status;

  ErrorCode(String code, int status) {
    this.code = code;
    this.status = status;
  }

  public String code() {
    return code;
  }

  public int status() {
    return status;
  }

  public static ErrorCode fromCode(String code) {
    for (ErrorCode c : values()) {
      if (c.code.equals(code)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown error code: " + code);
  }
}
