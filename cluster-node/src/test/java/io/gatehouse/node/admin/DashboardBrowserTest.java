package io.gatehouse.node.admin;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.AdminClient;
import io.gatehouse.node.testing.Chromium;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless Chromium driven through its chromedriver
 * (both from the packages {@code chromium} and {@code chromium-driver}, which {@code .ci/run}
 * installs), against a node with known traffic on one route. Screenshots land in
 * {@code cluster-node/target/dashboard/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

  @TempDir
  static Path data;
  @TempDir
  static Path profile;

  private Gateway gateway;
  private Chromium chromium;
  private ChromeDriver browser;
  private WebDriverWait wait;
  private String route;
  private String browserRoute;
  private String alphaLabel;
  private String betaLabel;
  private String partner;

  @BeforeAll
  void start() throws IOException {
    gateway = new Gateway(TestNodes.h2(data));
    String team = gateway.group();
    String project = gateway.project(List.of(team), List.of());
    partner = gateway.serviceAccount();
    alphaLabel = Gateway.unique("alpha");
    betaLabel = Gateway.unique("beta");
    String alpha = token(gateway.user(team), alphaLabel);
    String beta = token(gateway.user(team), betaLabel);
    route = gateway.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
    ProbeServer probe = gateway.probe("browser-1");
    gateway.register(route, probe.port(), project);
    gateway.awaitHealthy(route, 1);
    // A web UI behind a browser route, which the admin (a member of no group) may use by service account.
    browserRoute = gateway.route(json("'allowedServiceAccounts':['gatehouse-admin'],'browser':true,"
        + "'healthCheck':{'intervalSeconds':1}"));
    gateway.register(browserRoute, gateway.probe("browser-ui").port(), project);
    gateway.awaitHealthy(browserRoute, 1);
    for (int i = 0; i < 7; i++) {
      assertThat(gateway.get("/" + route + "/v1/models", alpha).statusCode()).isEqualTo(200);
    }
    for (int i = 0; i < 5; i++) {
      assertThat(gateway.get("/" + route + "/v1/models", beta).statusCode()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(10)).until(() ->
        gateway.admin.get("/api/v1/endpoints").json().path("items").findValues("totalRequests").stream()
            .anyMatch(n -> n.asLong() == 12));

    chromium = new Chromium(profile, "dashboard");
    browser = chromium.browser;
    wait = chromium.wait;
  }

  @AfterAll
  void stop() {
    if (chromium != null) {
      chromium.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  private String token(String user, String label) {
    AdminClient.Reply r = gateway.admin.post("/api/v1/tokens",
        json("{'label':'%s','expiresInDays':30,'principal':{'type':'user','name':'%s'}}", label, user));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().path("token").asText();
  }

  private String ui() {
    return "http://127.0.0.1:" + gateway.node.adminPort() + "/ui/";
  }

  private Object js(String script, Object... args) {
    return chromium.js(script, args);
  }

  private WebElement visible(By by) {
    return chromium.visible(by);
  }

  private void screenshot(String name) throws IOException {
    chromium.screenshot(name);
  }

  /** Every test starts signed out on a page of its own: none depends on another having run. */
  @BeforeEach
  void signedOut() {
    browser.get(ui());
    // Cookies are per host, not per port: the data plane's session cookie (the "Open" test's) would show here.
    browser.manage().deleteAllCookies();
    js("sessionStorage.clear()");
    browser.navigate().refresh();
    visible(By.id("sign-in-token"));
  }

  /** Signed in as the bootstrap admin, on the first page (Endpoints). */
  private void signIn() {
    js("sessionStorage.setItem('gatehouse.adminToken', arguments[0])", TestNodes.ADMIN_TOKEN);
    browser.navigate().refresh();
    visible(By.id("nav"));
  }


  @Test
  void signsInWithAnAdminTokenKeptInSessionStorage() {
    browser.get(ui());
    visible(By.id("sign-in-token")).sendKeys("gth_notatoken");
    browser.findElement(By.cssSelector("#sign-in-form button")).click();
    wait.until(ExpectedConditions.textToBe(By.id("sign-in-error"), "That is not a Gatehouse token (gth_…)."));

    WebElement field = browser.findElement(By.id("sign-in-token"));
    field.clear();
    field.sendKeys(TestNodes.ADMIN_TOKEN);
    browser.findElement(By.cssSelector("#sign-in-form button")).click();
    visible(By.id("nav"));
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "gatehouse-admin"));
    assertThat(js("return sessionStorage.getItem('gatehouse.adminToken')")).isEqualTo(TestNodes.ADMIN_TOKEN);
    assertThat(browser.manage().getCookies()).isEmpty();
    assertThat(browser.getCurrentUrl()).doesNotContain(TestNodes.ADMIN_TOKEN);
  }

  @Test
  void theEndpointsTableShowsTheRouteWithItsRequestCount() throws IOException {
    signIn();
    WebElement row = visible(By.cssSelector("#endpoints-table tr[data-key='" + route + "']"));
    List<String> headers = browser.findElements(By.cssSelector("#endpoints-table th")).stream()
        .map(WebElement::getText).toList();
    List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    assertThat(cells.get(headers.indexOf("Requests"))).isEqualTo("12");
    assertThat(cells.get(headers.indexOf("Status"))).isEqualTo("up");
    assertThat(cells.get(headers.indexOf("Healthy / instances"))).isEqualTo("1 / 1");
    assertThat(cells.get(headers.indexOf("Bytes in / out"))).matches("0 B / [0-9.]+ (B|KiB)").isNotEqualTo("0 B / 0 B");
    screenshot("endpoints");

    // Search narrows the table; sorting by a column keeps the row.
    browser.findElement(By.id("endpoints-search")).sendKeys("no-route-is-called-this");
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#endpoints-table tr[data-key]"), 0));
    browser.findElement(By.id("endpoints-search")).clear();
    browser.findElement(By.id("endpoints-search")).sendKeys(route);
    visible(By.cssSelector("#endpoints-table tr[data-key='" + route + "']"));
    browser.findElement(By.xpath("//th[text()='Requests']")).click();
    assertThat(browser.findElement(By.xpath("//th[text()='Requests']")).getAttribute("class")).contains("sorted-");
  }

  @Test
  void theMonitorViewChartsRequestsOfBothTokens() throws IOException {
    signIn();
    visible(By.linkText(route)).click();
    visible(By.id("chart-volume"));
    @SuppressWarnings("unchecked")
    Map<String, Object> drawn = (Map<String, Object>) wait.until(d -> js("""
        const el = document.getElementById('chart-volume');
        const chart = el && echarts.getInstanceByDom(el);
        const option = chart && chart.getOption();
        if (!option || !option.series || option.series.length === 0) return null;
        const totals = {};
        for (const s of option.series) totals[s.name] = s.data.reduce((a, p) => a + p[1], 0);
        const canvas = el.querySelector('canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return { totals, painted };"""));
    @SuppressWarnings("unchecked")
    Map<String, Object> totals = (Map<String, Object>) drawn.get("totals");
    assertThat(totals).containsEntry(alphaLabel, 7L).containsEntry(betaLabel, 5L).hasSize(2);
    assertThat((Long) drawn.get("painted")).as("pixels drawn on the chart's canvas").isGreaterThan(1000);
    Object latencyPoints = wait.until(d -> js("""
        const el = document.getElementById('chart-latency');
        const chart = el && echarts.getInstanceByDom(el);
        const option = chart && chart.getOption();
        const average = option && option.series && option.series.find(s => s.name === 'average');
        if (!average) return null;
        const points = average.data.filter(p => p[1] !== null).length;
        return points > 0 ? points : null;"""));
    assertThat((Long) latencyPoints).isGreaterThan(0);
    WebElement instance = visible(By.cssSelector("#instances-table tbody tr"));
    assertThat(instance.getText()).contains("healthy");
    assertThat(browser.findElement(By.id("monitor-total")).getText()).isEqualTo("12 requests");
    // Who used it: per token, requests and bytes.
    List<String> consumers = browser.findElements(By.cssSelector("#consumers-table tbody tr")).stream()
        .map(WebElement::getText).toList();
    assertThat(consumers).hasSize(2);
    assertThat(consumers.get(0)).startsWith(alphaLabel).contains(" 7 ");
    assertThat(consumers.get(1)).startsWith(betaLabel).contains(" 5 ");
    screenshot("monitor");
  }

  @Test
  void generatesATokenShowsItsSecretOnceAndRevokesIt() throws IOException {
    signIn();
    browser.findElement(By.cssSelector("#nav a[data-page='tokens']")).click();
    visible(By.id("tokens-table"));
    browser.findElement(By.id("token-new")).click();
    visible(By.id("token-label")).sendKeys("made-in-browser");
    new Select(browser.findElement(By.id("token-principal-type"))).selectByValue("service-account");
    wait.until(d -> !d.findElements(By.cssSelector("#token-principal-name option[value='" + partner + "']")).isEmpty());
    new Select(browser.findElement(By.id("token-principal-name"))).selectByValue(partner);
    WebElement days = browser.findElement(By.id("token-days"));
    days.clear();
    days.sendKeys("7");
    browser.findElement(By.id("token-generate")).click();

    String secret = visible(By.id("new-token-secret")).getText();
    assertThat(secret).matches("^gth_[0-9A-Za-z]{8,}_[0-9A-Za-z]{43,}$");
    String id = "tok_" + secret.split("_")[1];
    assertThat(browser.findElement(By.id("new-token")).getText()).contains("shown once");
    browser.findElement(By.id("new-token-copy")).click();
    wait.until(ExpectedConditions.textToBe(By.id("new-token-copied"), "Copied."));
    screenshot("token-generated");

    // The listing shows the new token, never its secret; once dismissed the secret is gone.
    WebElement row = visible(By.cssSelector("#tokens-table tr[data-key='" + id + "']"));
    assertThat(row.getText()).contains("made-in-browser", "sa:" + partner, "active", "never");
    browser.findElement(By.id("new-token-done")).click();
    assertThat(browser.getPageSource()).doesNotContain(secret);
    assertThat(js("return JSON.stringify(sessionStorage) + JSON.stringify(localStorage)").toString())
        .doesNotContain(secret);
    assertThat(gateway.admin.get("/api/v1/tokens/" + id).body()).doesNotContain(secret);

    row.findElement(By.cssSelector("button.revoke")).click();
    visible(By.id("modal"));
    assertThat(browser.findElement(By.id("modal-title")).getText()).contains("made-in-browser");
    browser.findElement(By.id("modal-ok")).click();
    wait.until(ExpectedConditions.textToBe(
        By.cssSelector("#tokens-table tr[data-key='" + id + "'] .token-status"), "revoked"));
    assertThat(gateway.admin.get("/api/v1/tokens/" + id).json().path("status").asText()).isEqualTo("revoked");
    screenshot("token-revoked");

    new Select(browser.findElement(By.id("tokens-status"))).selectByValue("revoked");
    visible(By.cssSelector("#tokens-table tr[data-key='" + id + "']"));
  }

  @Test
  void createsEditsAndDeletesAStaticRoute() throws IOException {
    signIn();
    browser.findElement(By.cssSelector("#nav a[data-page='routes']")).click();
    visible(By.cssSelector("#routes-table tr[data-key='" + route + "']"));
    browser.findElement(By.id("route-new")).click();
    String name = Gateway.unique("ui-route");
    visible(By.id("route-name")).sendKeys(name);
    browser.findElement(By.id("route-match")).sendKeys("/" + name);
    browser.findElement(By.id("route-groups")).sendKeys("no-such-group");
    browser.findElement(By.id("route-save")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#route-form .error"), "allowedGroups"));

    browser.findElement(By.id("route-groups")).clear();
    browser.findElement(By.id("route-sas")).sendKeys(partner);
    browser.findElement(By.id("route-save")).click();
    WebElement row = visible(By.cssSelector("#routes-table tr[data-key='" + name + "']"));
    assertThat(row.getText()).contains("static", "sa:" + partner);
    assertThat(gateway.admin.get("/api/v1/routes/" + name).json().path("allowedServiceAccounts").get(0).asText())
        .isEqualTo(partner);

    row.findElement(By.cssSelector("button.edit")).click();
    assertThat(visible(By.id("route-name")).isEnabled()).isFalse();
    WebElement affinity = browser.findElement(By.id("route-affinity"));
    affinity.clear();
    affinity.sendKeys("none");
    browser.findElement(By.id("route-save")).click();
    wait.until(d -> gateway.admin.get("/api/v1/routes/" + name).json().path("affinity").asText().equals("none"));
    screenshot("routes");

    visible(By.cssSelector("#routes-table tr[data-key='" + name + "'] button.delete")).click();
    visible(By.id("modal-ok")).click();
    wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#routes-table tr[data-key='" + name + "']"), 0));
    assertThat(gateway.admin.get("/api/v1/routes/" + name).status()).isEqualTo(404);

    // A tcp route: no match or HTTP fields in the form; its URL is its tunnel's.
    browser.findElement(By.id("route-new")).click();
    String tcp = Gateway.unique("ui-tcp");
    visible(By.id("route-name")).sendKeys(tcp);
    new Select(browser.findElement(By.id("route-protocol"))).selectByValue("tcp");
    wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("route-match")));
    assertThat(browser.findElement(By.id("route-browser")).isDisplayed()).isFalse();
    browser.findElement(By.id("route-save")).click();
    WebElement tcpRow = visible(By.cssSelector("#routes-table tr[data-key='" + tcp + "']"));
    assertThat(tcpRow.getText()).contains("/_gatehouse/tunnel/" + tcp);
    assertThat(gateway.admin.get("/api/v1/routes/" + tcp).json().path("protocol").asText()).isEqualTo("tcp");
  }

  @Test
  void aBrowserRouteSaysSoOnItsPageAndOpensWithTheAdminsOwnToken() throws IOException {
    signIn();
    browser.get(ui() + "#/endpoints/" + browserRoute);
    assertThat(visible(By.id("monitor-kind")).getText()).contains("a browser route");
    String dashboard = browser.getWindowHandle();
    browser.findElement(By.cssSelector("#monitor-kind button.open")).click();
    wait.until(d -> d.getWindowHandles().size() == 2);
    browser.switchTo().window(browser.getWindowHandles().stream().filter(h -> !h.equals(dashboard)).findFirst()
        .orElseThrow());
    wait.until(d -> d.getPageSource().contains("browser-ui"));
    assertThat(browser.getCurrentUrl()).startsWith("http://127.0.0.1:" + gateway.node.httpPort() + "/" + browserRoute + "/")
        .doesNotContain(TestNodes.ADMIN_TOKEN);
    screenshot("browser-route-opened");
    browser.close();
    browser.switchTo().window(dashboard);
  }

  @Test
  void testsConnectivityFromTheRoutersPageAndShowsEachStep() throws IOException {
    signIn();
    browser.get(ui() + "#/routers");
    visible(By.id("connectivity-test")).click();
    wait.until(ExpectedConditions.textToBe(By.id("connectivity-outcome"), "Every step passed."));
    List<WebElement> steps = browser.findElements(By.cssSelector("#connectivity-steps tbody tr"));
    assertThat(steps).hasSize(6);
    assertThat(browser.findElements(By.cssSelector("#connectivity-steps tr.step-failed"))).isEmpty();
    assertThat(steps.get(4).getText()).contains("(this node)", "200 from the probe");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#routers-table td.last-test"), "ok"));
    screenshot("connectivity-test");
  }

  @Test
  void listsTheRoutersAndSignsOut() {
    signIn();
    browser.findElement(By.cssSelector("#nav a[data-page='routers']")).click();
    WebElement row = visible(By.cssSelector("#routers-table tbody tr"));
    assertThat(row.getText()).contains("(this node)", "up");
    browser.findElement(By.id("sign-out")).click();
    visible(By.id("sign-in-token"));
    assertThat(js("return sessionStorage.length")).isEqualTo(0L);
    browser.navigate().refresh();
    visible(By.id("sign-in-token"));
  }
}
