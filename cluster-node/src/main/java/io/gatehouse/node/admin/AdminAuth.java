package io.gatehouse.node.admin;

import io.gatehouse.node.metrics.GatewayMetrics;
import io.gatehouse.node.token.LastUsedRecorder;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.token.Bearer;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authentication of the admin API: a bearer token that the node's {@link TokenCache} accepts.
 * Missing or invalid token: 401 with the challenge, before anything else about the request is
 * looked at. Most calls then need an admin principal (else 403); registrations also admit a
 * service account with {@code canRegister}.
 */
final class AdminAuth extends AdminDirectives {
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
    return extractRequest(request -> {
      Bearer bearer = Bearer.read(StreamSupport.stream(request.getHeaders().spliterator(), false)
          .filter(h -> h.is("authorization"))
          .map(HttpHeader::value)
          .iterator());
      if (bearer.several()) {
        return complete(Responses.refusal(Refusal.severalTokens()));
      }
      if (!bearer.present()) {
        return complete(Responses.refusal(Refusal.missingToken()));
      }
      return onComplete(tokens.validate(bearer.token()), result -> {
        if (result.isFailure()) {
          return complete(Failures.toResponse(result.failed().get()));
        }
        TokenValidation validation = result.get();
        metrics.validation(validation);
        if (validation instanceof TokenValidation.Invalid invalid) {
          return complete(Responses.refusal(Refusal.unauthorized(invalid.reason())));
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
}
