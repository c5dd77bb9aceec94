package io.gatehouse.node.browser;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.LogRecorder;
import io.gatehouse.node.testing.RawHttp;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import io.gatehouse.persistence.testing.FreePorts;
import io.gatehouse.persistence.testing.MutableClock;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Browser sessions (API.md "Browser sessions") on two nodes: links, codes, the cookie, the
 * sign-in page, sign-out, and what a session may and may not do. Each security rule has a test
 * of its own. The upstreams are the probe and Python's http.server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserSessionsTest {
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  private final MutableClock clock = MutableClock.ticking();
  private TestCluster cluster;
  private Gateway a;
  private Gateway b;
  private String team;
  private String project;
  private Process python;
  private int pythonPort;

  @BeforeAll
  void start() throws Exception {
    cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase(), 2, clock);
    a = cluster.a();
    b = cluster.b();
    team = a.group();
    project = a.project(List.of(team), List.of());
    pythonPort = FreePorts.allocate(1)[0];
    python = new ProcessBuilder("python3", Path.of("src/test/resources/upstreams/echo_upstream.py").toAbsolutePath()
        .toString(), String.valueOf(pythonPort)).redirectErrorStream(true).start();
    assertThat(new String(python.getInputStream().readNBytes(9))).isEqualTo("listening");
  }

  @AfterAll
  void stop() {
    python.destroy();
    cluster.close();
  }

  /** A browser route on the probe (or on the Python upstream, with {@code fields} of the route). */
  private String browserRoute(String group, String fields, int port) {
    String route = a.route(json("'allowedGroups':['%s'],'browser':true,'healthCheck':{'intervalSeconds':1}%s",
        group, fields));
    a.register(route, port, project);
    a.awaitHealthy(route, 1);
    b.awaitHealthy(route, 1);
    return route;
  }

  private String browserRoute() {
    return browserRoute(team, "", a.probe(Gateway.unique("app")).port());
  }

  private HttpResponse<String> post(Gateway node, String path, String body, String... headers) {
    return node.send("POST", path, null, body, headers);
  }

  /** A browser link for {@code token} to {@code next} on {@code route}, made through {@code node}. */
  private HttpResponse<String> link(Gateway node, String token, String route, String next) {
    var body = JSON.createObjectNode().put("route", route);
    if (next != null) {
      body.put("next", next);
    }
    return node.send("POST", "/_gatehouse/browser-links", token, body.toString());
  }

  private String linkUrl(String token, String route, String next) {
    HttpResponse<String> r = link(a, token, route, next);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Gateway.body(r).path("url").asText();
  }

  /** Opens a link (no redirect followed), through {@code node}. */
  private HttpResponse<String> open(Gateway node, String url) throws Exception {
    URI u = URI.create(url);
    return node.http().send(HttpRequest.newBuilder(URI.create(node.base() + u.getRawPath() + "?" + u.getRawQuery()))
        .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String cookie(HttpResponse<String> r) {
    String set = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("gatehouse_session="))
        .findFirst().orElseThrow(() -> new AssertionError("no session cookie in " + r.headers().map()));
    return set.substring(0, set.indexOf(';'));
  }

  /** A signed-in browser's cookie for a new user of {@code team} on {@code route}. */
  private String signedIn(String route) throws Exception {
    return cookie(open(a, linkUrl(a.userToken(a.user(team)).secret(), route, null)));
  }

  // ---- links and codes ---------------------------------------------------------------------

  @Test
  void aLinkSignsTheBrowserInWithAHostOnlyHttpOnlyCookieAndSendsItOn() throws Exception {
    String route = browserRoute();
    Gateway.Token token = a.userToken(a.user(team));
    HttpResponse<String> made = link(a, token.secret(), route, "/" + route + "/tree?x=1");
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    String url = Gateway.body(made).path("url").asText();
    assertThat(url).startsWith("http://127.0.0.1:" + a.node.httpPort() + "/_gatehouse/signin?code=")
        .doesNotContain(token.secret());
    assertThat(Gateway.body(made).path("expiresAt").asText()).isNotBlank();

    HttpResponse<String> opened = open(b, url);

    assertThat(opened.statusCode()).isEqualTo(303);
    assertThat(opened.headers().firstValue("Location").orElse("")).contains("/" + route + "/tree?x=1");
    String set = opened.headers().allValues("Set-Cookie").get(0);
    assertThat(set).startsWith("gatehouse_session=").contains("; Path=/", "; HttpOnly", "; SameSite=Lax")
        .doesNotContainIgnoringCase("domain").doesNotContain("Secure").doesNotContain(token.secret());
    HttpResponse<String> page = b.get("/" + route + "/tree", null, "Cookie", cookie(opened));
    assertThat(Gateway.answeredBy(page)).startsWith("app");
  }

  @Test
  void aCodeIsGoodOnceAndUsedOrExpiredSetsNothing() throws Exception {
    String route = browserRoute();
    String token = a.userToken(a.user(team)).secret();
    String url = linkUrl(token, route, null);
    assertThat(open(a, url).statusCode()).isEqualTo(303);

    HttpResponse<String> again = open(b, url);
    String late = linkUrl(token, route, null);
    clock.advance(Duration.ofSeconds(61));
    HttpResponse<String> expired = open(a, late);
    clock.advance(Duration.ofSeconds(-61));

    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(again.body()).contains("used already");
    assertThat(expired.statusCode()).isEqualTo(400);
    assertThat(expired.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(expired.body()).contains("expired");
  }

  @ParameterizedTest
  @ValueSource(strings = {"//evil.example", "https://evil.example", "/\\evil.example", "/\\/evil.example",
      "evil.example", "/%2F%2Fevil.example", "/elsewhere/x"})
  void nextMustBeAPathOnTheRouteSoALinkCannotRedirectAnywhereElse(String next) {
    String route = browserRoute();

    HttpResponse<String> r = link(a, a.userToken(a.user(team)).secret(), route, next);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(Gateway.body(r).path("message").asText()).startsWith("next:");
  }

  @Test
  void aLinkIsForBrowserRoutesThatTheTokenMayUse() {
    String plain = a.route(json("'allowedGroups':['%s']", team));
    String browser = browserRoute();
    String outsider = a.userToken(a.user(a.group())).secret();

    assertThat(link(a, a.userToken(a.user(team)).secret(), plain, null).statusCode()).isEqualTo(400);
    assertThat(link(a, outsider, browser, null).statusCode()).isEqualTo(403);
    assertThat(link(a, null, browser, null).statusCode()).isEqualTo(401);
    assertThat(link(a, "gth_Unknown00_" + "x".repeat(43), browser, null).statusCode()).isEqualTo(401);
  }

  // ---- what a session may do ---------------------------------------------------------------

  @Test
  void theGatewaysCookieNeverReachesTheInstanceAndTheAppsOwnCookiesDo() throws Exception {
    String route = browserRoute();
    String cookie = signedIn(route);

    HttpResponse<String> r = a.get("/" + route + "/x", null, "Cookie", "theme=dark; " + cookie + "; lang=en");

    JsonNode headers = Gateway.body(r).path("headers");
    assertThat(headers.path("cookie").asText()).isEqualTo("theme=dark; lang=en");
    assertThat(r.body()).doesNotContain("gatehouse_session").doesNotContain(cookie.substring(18));
    assertThat(headers.has("authorization")).isFalse();
    assertThat(headers.path("x-gatehouse-principal").asText()).startsWith("user:");
  }

  @Test
  void aSessionIsGoodOnItsOwnRouteOnlyEvenWhereItsPrincipalMayGo() throws Exception {
    String mine = browserRoute();
    String also = browserRoute();
    String theirs = browserRoute(a.group(), "", a.probe(Gateway.unique("vault")).port());
    String cookie = signedIn(mine);

    assertThat(a.get("/" + mine + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(200);
    HttpResponse<String> onAlso = a.get("/" + also + "/x", null, "Cookie", cookie);
    assertThat(onAlso.statusCode()).isEqualTo(401);
    assertThat(Gateway.body(onAlso).path("message").asText()).contains("another route");
    assertThat(a.get("/" + also + "/x", null, "Cookie", cookie, "Accept", "text/html").statusCode())
        .as("a browser is sent to sign in to it").isEqualTo(303);
    assertThat(a.get("/" + theirs + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void aCookieCountsOnBrowserRoutesOnly() throws Exception {
    String plain = a.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
    a.register(plain, a.probe(Gateway.unique("api")).port(), project);
    a.awaitHealthy(plain, 1);
    String cookie = signedIn(browserRoute());

    assertThat(a.get("/" + plain + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(401);
  }

  @Test
  void aCrossOriginRequestThatChangesStateIsRefusedAndASameOriginOneIsNot() throws Exception {
    String route = browserRoute();
    String cookie = signedIn(route);
    String own = "http://127.0.0.1:" + a.node.httpPort();

    HttpResponse<String> foreign = post(a, "/" + route + "/x", "{}", "Cookie", cookie, "Origin", "http://evil.example");
    HttpResponse<String> same = post(a, "/" + route + "/x", "{}", "Cookie", cookie, "Origin", own);
    HttpResponse<String> read = a.get("/" + route + "/x", null, "Cookie", cookie, "Origin", "http://evil.example");

    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(Gateway.body(foreign).path("error").asText()).isEqualTo("forbidden");
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(read.statusCode()).isEqualTo(200);
  }

  /** A WebSocket upgrade (the probe echoes WebSockets) carrying the cookie and {@code origin}. */
  private int upgrade(String route, String cookie, String origin) throws Exception {
    try (var s = new java.net.Socket("127.0.0.1", a.node.httpPort())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(("GET /" + route + "/ws HTTP/1.1\r\nHost: 127.0.0.1:" + a.node.httpPort()
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nCookie: " + cookie + "\r\nOrigin: " + origin
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          StandardCharsets.US_ASCII)).readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  void aWebSocketUpgradeWithTheCookieFromAnotherOriginIsRefused() throws Exception {
    String route = browserRoute();
    String cookie = signedIn(route);
    String own = "http://127.0.0.1:" + a.node.httpPort();

    assertThat(upgrade(route, cookie, "http://evil.example")).as("cross-site WebSocket hijacking").isEqualTo(403);
    assertThat(upgrade(route, cookie, "http://lab.127.0.0.1:" + a.node.httpPort())).as("a sibling").isEqualTo(403);
    assertThat(upgrade(route, cookie, own)).isEqualTo(101);
  }

  @Test
  void anInstanceCannotSetTheGatewaysCookieInAnySpelling() throws Exception {
    String route = browserRoute(team, ",'stripPrefix':true", pythonPort);
    String cookie = signedIn(route);

    HttpResponse<String> r = a.get("/" + route + "/cookies", null, "Cookie", cookie);

    assertThat(r.headers().allValues("Set-Cookie")).containsExactly("app_session=abc; Path=/" + route + "/; HttpOnly");
  }

  @Test
  void theSignInFormSendsNowhereButAPathOnABrowserRouteOfThisHost() throws Exception {
    String route = browserRoute();
    String token = URLEncoder.encode(a.userToken(a.user(team)).secret(), StandardCharsets.UTF_8);
    for (String next : List.of("//evil.example/x", "https://evil.example/x", "/\\evil.example", "/nowhere/x",
        "%2F%2Fevil.example")) {
      HttpResponse<String> r = post(a, "/_gatehouse/signin", "token=" + token + "&next=" + next,
          "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html");
      assertThat(r.statusCode()).as(next).isIn(400, 404);
      assertThat(r.headers().firstValue("Location")).as(next).isEmpty();
      assertThat(r.headers().allValues("Set-Cookie")).as(next).isEmpty();
    }
  }

  @Test
  void aMalformedPercentEncodingOnTheSignInEndpointIsA400() {
    RawHttp.Response code = RawHttp.send(a.node.httpPort(), "GET /_gatehouse/signin?code=%ZZ HTTP/1.1\r\nHost: x");
    HttpResponse<String> form = post(a, "/_gatehouse/signin", "token=%ZZ&next=/x",
        "Content-Type", "application/x-www-form-urlencoded");

    assertThat(code.status()).isEqualTo(400);
    assertThat(code.body()).contains("\"error\":\"invalid_request\"");
    assertThat(form.statusCode()).isEqualTo(400);
    assertThat(Gateway.body(form).path("error").asText()).isEqualTo("invalid_request");
  }

  @Test
  void aSignOutEndsOnlyTheSessionWhoseSecretItCarries() throws Exception {
    String route = browserRoute();
    String cookie = signedIn(route);
    String id = cookie.substring("gatehouse_session=".length(), cookie.indexOf('_', "gatehouse_session=".length()));
    String forged = "gatehouse_session=" + id + "_" + "A".repeat(43);

    HttpResponse<String> out = post(a, "/_gatehouse/signout", "", "Cookie", forged);

    assertThat(out.statusCode()).isEqualTo(204);
    assertThat(a.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(200);
    assertThat(b.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(200);
  }

  @Test
  void takingThePersonOutOfTheRoutesGroupsEndsTheSessionForGood() throws Exception {
    String route = browserRoute();
    String user = a.user(team);
    String cookie = cookie(open(a, linkUrl(a.userToken(user).secret(), route, null)));
    assertThat(b.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(200);

    assertThat(a.admin.put("/api/v1/users/" + user, "{\"groups\":[]}").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(b.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isIn(401, 403));
    assertThat(a.admin.put("/api/v1/users/" + user, json("{'groups':['%s']}", team)).status()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
      assertThat(a.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(401);
      assertThat(b.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(401);
    });
  }

  @Test
  void oneCookieHoldsASessionForEachRouteOfTheHost() throws Exception {
    String first = browserRoute();
    String second = browserRoute();
    String token = a.userToken(a.user(team)).secret();
    String one = cookie(open(a, linkUrl(token, first, null)));
    URI u = URI.create(linkUrl(token, second, null));
    HttpResponse<String> again = a.http().send(HttpRequest.newBuilder(URI.create(a.base() + u.getRawPath() + "?"
        + u.getRawQuery())).header("Accept", "text/html").header("Cookie", one).build(),
        HttpResponse.BodyHandlers.ofString());
    String both = cookie(again);

    assertThat(a.get("/" + first + "/x", null, "Cookie", both).statusCode()).isEqualTo(200);
    assertThat(a.get("/" + second + "/x", null, "Cookie", both).statusCode()).isEqualTo(200);
  }

  @Test
  void aBrowserWithoutASessionIsSentToSignInAndEveryOtherClientGetsThe401() {
    String route = browserRoute();

    HttpResponse<String> browser = a.get("/" + route + "/lab?x=1", null, "Accept", "text/html,application/xhtml+xml");
    HttpResponse<String> script = a.get("/" + route + "/lab", null, "Accept", "application/json");

    assertThat(browser.statusCode()).isEqualTo(303);
    assertThat(browser.headers().firstValue("Location").orElse("")).contains(
        "/_gatehouse/signin?next=" + URLEncoder.encode("/" + route + "/lab?x=1", StandardCharsets.UTF_8));
    assertThat(script.statusCode()).isEqualTo(401);
    assertThat(script.headers().firstValue("WWW-Authenticate")).isPresent();
  }

  // ---- the sign-in page and sign-out -------------------------------------------------------

  @Test
  void aPersonSignsInByPastingATokenOnThePage() throws Exception {
    String route = browserRoute();
    String token = a.userToken(a.user(team)).secret();

    HttpResponse<String> page = a.get("/_gatehouse/signin?next=/" + route + "/lab", null, "Accept", "text/html");
    String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&next=/" + route + "/lab";
    HttpResponse<String> wrong = post(b, "/_gatehouse/signin", "token=gth_nope&next=/" + route + "/lab",
        "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html");
    HttpResponse<String> signed = post(b, "/_gatehouse/signin", form,
        "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html");

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'none'");
    assertThat(page.body()).contains("<form", "name=\"token\"", "value=\"/" + route + "/lab\"");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("not a Gatehouse token").doesNotContain("gth_nope");
    assertThat(signed.statusCode()).isEqualTo(303);
    assertThat(signed.headers().firstValue("Location").orElse("")).contains("/" + route + "/lab");
    assertThat(a.get("/" + route + "/lab", null, "Cookie", cookie(signed)).statusCode()).isEqualTo(200);
  }

  @Test
  void signingOutEndsTheSessionOnEveryNode() throws Exception {
    String route = browserRoute();
    String cookie = signedIn(route);
    assertThat(b.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(200);

    HttpResponse<String> out = post(a, "/_gatehouse/signout", "", "Cookie", cookie, "Accept", "text/html");

    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().allValues("Set-Cookie")).anySatisfy(c -> assertThat(c).contains("Max-Age=0"));
    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
      assertThat(a.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(401);
      assertThat(b.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(401);
    });
  }

  @Test
  void aSessionOfARevokedTokenIsRefusedOnEveryNodeAndABrowserIsSentToSignInAgain() throws Exception {
    String route = browserRoute();
    Gateway.Token token = a.userToken(a.user(team));
    String cookie = cookie(open(a, linkUrl(token.secret(), route, null)));
    assertThat(b.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(200);

    assertThat(a.admin.post("/api/v1/tokens/" + token.id() + "/revoke", "").status()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(a.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(401);
      assertThat(b.get("/" + route + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(401);
    });
    HttpResponse<String> browser = b.get("/" + route + "/x", null, "Cookie", cookie, "Accept", "text/html");
    assertThat(browser.statusCode()).isEqualTo(303);
    assertThat(browser.headers().firstValue("Location").orElse("")).contains("/_gatehouse/signin");
  }

  @Test
  void theTokenNeverAppearsInTheNodesLogs() throws Exception {
    String route = browserRoute();
    String token = a.userToken(a.user(team)).secret();
    open(a, linkUrl(token, route, null));
    post(a, "/_gatehouse/signin", "token=" + token + "&next=/" + route + "/", "Content-Type",
        "application/x-www-form-urlencoded");

    assertThat(LogRecorder.lines()).noneSatisfy(line -> assertThat(line).contains(token.substring(20)));
  }

  // ---- apps that know their prefix, and apps that do not -----------------------------------

  @Test
  void anAppBehindAStrippedPrefixGetsTheGatewaysUrlsInItsRedirectsAndCookies() throws Exception {
    String route = browserRoute(team, ",'stripPrefix':true", pythonPort);
    String cookie = signedIn(route);

    HttpResponse<String> own = a.get("/" + route + "/redirect-own", null, "Cookie", cookie);
    HttpResponse<String> path = a.get("/" + route + "/redirect-path", null, "Cookie", cookie);
    HttpResponse<String> cookies = a.get("/" + route + "/cookies", null, "Cookie", cookie);
    HttpResponse<String> echo = a.get("/" + route + "/echo", null, "Cookie", cookie);

    assertThat(own.headers().firstValue("Location"))
        .contains("http://127.0.0.1:" + a.node.httpPort() + "/" + route + "/landed");
    assertThat(path.headers().firstValue("Location").orElse("")).contains("/" + route + "/landed");
    assertThat(cookies.headers().allValues("Set-Cookie")).containsExactly("app_session=abc; Path=/" + route + "/; HttpOnly");
    assertThat(Gateway.body(echo).path("headers").path("x-forwarded-prefix").asText()).isEqualTo("/" + route);
  }

  @Test
  void anAppThatKnowsItsPrefixGetsTheFullPathAndNoPrefixHeader() throws Exception {
    String route = browserRoute(team, ",'stripPrefix':false", pythonPort);
    String cookie = signedIn(route);

    JsonNode echo = Gateway.body(a.get("/" + route + "/echo?x=1", null, "Cookie", cookie));

    assertThat(echo.path("path").asText()).isEqualTo("/" + route + "/echo?x=1");
    assertThat(echo.path("headers").has("x-forwarded-prefix")).isFalse();
  }

  @Test
  void anEphemeralRouteOfARegistrationCanBeABrowserRoute() throws Exception {
    ProbeServer p = a.probe(Gateway.unique("notebook"));
    String deployment = Gateway.unique("nb");
    var r = a.admin.post("/api/v1/registrations", json("{'deployment':'%s','project':'%s','address':'127.0.0.1:%d',"
        + "'namespace':'test','leaseSeconds':3600,'browser':true}", deployment, project, p.port()));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(a.admin.get("/api/v1/routes/" + deployment).json().path("browser").asBoolean()).isTrue();

    String cookie = cookie(open(a, linkUrl(a.userToken(a.user(team)).secret(), deployment, null)));

    assertThat(a.get("/deployments/" + deployment + "/x", null, "Cookie", cookie).statusCode()).isEqualTo(200);
  }
}
