package io.gatehouse.node.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.gatehouse.node.metrics.EndpointsService;
import io.gatehouse.protocol.api.DirectoryJson;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/endpoints}: every route with health, uptime and traffic, and one route's
 * request volume by token and latency over time. {@code from}/{@code to} are RFC 3339 times
 * (default: the last 24 hours for the listing, the last hour for the series).
 */
final class EndpointRoutes extends AdminDirectives {
  static final int MAX_POINTS = 1440;

  private final EndpointsService endpoints;

  EndpointRoutes(EndpointsService endpoints) {
    this.endpoints = endpoints;
  }

  Route route() {
    return pathPrefix("endpoints", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> window(Duration.ofHours(24), (from, to) -> respond(() ->
            endpoints.list(from, to).thenApply(list -> Responses.ok(new DirectoryJson.Items<>(list))))))),
        pathPrefix(segment(), route -> named(route, "route", name -> concat(
            path("requests", () -> get(() -> parameterOptional("by", by -> {
              if (by.isPresent() && !by.get().equals("token")) {
                return complete(Responses.invalid("by", "must be token"));
              }
              return series((from, to, step) -> respond(() -> endpoints.requestsByToken(name.value(), from, to, step)
                  .thenApply(found -> found.map(Responses::ok).orElseGet(() -> unknown(name.value())))));
            }))),
            path("latency", () -> get(() -> series((from, to, step) -> respond(() ->
                endpoints.latency(name.value(), from, to, step)
                    .thenApply(found -> found.map(Responses::ok).orElseGet(() -> unknown(name.value()))))))))))));
  }

  private static org.apache.pekko.http.javadsl.model.HttpResponse unknown(String route) {
    return Responses.notFound("no route " + route + " and no requests for it in this window");
  }

  interface Window {
    Route apply(Instant from, Instant to);
  }

  interface SeriesWindow {
    Route apply(Instant from, Instant to, int stepSeconds);
  }

  private Route window(Duration defaultSpan, Window inner) {
    return parameterOptional("from", fromText -> parameterOptional("to", toText -> {
      Instant to;
      Instant from;
      try {
        to = toText.map(Instant::parse).orElse(endpoints.clock().instant());
      } catch (DateTimeParseException e) {
        return complete(Responses.invalid("to", "must be an RFC 3339 time, e.g. 2026-11-26T12:00:00Z"));
      }
      try {
        from = fromText.map(Instant::parse).orElse(to.minus(defaultSpan));
      } catch (DateTimeParseException e) {
        return complete(Responses.invalid("from", "must be an RFC 3339 time, e.g. 2026-11-26T11:00:00Z"));
      }
      if (!from.isBefore(to)) {
        return complete(Responses.invalid("from", "must be before to"));
      }
      return inner.apply(from, to);
    }));
  }

  private Route series(SeriesWindow inner) {
    return window(Duration.ofHours(1), (from, to) -> parameterOptional("stepSeconds", stepText -> {
      Optional<Integer> step = stepText.map(EndpointRoutes::integer).orElse(Optional.of(60));
      if (step.isEmpty() || step.get() < 60 || step.get() % 60 != 0) {
        return complete(Responses.invalid("stepSeconds", "must be a whole number of minutes in seconds (60, 300, ...)"));
      }
      if (Duration.between(from, to).toSeconds() / step.get() > MAX_POINTS) {
        return complete(Responses.invalid("stepSeconds", "gives more than " + MAX_POINTS + " points; take a longer step"));
      }
      return inner.apply(from, to, step.get());
    }));
  }

  private static Optional<Integer> integer(String text) {
    try {
      return Optional.of(Integer.parseInt(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
