package io.gatehouse.node.admin;

import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authentication of the admin API: a bearer token that the node's {@link TokenCache} accepts, of
 * an admin principal. Missing or invalid token: 401 with the challenge; valid but not an admin:
 * 403. Nothing else about the request is looked at before this passes.
 */
final class AdminAuth extends AdminDirectives {
  private static final String BEARER = "bearer ";

  private final TokenCache tokens;
  private final LastUsedRecorder lastUsed;
  private final String node;

  AdminAuth(TokenCache tokens, LastUsedRecorder lastUsed, String node) {
    this.tokens = tokens;
    this.lastUsed = lastUsed;
    this.node = node;
  }

  Route admin(Function<AdminCaller, Route> inner) {
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
        if (validation instanceof TokenValidation.Invalid invalid) {
          return complete(Responses.unauthorized(invalid.reason()));
        }
        TokenValidation.Valid valid = (TokenValidation.Valid) validation;
        lastUsed.used(valid.tokenId());
        if (!valid.admin()) {
          return complete(Responses.error(ErrorCode.FORBIDDEN,
              valid.principal().display() + " is not an admin; the admin API needs an admin principal"));
        }
        return inner.apply(new AdminCaller(valid.principal(), valid.tokenId(), node));
      });
    });
  }

  /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive). */
  static Optional<String> bearer(String header) {
    if (header.length() > BEARER.length() && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.of(header.substring(BEARER.length()).trim());
    }
    return Optional.empty();
  }
}
