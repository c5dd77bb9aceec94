package io.gatehouse.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A client of one node's admin API, over a real socket, as a user's script would be. */
public final class AdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  public AdminClient(int port, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  public AdminClient as(String otherToken) {
    return new AdminClient(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherToken);
  }

  /** An answer: status, one header lookup, and the body parsed as JSON (null when empty). */
  public record Reply(int status, JsonNode json, String body, HttpResponse<String> raw) {
    public Optional<String> header(String name) {
      return raw.headers().firstValue(name);
    }

    public String error() {
      return json == null ? null : json.path("error").asText(null);
    }

    public String message() {
      return json == null ? null : json.path("message").asText(null);
    }
  }

  public Reply get(String path) {
    return send("GET", path, null);
  }

  public Reply post(String path, String body) {
    return send("POST", path, body);
  }

  public Reply put(String path, String body) {
    return send("PUT", path, body);
  }

  public Reply delete(String path) {
    return send("DELETE", path, null);
  }

  public Reply send(String method, String path, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      boolean isJson = response.headers().firstValue("Content-Type").map(t -> t.contains("json")).orElse(false);
      JsonNode json = response.body().isEmpty() || !isJson ? null : JSON.readTree(response.body());
      return new Reply(response.statusCode(), json, response.body(), response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static String json(String template, Object... args) {
    return template.formatted(args).replace('\'', '"');
  }
}
