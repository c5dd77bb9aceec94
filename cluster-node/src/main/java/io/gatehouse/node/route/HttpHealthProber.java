package io.gatehouse.node.route;

import io.gatehouse.persistence.route.HealthProber;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Active health checks over HTTP: a 2xx or 3xx answer to {@code GET <healthPath>} in time is healthy. */
public final class HttpHealthProber implements HealthProber {
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @Override
  public CompletionStage<Outcome> probe(String address, String path, Duration timeout) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create("http://" + address + path))
          .timeout(timeout)
          .header("User-Agent", "gatehouse-health-check")
          .GET()
          .build();
    } catch (IllegalArgumentException e) {
      return java.util.concurrent.CompletableFuture.completedFuture(new Outcome(false, "bad address: " + address));
    }
    return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle((response, failure) -> {
          if (failure != null) {
            return new Outcome(false, failure.getClass().getSimpleName());
          }
          int status = response.statusCode();
          return new Outcome(status >= 200 && status < 400, "HTTP " + status);
        });
  }
}
