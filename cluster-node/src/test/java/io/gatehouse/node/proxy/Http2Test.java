package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCertificates;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 on both ports of one node (API.md "HTTP/2 and gRPC"): h2 by ALPN on the TLS port and h2c
 * with prior knowledge on the plain one, driven by clients no one here wrote: the JDK's
 * HttpClient, curl ({@code --http2}, {@code --http2-prior-knowledge}) and h2load. Every stream is
 * admitted like a request; bodies stream both ways under flow control; SSE is not buffered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2Test {
  @TempDir static Path dir;
  private Gateway gw;
  private TestCertificates.Pem cert;
  private String route;
  private Gateway.Token token;
  private HttpClient h2;

  @BeforeAll
  void start() throws Exception {
    cert = TestCertificates.write(dir, "gateway", "localhost");
    int httpsPort = FreePorts.allocate(1)[0];
    Config config = TestNodes.h2(dir.resolve("data"))
        .withValue("gatehouse.https-port", ConfigValueFactory.fromAnyRef(httpsPort))
        .withValue("gatehouse.tls.cert", ConfigValueFactory.fromAnyRef(cert.certificate().toString()))
        .withValue("gatehouse.tls.key", ConfigValueFactory.fromAnyRef(cert.key().toString()))
        .withValue("gatehouse.data-plane.h2c", ConfigValueFactory.fromAnyRef(true));
    gw = new Gateway(config);
    ProbeServer probe = gw.probe("h2-probe");
    String team = gw.group();
    String project = gw.project(List.of(team), List.of());
    token = gw.userToken(gw.user(team));
    route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
    gw.register(route, probe.port(), project);
    gw.awaitHealthy(route, 1);
    h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(cert.trustingIt())
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  private String https(String path) {
    return "https://localhost:" + gw.node.httpsPort() + path;
  }

  private HttpResponse<String> get(String url, String bearer) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return h2.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theJdkClientSpeaksHttp2ByAlpnAndEveryStreamIsAdmitted() throws Exception {
    HttpResponse<String> ok = get(https("/" + route + "/v1/models"), token.secret());
    assertThat(ok.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(Gateway.body(ok).path("path").asText()).isEqualTo("/v1/models");
    assertThat(Gateway.body(ok).path("headers").path("x-forwarded-proto").asText()).isEqualTo("https");
    assertThat(ok.headers().firstValue("x-request-id")).isPresent();

    // On the same connection: a stream without a token, one for no route.
    HttpResponse<String> anonymous = get(https("/" + route + "/v1/models"), null);
    assertThat(anonymous.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("invalid_token");
    assertThat(get(https("/nowhere"), token.secret()).statusCode()).isEqualTo(404);
  }

  @Test
  void aStreamCannotPassItsHeadersForTheGatewaysSpelledWithUnderscores() throws Exception {
    HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create(https("/" + route + "/x")))
        .header("Authorization", "Bearer " + token.secret())
        .header("x_gatehouse_principal", "user:admin")
        .header("X_Forwarded_For", "6.6.6.6")
        .header("x-gatehouse_token-id", "tok_forged000").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(Gateway.body(r).path("headers").path("x-gatehouse-principal").asText()).startsWith("user:user-");
    assertThat(r.body()).doesNotContain("user:admin").doesNotContain("6.6.6.6").doesNotContain("tok_forged000");
  }

  @Test
  void requestAndAnswerBodiesStreamUnderFlowControl() throws Exception {
    byte[] body = new byte[3 * 1024 * 1024];
    new java.util.Random(3).nextBytes(body);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(body);
    HttpResponse<String> up = h2.send(HttpRequest.newBuilder(URI.create(https("/" + route + "/upload")))
        .header("Authorization", "Bearer " + token.secret())
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(up.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(Gateway.body(up).path("bodyBytes").asLong()).isEqualTo(body.length);
    assertThat(Gateway.body(up).path("bodyCrc32").asLong()).isEqualTo(crc.getValue());

    HttpResponse<byte[]> down = h2.send(HttpRequest.newBuilder(URI.create(https("/" + route + "/bytes?n=5000000")))
        .header("Authorization", "Bearer " + token.secret()).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(down.statusCode()).isEqualTo(200);
    assertThat(down.body()).hasSize(5_000_000);
  }

  @Test
  void serverSentEventsOverHttp2ArriveAsTheyAreSent() throws Exception {
    long start = System.nanoTime();
    HttpResponse<InputStream> r = h2.send(HttpRequest.newBuilder(URI.create(https("/" + route + "/sse?events=4&intervalMs=400")))
        .header("Authorization", "Bearer " + token.secret()).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    List<Long> arrivals = new ArrayList<>();
    try (InputStream in = r.body()) {
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        String chunk = new String(buf, 0, n, StandardCharsets.UTF_8);
        for (int i = chunk.indexOf("data:"); i >= 0; i = chunk.indexOf("data:", i + 1)) {
          arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
      }
    }
    assertThat(arrivals).hasSize(4);
    // Each event when it is sent, not all at the end: the first well before the last.
    assertThat(arrivals.get(3) - arrivals.get(0)).isGreaterThan(900);
  }

  @Test
  void curlSpeaksHttp2OverTlsAndWithPriorKnowledge() throws Exception {
    String tls = curl("--http2", "--cacert", cert.certificate().toString(), https("/" + route + "/x"));
    assertThat(tls).startsWith("2 200");
    String h2c = curl("--http2-prior-knowledge", "http://127.0.0.1:" + gw.node.httpPort() + "/" + route + "/x");
    assertThat(h2c).startsWith("2 200");
    // The plain port still speaks HTTP/1.1 to clients that do not know.
    assertThat(curl("--http1.1", "http://127.0.0.1:" + gw.node.httpPort() + "/" + route + "/x")).startsWith("1.1 200");
  }

  private String curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
        "-H", "Authorization: Bearer " + token.secret()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  @Test
  void h2loadDrivesBothPortsWithoutAnError() throws Exception {
    for (String url : List.of("http://127.0.0.1:" + gw.node.httpPort() + "/" + route + "/load",
        https("/" + route + "/load"))) {
      Process p = new ProcessBuilder("h2load", "-n", "3000", "-c", "4", "-m", "16",
          "-H", "authorization: Bearer " + token.secret(), url).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(out).as(out).contains("3000 succeeded, 0 failed, 0 errored").contains("status codes: 3000 2xx");
      if (url.startsWith("https")) {
        assertThat(out).contains("Application protocol: h2");
      }
    }
  }
}
