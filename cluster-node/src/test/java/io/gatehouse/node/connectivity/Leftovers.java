package io.gatehouse.node.connectivity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.testing.Gateway;
import java.util.ArrayList;
import java.util.List;

/** What a connectivity test may leave behind, read through the admin API as a user would. */
final class Leftovers {
  private Leftovers() {}

  /** Asserts that the run named {@code run} left no route, registration, account, project or active token. */
  static void noneOf(Gateway g, String run) {
    assertThat(names(g, "/api/v1/routes")).doesNotContain(run);
    assertThat(names(g, "/api/v1/service-accounts")).doesNotContain(run);
    assertThat(names(g, "/api/v1/projects")).doesNotContain(run);
    assertThat(g.admin.get("/api/v1/routes/" + run + "/instances").status()).isEqualTo(404);
    JsonNode tokens = g.admin.get("/api/v1/tokens?status=all&limit=500").json().path("items");
    List<String> statuses = new ArrayList<>();
    tokens.forEach(t -> {
      if (t.path("principal").path("name").asText().equals(run)) {
        statuses.add(t.path("status").asText());
      }
    });
    assertThat(statuses).as("the run's tokens").containsExactly("revoked");
  }

  private static List<String> names(Gateway g, String path) {
    List<String> out = new ArrayList<>();
    g.admin.get(path).json().path("items").forEach(i -> out.add(i.path("name").asText()));
    return out;
  }
}
