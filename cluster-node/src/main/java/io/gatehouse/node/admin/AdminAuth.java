package io.gatehouse.node.admin;

import io.gatehouse.node.metrics.GatewayMetrics;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authentication of the admin API: a bearer token that the node's {@link TokenCache} accepts.
 * Missing or invalid token: 401 with the challenge, before anything else about the request is
 * looked at. Most calls then need an admin principal (else 403); registrations also admit a
 * service account with {@code canRegister}.
 */
final class AdminAuth extends AdminDirectives {
  private static final String BEARER = "bearer ";

  private final TokenCache tokens;
  private final LastUsedRecorder lastUsed;
  private final GatewayMetrics metrics;
  private final String node;

  AdminAuth(TokenCache tokens, LastUsedRecorder lastUsed, GatewayMetrics metrics, String node) {
    this.tokens = tokens;
    this.lastUsed = lastUsed;
    this.metrics = metrics;
    this.node = node;
  }

  /** Any valid token; {@code inner} decides what the caller may do. */
  Route caller(Function<AdminCaller, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<String> raw = header.flatMap(AdminAuth::bearer);
      if (raw.isEmpty()) {
        return complete(Responses.unauthorized("an admin bearer token is required (Authorization: Bearer gth_...)", null));
      }
      return onComplete(tokens.validate(raw.get()), result -> {
        if (result.isFailure()) {
          return complete(Failures.toResponse(result.failed().get()));
        }
        TokenValidation validation = result.get();
        metrics.validation(validation);
        if (validation instanceof TokenValidation.Invalid invalid) {
          return complete(Responses.unauthorized(invalid.reason()));
        }
        TokenValidation.Valid valid = (TokenValidation.Valid) validation;
        lastUsed.used(valid.tokenId());
        return inner.apply(new AdminCaller(valid.principal(), valid.tokenId(), node, valid.admin(), valid.canRegister()));
      });
    });
  }

  /** Only an admin principal gets past this: anyone else gets 403. */
  Route admin(AdminCaller caller, java.util.function.Supplier<Route> inner) {
    if (!caller.admin()) {
      return complete(Responses.error(ErrorCode.FORBIDDEN,
          caller.principal().display() + " is not an admin; the admin API needs an admin principal"));
    }
    return inner.get();
  }

  /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive). */
  static Optional<String> bearer(String header) {
    if (header.length() > BEARER.length() && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.of(header.substring(BEARER.length()).trim());
    }
    return Optional.empty();
  }
}
