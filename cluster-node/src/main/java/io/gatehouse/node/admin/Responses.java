package io.gatehouse.node.admin;

import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.ApiJson;
import io.gatehouse.protocol.api.ErrorJson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** Admin API responses: JSON bodies, and API.md's error body for every 4xx and 5xx. */
final class Responses {
  private Responses() {}

  static HttpResponse json(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ApiJson.write(body)));
  }

  static HttpResponse ok(Object body) {
    return json(StatusCodes.OK, body);
  }

  static HttpResponse created(Object body) {
    return json(StatusCodes.CREATED, body);
  }

  static HttpResponse noContent() {
    return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
  }

  static HttpResponse error(ErrorCode code, String message) {
    return json(StatusCodes.get(code.status()), new ErrorJson(code.code(), message));
  }

  static HttpResponse error(Rejection rejection) {
    return error(rejection.code(), rejection.getMessage());
  }

  static HttpResponse invalid(String field, String problem) {
    return error(ErrorCode.INVALID_REQUEST, field + ": " + problem);
  }

  static HttpResponse notFound(String message) {
    return error(ErrorCode.NOT_FOUND, message);
  }

  /** 401 with the {@code WWW-Authenticate} challenge of API.md. */
  static HttpResponse unauthorized(String message, String description) {
    String challenge = "Bearer realm=\"gatehouse\", error=\"invalid_token\""
        + (description == null ? "" : ", error_description=\"" + description + "\"");
    return error(ErrorCode.INVALID_TOKEN, message).addHeader(RawHeader.create("WWW-Authenticate", challenge));
  }

  static HttpResponse unauthorized(TokenValidation.Reason reason) {
    String message = switch (reason) {
      case MALFORMED -> "the bearer token is not a Gatehouse token";
      case UNKNOWN -> "the bearer token is not known";
      case EXPIRED -> "the bearer token has expired";
      case REVOKED -> "the bearer token has been revoked";
      case PRINCIPAL_DELETED -> "the bearer token's principal has been deleted";
    };
    return unauthorized(message, reason.description());
  }
}
