package io.gatehouse.node.admin;

import io.gatehouse.persistence.store.StoreException;
import io.gatehouse.persistence.token.TokenTable;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.FieldError;
import io.gatehouse.protocol.Rejection;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps every failure of an admin call to its response, in one place: a domain refusal to its
 * API.md code, a timeout or a storage failure to 503, anything else to a 500 whose body carries a
 * reference into the log and never a stack trace.
 */
final class Failures {
  private static final Logger log = LoggerFactory.getLogger(Failures.class);

  private Failures() {}

  static HttpResponse toResponse(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof Rejection r) {
      return Responses.error(r);
    }
    if (t instanceof FieldError f) {
      return Responses.invalid(f.field(), f.problem());
    }
    if (t instanceof StatusReply.ErrorMessage m) {
      Rejection r = Rejection.fromWireText(m.getMessage());
      if (r.code() == ErrorCode.INTERNAL) {
        return internal(t);
      }
      return Responses.error(r);
    }
    if (t instanceof TokenTable.BadCursor) {
      return Responses.invalid("cursor", "is not a cursor from a previous page");
    }
    if (t instanceof TimeoutException || t.getClass().getSimpleName().equals("AskTimeoutException")) {
      log.warn("admin call timed out: {}", t.toString());
      return Responses.error(ErrorCode.UNAVAILABLE, "the cluster did not answer in time; try again");
    }
    if (t instanceof StoreException) {
      log.warn("admin call failed on storage: {}", t.getMessage());
      return Responses.error(ErrorCode.UNAVAILABLE, "storage is unavailable; try again");
    }
    return internal(t);
  }

  private static HttpResponse internal(Throwable t) {
    String reference = UUID.randomUUID().toString();
    log.error("admin call failed unexpectedly (reference {})", reference, t);
    return Responses.error(ErrorCode.INTERNAL, "internal error (reference " + reference + ")");
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
