package io.gatehouse.ops.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The admin API ({@code /api/v1}) as the CLI uses it: JSON in, JSON out, and every refusal a
 * {@link CliFailure} (exit 1) carrying the gateway's own message, e.g. "gatehouse: 409 conflict:
 * a user named 'alice' exists".
 */
final class AdminApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final Connection connection;

  AdminApi(Connection connection) {
    this.connection = connection;
  }

  Connection connection() {
    return connection;
  }

  JsonNode get(String path) {
    return send("GET", path, null);
  }

  JsonNode post(String path, JsonNode body) {
    return send("POST", path, body);
  }

  JsonNode put(String path, JsonNode body) {
    return send("PUT", path, body);
  }

  JsonNode delete(String path) {
    return send("DELETE", path, null);
  }

  /** One path segment, encoded (a name or an id given on the command line). */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A POST to the data plane ({@code /_gatehouse/...}) with the same token, answered and refused alike. */
  JsonNode gatewayPost(String path, JsonNode body) {
    return send(connection.gateway() + path, "the gateway at " + connection.gateway(), "POST", body);
  }

  /** Sends one call; answers its JSON body ({@link MissingNode} for none, as a 204 has). */
  JsonNode send(String method, String path, JsonNode body) {
    return send(connection.url() + "/api/v1" + path, "the admin API at " + connection.url(), method, body);
  }

  private JsonNode send(String uri, String where, String method, JsonNode body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT)
        .header("Authorization", "Bearer " + connection.token())
        .header("Accept", "application/json");
    try {
      if (body != null) {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<String> r = connection.client().send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode answer = parse(r.body());
      if (r.statusCode() >= 400) {
        throw refusal(r.statusCode(), answer);
      }
      return answer;
    } catch (IOException e) {
      throw CliFailure.refused("cannot reach " + where + ": " + describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliFailure.refused("interrupted");
    }
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return MissingNode.getInstance();
    }
  }

  private static CliFailure refusal(int status, JsonNode error) {
    String code = error.path("error").asText("");
    String message = error.path("message").asText("");
    if (code.isEmpty() && message.isEmpty()) {
      return CliFailure.refused(status, "the admin API answered " + status);
    }
    return CliFailure.refused(status, status + " " + code + ": " + message);
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
