package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCertificates;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTPS certificate is swapped on disk under load: the next handshake presents the new one,
 * the connection opened before the swap keeps working (with the old one), and no request fails.
 */
class CertificateReloadTest {
  @TempDir Path dir;

  @Test
  void aNewCertificateOnDiskIsUsedFromTheNextHandshakeWithoutAFailedRequest() throws Exception {
    TestCertificates.Pem first = TestCertificates.write(dir, "first", "first");
    TestCertificates.Pem second = TestCertificates.write(dir, "second", "second");
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    Files.copy(first.certificate(), cert);
    Files.copy(first.key(), key);
    SSLContext trustBoth = trusting(first.x509(), second.x509());
    int httpsPort = FreePorts.allocate(1)[0];
    try (Gateway gw = new Gateway(TestNodes.h2(dir.resolve("data"))
        .withValue("gatehouse.https-port", ConfigValueFactory.fromAnyRef(httpsPort))
        .withValue("gatehouse.tls.cert", ConfigValueFactory.fromAnyRef(cert.toString()))
        .withValue("gatehouse.tls.key", ConfigValueFactory.fromAnyRef(key.toString())))) {
      ProbeServer probe = gw.probe("reload-probe");
      String team = gw.group();
      String route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
      gw.register(route, probe.port(), gw.project(List.of(team), List.of()));
      gw.awaitHealthy(route, 1);
      String bearer = gw.userToken(gw.user(team)).secret();
      String request = "GET /" + route + "/x HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + bearer + "\r\n\r\n";

      // A keep-alive connection from before the swap, and load: a new connection per request.
      SSLSocket old = connect(trustBoth, httpsPort);
      assertThat(subject(old)).isEqualTo("CN=first");
      assertThat(ask(old, request)).isEqualTo(200);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger failed = new AtomicInteger();
      Thread load = new Thread(() -> {
        while (!stop.get()) {
          try (SSLSocket s = connect(trustBoth, httpsPort)) {
            if (ask(s, request) == 200) {
              ok.incrementAndGet();
            } else {
              failed.incrementAndGet();
            }
          } catch (Exception e) {
            failed.incrementAndGet();
          }
        }
      });
      load.start();

      // Swapped as a secret manager does: both files replaced, each in one move.
      Files.copy(second.certificate(), dir.resolve("tls.crt.new"));
      Files.copy(second.key(), dir.resolve("tls.key.new"));
      Files.move(dir.resolve("tls.key.new"), key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.move(dir.resolve("tls.crt.new"), cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      await().atMost(Duration.ofSeconds(10)).until(() -> {
        try (SSLSocket s = connect(trustBoth, httpsPort)) {
          return subject(s).equals("CN=second");
        }
      });
      int before = ok.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() > before + 20);
      stop.set(true);
      load.join();

      assertThat(failed.get()).isZero();
      // The connection from before the swap still serves, with the certificate it began with.
      assertThat(ask(old, request)).isEqualTo(200);
      assertThat(subject(old)).isEqualTo("CN=first");
      old.close();
    }
  }

  private static SSLSocket connect(SSLContext ctx, int port) throws Exception {
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    s.startHandshake();
    return s;
  }

  private static String subject(SSLSocket s) throws Exception {
    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
  }

  /** Sends one request on the connection and reads the answer (its body by Content-Length); answers the status. */
  private static int ask(SSLSocket s, String request) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
    String status = in.readLine();
    int length = 0;
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    char[] body = new char[length];
    int read = 0;
    while (read < length) {
      read += in.read(body, read, length - read);
    }
    return Integer.parseInt(status.split(" ")[1]);
  }

  private static SSLContext trusting(X509Certificate... certs) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    for (int i = 0; i < certs.length; i++) {
      trust.setCertificateEntry("c" + i, certs[i]);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
