package io.gatehouse.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.browser.SessionCookie;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The header rules of the proxy, one at a time, on headers built by hand. */
class HeadersTest {
  private static HttpHeaders request(String... pairs) {
    HttpHeaders h = Headers.REQUEST_HEADERS.newHeaders();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      h.add(pairs[i], pairs[i + 1]);
    }
    return h;
  }

  private static void toInstance(HttpHeaders h) {
    Headers.toUpstream(h, false, "10.0.0.1:8000", "192.0.2.7", "https", "req-1", "user:alice", "tok_1", "/llm");
  }

  @Test
  void theInstanceGetsTheGatewaysOwnHeadersAndNoneOfTheClients() {
    HttpHeaders h = request("Host", "gw.test", "Authorization", "Bearer gth_x", "X-Gatehouse-Principal", "user:root",
        "X-Forwarded-For", "6.6.6.6", "Forwarded", "for=6.6.6.6", "Accept", "application/json");

    toInstance(h);

    assertThat(h.get("Host")).isEqualTo("10.0.0.1:8000");
    assertThat(h.contains("Authorization")).isFalse();
    assertThat(h.getAll("X-Gatehouse-Principal")).containsExactly("user:alice");
    assertThat(h.getAll("X-Forwarded-For")).containsExactly("192.0.2.7");
    assertThat(h.get("X-Forwarded-Proto")).isEqualTo("https");
    assertThat(h.get("X-Forwarded-Host")).isEqualTo("gw.test");
    assertThat(h.get("X-Forwarded-Prefix")).isEqualTo("/llm");
    assertThat(h.contains("Forwarded")).isFalse();
    assertThat(h.get("Accept")).isEqualTo("application/json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"X_Gatehouse_Principal", "x_gatehouse_token_id", "X-Gatehouse_Route", "X_FORWARDED_FOR",
      "x-forwarded_host", "FORWARDED", "X_Request_Id"})
  void aClientHeaderSpelledWithUnderscoresCannotPassForTheGateways(String name) {
    HttpHeaders h = request(name, "forged", "X-Custom_Header", "kept");

    toInstance(h);

    assertThat(h.contains(name)).isFalse();
    assertThat(h.get("X-Custom_Header")).isEqualTo("kept");
  }

  @Test
  void hopByHopHeadersAndThoseTheClientNamedInConnectionGo() {
    HttpHeaders h = request("Connection", "keep-alive, X-Secret", "X-Secret", "s", "Keep-Alive", "timeout=5",
        "Proxy-Authorization", "Basic x", "Upgrade", "h2c", "Expect", "100-continue", "TE", "trailers");

    toInstance(h);

    assertThat(h.names()).doesNotContain("X-Secret", "Keep-Alive", "Proxy-Authorization", "Upgrade", "Expect");
    assertThat(h.get("TE")).as("gRPC's TE: trailers passes").isEqualTo("trailers");
  }

  @Test
  void theGatewaysCookieGoesAndTheAppsStay() {
    HttpHeaders h = request("Cookie", "theme=dark; gatehouse_session=abc_def; lang=en", "Cookie",
        "Gatehouse_Session=x");

    toInstance(h);

    assertThat(h.getAll("Cookie")).containsExactly("theme=dark; lang=en");
  }

  @Test
  void anInstanceSetsNoSpellingOfTheGatewaysCookieAndItsOwnCookiesGetTheRoutesPath() {
    HttpHeaders h = request();
    for (String c : List.of("app=1; Path=/", "gatehouse_session=x", "gatehouse_session =x", "GATEHOUSE_SESSION=x",
        "__Host-gatehouse_session=x; Secure", "=gatehouse_session=x", "gatehouse_session", "=x")) {
      h.add("Set-Cookie", c);
    }

    Headers.rewriteForClient(h, new Headers.ClientView("10.0.0.1:8000", "/app", "https", "gw.test"));

    assertThat(h.getAll("Set-Cookie")).containsExactly("app=1; Path=/app/");
  }

  @Test
  void redirectsToTheInstanceOrToABarePathGoToTheGatewaysUrl() {
    Headers.ClientView view = new Headers.ClientView("10.0.0.1:8000", "/app", "https", "gw.test");

    assertThat(Headers.location("http://10.0.0.1:8000/login?x=1", view)).isEqualTo("https://gw.test/app/login?x=1");
    assertThat(Headers.location("/login", view)).isEqualTo("/app/login");
    assertThat(Headers.location("/app/already", view)).isEqualTo("/app/already");
    assertThat(Headers.location("//evil.example/x", view)).isEqualTo("//evil.example/x");
    assertThat(Headers.location("https://elsewhere.example/", view)).isEqualTo("https://elsewhere.example/");
  }

  @Test
  void aCookieHeaderIsReadForEveryValueOfOurs() {
    assertThat(SessionCookie.find(List.of("a=1; gatehouse_session=one", "gatehouse_session=two"))).containsExactly("one",
        "two");
    assertThat(SessionCookie.sessions(List.of("S1ssionIdOfTwentyTwoCh_" + "A".repeat(43) + ".nonsense")))
        .hasSize(1);
  }
}
