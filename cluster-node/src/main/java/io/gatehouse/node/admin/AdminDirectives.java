package io.gatehouse.node.admin;

import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.ApiJson;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/** What every admin route class needs: strict JSON bodies of at most 1 MiB, and async answers. */
abstract class AdminDirectives extends AllDirectives {
  static final long MAX_BODY_BYTES = 1024 * 1024;
  private static final long BODY_TIMEOUT_MILLIS = 10_000;
  /**
   * A body too large is read on and dropped, up to this much and this long, before the 400: a
   * client that sends its whole body before it reads (Python's {@code requests}) then reads the
   * answer instead of a broken pipe (as nginx's lingering close does).
   */
  private static final long DRAIN_MAX_BYTES = 64L * 1024 * 1024;
  private static final java.time.Duration DRAIN_MAX_TIME = java.time.Duration.ofSeconds(30);

  /** Reads the body into {@code type}; any mistake in it is a 400 that names the field. */
  protected <T> Route body(Class<T> type, Function<T, Route> inner) {
    return extractRequestEntity(entity -> extractMaterializer(materializer -> {
      if (entity.getContentLengthOption().orElse(0L) > MAX_BODY_BYTES) {
        CompletionStage<?> drained = entity.withoutSizeLimit().getDataBytes()
            .limitWeighted(DRAIN_MAX_BYTES, b -> (long) b.size())
            .completionTimeout(DRAIN_MAX_TIME)
            .runWith(org.apache.pekko.stream.javadsl.Sink.ignore(), materializer);
        return onComplete(drained, done -> complete(Responses.invalid("body", "is larger than 1 MiB")));
      }
      return onComplete(entity.toStrict(BODY_TIMEOUT_MILLIS, MAX_BODY_BYTES, materializer), strict -> {
          if (strict.isFailure()) {
            Throwable t = Failures.unwrap(strict.failed().get());
            if (t instanceof EntityStreamSizeException) {
              return complete(Responses.invalid("body", "is larger than 1 MiB"));
            }
            return complete(Responses.invalid("body", "could not be read"));
          }
          T value;
          try {
            value = ApiJson.read(strict.get().getData().toArray(), type);
          } catch (Rejection r) {
            return complete(Responses.error(r));
          }
          return inner.apply(value);
        });
    }));
  }

  /** Completes with the answer of {@code work}, mapping any failure (thrown or async) in one place. */
  protected Route respond(Supplier<CompletionStage<HttpResponse>> work) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = work.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return onComplete(stage, result -> complete(
        result.isSuccess() ? result.get() : Failures.toResponse(result.failed().get())));
  }

  /** Runs {@code inner} with the segment as a name; a segment that is not a name cannot exist. */
  protected Route named(String segment, String what, Function<Name, Route> inner) {
    if (!Name.isValid(segment)) {
      return complete(Responses.notFound(what + " '" + segment + "' does not exist"));
    }
    return inner.apply(Name.of(segment));
  }
}
