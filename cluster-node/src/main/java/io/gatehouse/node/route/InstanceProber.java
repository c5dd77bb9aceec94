package io.gatehouse.node.route;

import io.gatehouse.node.upstream.AddressPolicy;
import io.gatehouse.persistence.route.HealthProber;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Active health checks: over HTTP, a 2xx or 3xx answer to {@code GET <healthPath>} in time is
 * healthy; for a tcp instance (no health path), a connection accepted in time is. An address the
 * {@link AddressPolicy} refuses (resolved at each check) is never checked: it is unhealthy.
 */
public final class InstanceProber implements HealthProber {
  private final AddressPolicy addresses;

  public InstanceProber(AddressPolicy addresses) {
    this.addresses = addresses;
  }

  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  @Override
  public CompletionStage<Outcome> probe(String address, String path, Duration timeout) {
    return CompletableFuture.supplyAsync(() -> addresses.refusal(address), CHECKS).thenCompose(refused ->
        refused != null ? CompletableFuture.completedFuture(new Outcome(false, "refused: " + refused))
            : path == null ? connect(address, timeout) : http(address, path, timeout));
  }

  private CompletionStage<Outcome> http(String address, String path, Duration timeout) {
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create("http://" + address + path))
          .timeout(timeout)
          .header("User-Agent", "gatehouse-health-check")
          .GET()
          .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(new Outcome(false, "bad address: " + address));
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

  private static CompletionStage<Outcome> connect(String address, Duration timeout) {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(address.substring(colon + 1));
    return CompletableFuture.supplyAsync(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
        return new Outcome(true, "connected");
      } catch (IOException e) {
        return new Outcome(false, "connect: " + e.getClass().getSimpleName());
      }
    }, CHECKS);
  }

  /** Connect checks block for at most their timeout each; a few threads of their own serve them. */
  private static final java.util.concurrent.ExecutorService CHECKS = java.util.concurrent.Executors.newFixedThreadPool(4,
      r -> {
        Thread t = new Thread(r, "gatehouse-connect-check");
        t.setDaemon(true);
        return t;
      });
}
