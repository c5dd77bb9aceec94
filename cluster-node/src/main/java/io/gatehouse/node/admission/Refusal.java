package io.gatehouse.node.admission;

import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;

/**
 * Why a request (or an exchange in progress) is not served, as a value: the API.md error code and
 * a sentence for a person. Each door renders it in its own framing (an HTTP JSON body, a gRPC
 * status, a WebSocket close), so every message and challenge is written once, here.
 *
 * @param challenge the {@code WWW-Authenticate} value of a 401, else null
 * @param retryAfterSeconds the {@code Retry-After} of a 503, else 0
 * @param signIn for a browser without credentials on a browser route: the path to come back to
 *     after signing in (HTTP doors answer 303 to the sign-in page instead of the 401), else null
 */
public record Refusal(ErrorCode code, String message, String challenge, int retryAfterSeconds, String signIn)
    implements Admission.Decision {

  public Refusal(ErrorCode code, String message, String challenge, int retryAfterSeconds) {
    this(code, message, challenge, retryAfterSeconds, null);
  }

  public static Refusal of(ErrorCode code, String message) {
    return new Refusal(code, message, null, 0);
  }

  /** The same refusal, for a browser that is to sign in and come back to {@code next}. */
  public Refusal toSignIn(String next) {
    return new Refusal(code, message, challenge, retryAfterSeconds, next);
  }

  public int status() {
    return code.status();
  }

  // ---- 401 ---------------------------------------------------------------------------------

  public static Refusal missingToken() {
    return unauthorized("a bearer token is required (Authorization: Bearer gth_...)", null);
  }

  public static Refusal severalTokens() {
    return unauthorized("send one Authorization header; this request has several", null);
  }

  public static Refusal unauthorized(TokenValidation.Reason reason) {
    String message = switch (reason) {
      case MALFORMED -> "the bearer token is not a Gatehouse token";
      case UNKNOWN -> "the bearer token is not known";
      case EXPIRED -> "the bearer token has expired";
      case REVOKED -> "the bearer token has been revoked";
      case PRINCIPAL_DELETED -> "the bearer token's principal has been deleted";
    };
    return unauthorized(message, reason.description());
  }

  private static Refusal unauthorized(String message, String description) {
    String challenge = "Bearer realm=\"gatehouse\", error=\"invalid_token\""
        + (description == null ? "" : ", error_description=\"" + description + "\"");
    return new Refusal(ErrorCode.INVALID_TOKEN, message, challenge, 0);
  }

  public static Refusal noSession(String why) {
    return unauthorized(why, null);
  }

  public static Refusal sessionEnded() {
    return unauthorized("the browser session has ended (sign in again)", null);
  }

  public static Refusal crossOrigin(String origin) {
    return of(ErrorCode.FORBIDDEN, "a request from " + origin + " may not use this route's browser session");
  }

  public static Refusal tokenCheckUnavailable() {
    return of(ErrorCode.UNAVAILABLE, "the token could not be checked right now; try again");
  }

  // ---- 400, 404, 403, 413 ------------------------------------------------------------------

  public static Refusal invalid(String what, String problem) {
    return of(ErrorCode.INVALID_REQUEST, what + ": " + problem);
  }

  public static Refusal noRoute(String path) {
    return of(ErrorCode.NOT_FOUND, "no route answers " + path);
  }

  public static Refusal routeGone(String route) {
    return of(ErrorCode.NOT_FOUND, "route '" + route + "' no longer exists");
  }

  public static Refusal forbidden(String principal, String route) {
    return of(ErrorCode.FORBIDDEN, principal + " may not use route '" + route + "'");
  }

  public static Refusal outOfScope(String route) {
    return of(ErrorCode.FORBIDDEN, "this token is limited to other routes than '" + route + "'");
  }

  public static Refusal tooLarge(String route, long limit) {
    return of(ErrorCode.PAYLOAD_TOO_LARGE, "body: larger than route '" + route + "' accepts (" + limit + " bytes)");
  }

  // ---- 503, 502, 504 -----------------------------------------------------------------------

  public static Refusal disabled(String route, int retryAfterSeconds) {
    return new Refusal(ErrorCode.UNAVAILABLE, "route '" + route + "' is disabled", null, retryAfterSeconds);
  }

  public static Refusal noHealthyInstance(String route, int retryAfterSeconds) {
    return new Refusal(ErrorCode.NO_HEALTHY_INSTANCE, "route '" + route + "' has no healthy instance right now",
        null, retryAfterSeconds);
  }

  public static Refusal upstreamUnavailable(String detail) {
    return of(ErrorCode.UPSTREAM_UNAVAILABLE, detail);
  }

  public static Refusal upstreamTimeout(String detail) {
    return of(ErrorCode.UPSTREAM_TIMEOUT, detail);
  }
}
