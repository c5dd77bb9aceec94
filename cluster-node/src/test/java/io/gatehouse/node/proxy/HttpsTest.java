package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data plane serves HTTPS with a PEM certificate and key, with the same checks as HTTP. */
class HttpsTest {
  @TempDir Path dataDir;

  @Test
  void aRouteAnswersOverHttpsAndTheInstanceIsToldSo() throws Exception {
    SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
    int httpsPort = FreePorts.allocate(1)[0];
    Config tls = TestNodes.h2(dataDir)
        .withValue("gatehouse.https-port", ConfigValueFactory.fromAnyRef(httpsPort))
        .withValue("gatehouse.tls.cert", ConfigValueFactory.fromAnyRef(cert.certificate().getPath()))
        .withValue("gatehouse.tls.key", ConfigValueFactory.fromAnyRef(cert.privateKey().getPath()));
    try (Gateway gw = new Gateway(tls)) {
      assertThat(gw.node.httpsPort()).isEqualTo(httpsPort);
      ProbeServer probe = gw.probe("tls-probe");
      String team = gw.group();
      String project = gw.project(List.of(team), List.of());
      Gateway.Token token = gw.userToken(gw.user(team));
      String route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
      gw.register(route, probe.port(), project);
      gw.awaitHealthy(route, 1);

      HttpClient https = HttpClient.newBuilder().sslContext(trusting(cert)).build();
      HttpResponse<String> ok = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/" + route + "/v1"))
          .header("Authorization", "Bearer " + token.secret()).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> anonymous = https.send(HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/" + route + "/v1"))
          .build(), HttpResponse.BodyHandlers.ofString());

      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(Gateway.body(ok).path("headers").path("x-forwarded-proto").asText()).isEqualTo("https");
      assertThat(anonymous.statusCode()).isEqualTo(401);
    } finally {
      cert.delete();
    }
  }

  private static SSLContext trusting(SelfSignedCertificate cert) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (FileInputStream in = new FileInputStream(cert.certificate())) {
      trust.setCertificateEntry("gatehouse", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
