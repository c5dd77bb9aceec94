package io.gatehouse.node.admin;

import io.gatehouse.node.admission.Refusal;
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

  /** A refusal with its status, body and headers (the 401's challenge, a 503's Retry-After). */
  static HttpResponse refusal(Refusal r) {
    HttpResponse response = error(r.code(), r.message());
    if (r.challenge() != null) {
      response = response.addHeader(RawHeader.create("WWW-Authenticate", r.challenge()));
    }
    if (r.retryAfterSeconds() > 0) {
      response = response.addHeader(RawHeader.create("Retry-After", String.valueOf(r.retryAfterSeconds())));
    }
    return response;
  }
}
