package io.gatehouse.node.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Uploads with {@code Expect: 100-continue}, sent by curl as curl sends them, through the gateway
 * to two kinds of upstream: Python's http.server, which answers the expectation itself (as
 * uvicorn does), and the probe, which never sends a 100. The gateway answers {@code 100 Continue}
 * once the request is admitted, so the body goes at once, and a refused request gets its 401
 * without its body being sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExpectContinueTest {
  @TempDir static Path dataDir;
  @TempDir static Path files;
  private Gateway gw;
  private Process python;
  private Gateway.Token token;

  @BeforeAll
  void start() throws Exception {
    gw = new Gateway(TestNodes.h2(dataDir));
    String team = gw.group();
    String project = gw.project(List.of(team), List.of());
    token = gw.userToken(gw.user(team));
    int pythonPort = FreePorts.allocate(1)[0];
    Path script = Path.of("src/test/resources/upstreams/echo_upstream.py").toAbsolutePath();
    python = new ProcessBuilder("python3", script.toString(), String.valueOf(pythonPort))
        .redirectErrorStream(true).start();
    if (!new String(python.getInputStream().readNBytes(10)).startsWith("listening")) {
      throw new IllegalStateException("the Python upstream did not start");
    }
    ProbeServer probe = gw.probe("probe-expect");
    String py = gw.route("'allowedGroups':['" + team + "'],'healthCheck':{'path':'/health','intervalSeconds':1}");
    String pr = gw.route("'allowedGroups':['" + team + "']");
    gw.register(py, pythonPort, project);
    gw.register(pr, probe.port(), project);
    gw.awaitHealthy(py, 1);
    gw.awaitHealthy(pr, 1);
    routes = new String[] {py, pr};
    Files.write(files.resolve("1k"), new byte[1024]);
    Files.write(files.resolve("2m"), new byte[2 * 1024 * 1024]);
  }

  private String[] routes;

  @AfterAll
  void stop() {
    python.destroy();
    gw.close();
  }

  /** curl's verbose output and its -w line: status, time. */
  record Curl(String verbose, int status, double seconds, String body) {}

  private Curl curl(String url, String token, String file, String... extra) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sv", "-o", files.resolve("out").toString(), "-w",
        "%{http_code} %{time_total}", "--data-binary", "@" + files.resolve(file), "-H", "Content-Type: application/octet-stream"));
    if (token != null) {
      cmd.addAll(List.of("-H", "Authorization: Bearer " + token));
    }
    cmd.addAll(List.of(extra));
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).start();
    String out = new String(p.getInputStream().readAllBytes());
    String err = new String(p.getErrorStream().readAllBytes());
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String[] w = out.trim().split(" ");
    return new Curl(err, Integer.parseInt(w[0]), Double.parseDouble(w[1]), Files.readString(files.resolve("out")));
  }

  @ParameterizedTest(name = "{0} body to the {1} upstream")
  @CsvSource({"1k, python, 1024", "2m, python, 2097152", "1k, probe, 1024", "2m, probe, 2097152"})
  void anUploadWithExpectGoesThroughAtOnceAndArrivesWhole(String file, String upstream, long size) throws Exception {
    String route = upstream.equals("python") ? routes[0] : routes[1];

    Curl c = curl(gw.base() + "/" + route + "/upload", token.secret(), file, "-H", "Expect: 100-continue");

    assertThat(c.status()).as(c.verbose()).isEqualTo(200);
    assertThat(c.verbose()).contains("< HTTP/1.1 100 Continue");
    assertThat(c.body()).contains(upstream.equals("python") ? "\"received\": " + size : "\"bodyBytes\":" + size);
    // curl waits up to a second for a 100 before it sends the body anyway: none of that wait here.
    assertThat(c.seconds()).as("seconds").isLessThan(0.9);
  }

  @Test
  void curlsOwnDefaultForALargeBodyWorksToo() throws Exception {
    Curl c = curl(gw.base() + "/" + routes[0] + "/upload", token.secret(), "2m");

    assertThat(c.status()).as(c.verbose()).isEqualTo(200);
    assertThat(c.body()).contains("\"received\": 2097152").contains("\"expect\": null");
  }

  @Test
  void aRefusedUploadGets401AndNo100() throws Exception {
    Curl c = curl(gw.base() + "/" + routes[0] + "/upload", "gth_Unknown00_" + "x".repeat(43), "2m",
        "-H", "Expect: 100-continue");

    assertThat(c.status()).isEqualTo(401);
    assertThat(c.verbose()).doesNotContain("100 Continue");
    assertThat(c.body()).contains("invalid_token");
  }

  @Test
  void interimAnswersOfTheInstanceAreNotTakenForTheFinalOne() throws Exception {
    Curl c = curl(gw.base() + "/" + routes[0] + "/always-100", token.secret(), "1k");

    assertThat(c.status()).as(c.verbose()).isEqualTo(200);
    assertThat(c.verbose()).contains("< HTTP/1.1 103 Early Hints").doesNotContain("100 Continue");
    assertThat(c.body()).contains("\"received\": 1024");
  }
}
