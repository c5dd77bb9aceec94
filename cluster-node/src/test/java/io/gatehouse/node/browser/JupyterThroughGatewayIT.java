package io.gatehouse.node.browser;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.node.testing.Chromium;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.LogRecorder;
import io.gatehouse.node.testing.TestCluster;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * A real Jupyter behind Gatehouse, in a real browser: Debian's {@code jupyter-notebook} (6.4, a
 * server no one here wrote, with kernels over WebSocket) on a browser route of a two-node
 * cluster, opened in headless Chromium through a browser link. The notebook runs a cell, whose
 * answer came over the kernel's WebSocket through the gateway; then the token is revoked through
 * the other node, the kernel's WebSocket is closed within a second, and the next page load asks
 * to sign in. Once on a path route ({@code /jup}, Jupyter's base URL) and once on a subdomain
 * ({@code lab.gw.test}, mapped to this machine by Chromium's host resolver rules). Screenshots in
 * {@code cluster-node/target/jupyter/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JupyterThroughGatewayIT {
  @TempDir Path work;
  private TestCluster cluster;
  private Gateway a;
  private Gateway b;
  private String team;
  private String project;
  private final List<Process> notebooks = new ArrayList<>();

  @BeforeAll
  void start() {
    cluster = new TestCluster(EmbeddedPostgresFixture.newDatabase(), 2, Clock.systemUTC(),
        ConfigFactory.parseMap(Map.of("gatehouse.base-domain", "gw.test")));
    a = cluster.a();
    b = cluster.b();
    team = a.group();
    project = a.project(List.of(team), List.of());
  }

  @AfterAll
  void stop() {
    notebooks.forEach(Process::destroy);
    cluster.close();
  }

  /**
   * Starts Jupyter on a free port with its own token auth off (the gateway authenticates) and
   * the gateway's origin allowed: Jupyter compares a WebSocket's Origin with the Host it gets,
   * which the gateway sets to the instance's address.
   */
  private int jupyter(String baseUrl, String origin) throws IOException {
    int port = FreePorts.allocate(1)[0];
    Path dir = Files.createDirectories(work.resolve("nb-" + port));
    Process p = new ProcessBuilder("/usr/bin/jupyter-notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1",
        "--port=" + port, "--NotebookApp.base_url=" + baseUrl, "--NotebookApp.token=", "--NotebookApp.password=",
        "--NotebookApp.allow_origin=" + origin, "--notebook-dir=" + dir)
        .redirectErrorStream(true).redirectOutput(work.resolve("jupyter-" + port + ".log").toFile()).start();
    notebooks.add(p);
    return port;
  }

  @Test
  void aNotebookOnAPathRouteRunsACellThroughTheGatewayAndEndsWithItsToken() throws Exception {
    String origin = "http://127.0.0.1:" + a.node.httpPort();
    int port = jupyter("/jup/", origin);
    assertThat(a.admin.post("/api/v1/routes", json("{'name':'jup','match':{'pathPrefix':'/jup'},'browser':true,"
        + "'stripPrefix':false,'allowedGroups':['%s'],'healthCheck':{'path':'/jup/api','intervalSeconds':5}}", team))
        .status()).isEqualTo(201);
    a.register("jup", port, project);
    a.awaitHealthy("jup", 1);
    b.awaitHealthy("jup", 1);

    notebookSession("path", "/jup/", origin, "jup");
  }

  @Test
  void theSameNotebookOnASubdomainRoute() throws Exception {
    String origin = "http://lab.gw.test:" + a.node.httpPort();
    int port = jupyter("/", origin);
    assertThat(a.admin.post("/api/v1/routes", json("{'name':'lab','match':{'subdomain':'lab'},'browser':true,"
        + "'allowedGroups':['%s'],'healthCheck':{'path':'/api','intervalSeconds':5}}", team)).status()).isEqualTo(201);
    a.register("lab", port, project);
    a.awaitHealthy("lab", 1);
    b.awaitHealthy("lab", 1);

    notebookSession("subdomain", "/", origin, "lab");
  }

  /** The whole story, on a route whose Jupyter lives at {@code base} of {@code origin}. */
  private void notebookSession(String name, String base, String origin, String route) throws Exception {
    Gateway.Token token = a.userToken(a.user(team));
    var made = a.send("POST", "/_gatehouse/browser-links", token.secret(),
        json("{'route':'%s','next':'%stree'}", route, base));
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    String link = Gateway.body(made).path("url").asText();
    assertThat(link).startsWith(origin + "/_gatehouse/signin?code=");

    Chromium chromium = new Chromium(work.resolve("profile-" + name), "jupyter",
        "--host-resolver-rules=MAP *.gw.test 127.0.0.1");
    try {
      chromium.browser.get(link);
      chromium.visible(By.id("notebook_list"));
      assertThat(chromium.browser.getCurrentUrl()).isEqualTo(origin + base + "tree");
      chromium.screenshot(name + "-tree");

      // A new notebook, made by the page's own script as Jupyter's UI makes one (its XSRF cookie included).
      Object path = chromium.browser.executeAsyncScript("""
          const done = arguments[arguments.length - 1];
          const xsrf = document.cookie.split('; ').find(c => c.startsWith('_xsrf=')).substring(6);
          fetch(arguments[0] + 'api/contents', {method: 'POST', credentials: 'same-origin',
              headers: {'X-XSRFToken': decodeURIComponent(xsrf), 'Content-Type': 'application/json'},
              body: JSON.stringify({type: 'notebook'})})
            .then(r => r.json()).then(j => done(j.path)).catch(e => done('failed: ' + e));""", base);
      assertThat(path.toString()).endsWith(".ipynb");
      chromium.browser.get(origin + base + "notebooks/" + path);
      chromium.wait.withTimeout(Duration.ofSeconds(60)).until(d -> Boolean.TRUE.equals(chromium.js(
          "return !!(window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
              + " && Jupyter.notebook.kernel.is_connected())")));
      chromium.js("const c = Jupyter.notebook.get_cell(0); c.set_text('6*7'); c.execute();");
      Object answer = chromium.wait.withTimeout(Duration.ofSeconds(60)).until(d -> chromium.js("""
          const o = Jupyter.notebook.get_cell(0).output_area.outputs;
          return o.length > 0 && o[0].data ? o[0].data['text/plain'] : null;"""));
      assertThat(answer).isEqualTo("42");
      chromium.visible(By.cssSelector(".output_area .output_subarea"));
      chromium.screenshot(name + "-notebook-42");

      // Revoked through the other node: the kernel's WebSocket (through node A) closes within a second.
      chromium.js("window.closedAt = null; Jupyter.notebook.kernel.ws.addEventListener('close',"
          + " e => { window.closedAt = Date.now(); window.closeCode = e.code; });");
      assertThat(b.admin.post("/api/v1/tokens/" + token.id() + "/revoke", "").status()).isEqualTo(200);
      long revokedAt = System.currentTimeMillis();
      Object closedAt = chromium.wait.until(d -> chromium.js("return window.closedAt"));
      long millis = ((Number) closedAt).longValue() - revokedAt;
      System.out.printf("%s route: the kernel's WebSocket closed %d ms after the revocation (code %s)%n", name,
          millis, chromium.js("return window.closeCode"));
      assertThat(millis).as("milliseconds until the kernel's WebSocket closed").isLessThan(1000);
      assertThat(((Number) chromium.js("return window.closeCode")).intValue()).isEqualTo(1008);

      chromium.browser.get(origin + base + "tree");
      chromium.visible(By.id("sign-in"));
      assertThat(chromium.browser.getCurrentUrl()).contains("/_gatehouse/signin?next=");
      chromium.screenshot(name + "-sign-in-again");
    } finally {
      chromium.close();
    }
    // Read once the browser has quit (it writes its history out then): the link's one-time code is
    // in it, the token never.
    assertThat(chromium.history()).anySatisfy(u -> assertThat(u).contains("/_gatehouse/signin?code="))
        .noneSatisfy(u -> assertThat(u).contains(token.secret()));
    assertThat(LogRecorder.lines()).noneSatisfy(line -> assertThat(line).contains(token.secret().substring(20)));
  }
}
