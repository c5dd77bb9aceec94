package io.gatehouse.protocol.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiJsonTest {
  private static final String PRINCIPAL = "\"principal\":{\"type\":\"user\",\"name\":\"alice\"}";

  private static TokenRequests.Issue issue(String json) {
    return ApiJson.read(json.getBytes(StandardCharsets.UTF_8), TokenRequests.Issue.class);
  }

  @Test
  void readsAWellFormedTokenRequest() {
    TokenRequests.Issue req = issue("{\"label\":\"acme\",\"expiresInDays\":30," + PRINCIPAL
        + ",\"routes\":[\"llm\"],\"metadata\":{\"k\":\"v\"}}");

    assertThat(req.principal()).isEqualTo(PrincipalRef.user("alice"));
    assertThat(req.routes()).containsExactly(Name.of("llm"));
    assertThat(req.lifetimeHours(365)).isEqualTo(30 * 24);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"label\":\"x\",\"expiresInDays\":\"never\"," + PRINCIPAL + "}|expiresInDays: expected an integer",
      "{\"label\":\"x\",\"expiresInDays\":1.5," + PRINCIPAL + "}|expiresInDays: expected an integer",
      "{\"label\":\"x\",\"expiresInDays\":\"30\"," + PRINCIPAL + "}|expiresInDays: expected an integer",
      "{\"label\":5,\"expiresInDays\":3," + PRINCIPAL + "}|label: expected a string",
      "{\"expiresInDays\":3," + PRINCIPAL + "}|label: is required",
      "{\"label\":\"x\"," + PRINCIPAL + "}|expiresInDays: is required (an integer number of days)",
      "{\"label\":\"x\",\"expiresInDays\":3}|principal: is required",
      "{\"label\":\"x\",\"expiresInDays\":3,\"principal\":{\"type\":\"robot\",\"name\":\"a\"}}|principal.type: must be one of user, service-account",
      "{\"label\":\"x\",\"expiresInDays\":3,\"principal\":{\"type\":\"user\",\"name\":\"Alice\"}}|principal.name: must be 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit",
      "{\"label\":\"x\",\"expiresInDays\":3,\"principal\":{\"type\":\"user\"}}|principal.name: is required",
      "{\"label\":\"x\",\"expiresInDays\":3," + PRINCIPAL + ",\"routes\":[\"ok\",\"NOT OK\"]}|routes[1]: must be 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit",
      "{\"label\":\"x\",\"expiresInDays\":3," + PRINCIPAL + ",\"routes\":[]}|routes: must name at least one route when present",
      "{\"label\":\"x\",\"expiresInDays\":3," + PRINCIPAL + ",\"colour\":\"red\"}|colour: is not a known field",
      "{\"label\":\"x\",\"label\":\"y\",\"expiresInDays\":3," + PRINCIPAL + "}|label: appears more than once",
      "{\"label\":\"x\"|body: malformed JSON at line 1, column 13",
      "[]|body: expected a JSON object",
      "null|body: expected a JSON object, got null",
      "{\"label\":\"x\",\"expiresInDays\":3," + PRINCIPAL + "} {}|body: expected a JSON object",
      "{\"label\":\"x\",\"expiresInDays\":99999999999," + PRINCIPAL + "}|expiresInDays: is out of range",
  })
  void namesTheOffendingField(String json, String message) {
    assertThatThrownBy(() -> issue(json))
        .isInstanceOfSatisfying(Rejection.class, r -> {
          assertThat(r.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
          assertThat(r.getMessage()).isEqualTo(message);
        });
  }

  @Test
  void anEmptyBodyIsNamed() {
    assertThatThrownBy(() -> ApiJson.read(new byte[0], DirectoryRequests.CreateGroup.class))
        .hasMessage("body: is empty; expected a JSON object");
  }

  @Test
  void aPutWithoutListsMeansEmptyLists() {
    DirectoryRequests.UpdateProject p =
        ApiJson.read("{}".getBytes(StandardCharsets.UTF_8), DirectoryRequests.UpdateProject.class);

    assertThat(p.groups()).isEmpty();
    assertThat(p.serviceAccounts()).isEmpty();
  }

  @Test
  void lifetimesOutsidePolicyAreRefusedWithTheMaximum() {
    TokenRequests.Issue req = issue("{\"label\":\"x\",\"expiresInDays\":366," + PRINCIPAL + "}");

    assertThatThrownBy(() -> req.lifetimeHours(365)).hasMessage("must be an integer from 1 to 365");
    assertThat(issue("{\"label\":\"x\",\"expiresInHours\":2," + PRINCIPAL + "}").lifetimeHours(365)).isEqualTo(2);
  }

  @Test
  void writesTheSecretOnlyWhenSet() {
    TokenJson json = new TokenJson("tok_12345678", null, "l", PrincipalRef.user("a"), PrincipalRef.user("b"),
        null, null, null, null, null, null, null, java.util.Map.of());

    assertThat(new String(ApiJson.write(json), StandardCharsets.UTF_8))
        .doesNotContain("\"token\"")
        .contains("\"revokedAt\":null", "\"principal\":{\"type\":\"user\",\"name\":\"a\"}");
    assertThat(new String(ApiJson.write(json.withSecret("gth_x")), StandardCharsets.UTF_8)).contains("\"token\":\"gth_x\"");
  }
}
