package io.gatehouse.ops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/**
 * Where the gateway is and who speaks to it: the options every command that talks to the data
 * plane shares, each with its environment variable.
 */
final class Connection {
  @Option(names = "--gateway", paramLabel = "URL",
      description = "The gateway's public URL (data plane), e.g. https://gw.example.com. Default: $GATEHOUSE_GATEWAY.")
  String gateway;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "The bearer token. Default: $GATEHOUSE_TOKEN (prefer it: options show in process lists).")
  String token;

  @Option(names = "--cacert", paramLabel = "PEM",
      description = "Trust this CA (or self-signed) certificate for https instead of the system CAs. Default: $GATEHOUSE_CA_CERT.")
  Path caCert;

  String gateway() {
    String g = gateway != null ? gateway : System.getenv("GATEHOUSE_GATEWAY");
    if (g == null || g.isBlank()) {
      throw CliFailure.usage("where is the gateway? pass --gateway URL or set GATEHOUSE_GATEWAY");
    }
    if (!g.startsWith("http://") && !g.startsWith("https://")) {
      throw CliFailure.usage("the gateway URL starts with http:// or https://, got '" + g + "'");
    }
    return g.endsWith("/") ? g.substring(0, g.length() - 1) : g;
  }

  String token() {
    String t = token != null ? token : System.getenv("GATEHOUSE_TOKEN");
    if (t == null || t.isBlank()) {
      throw CliFailure.usage("no token: pass --token or set GATEHOUSE_TOKEN");
    }
    return t.trim();
  }

  /** {@code ws://} or {@code wss://} for {@code path} on the gateway. */
  URI webSocket(String path) {
    return URI.create(gateway().replaceFirst("^http", "ws") + path);
  }

  HttpClient client() {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    Path ca = caCert != null ? caCert : System.getenv("GATEHOUSE_CA_CERT") == null ? null
        : Path.of(System.getenv("GATEHOUSE_CA_CERT"));
    if (ca != null) {
      b.sslContext(trusting(ca));
    }
    return b.build();
  }

  private static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, (X509Certificate) cert);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw CliFailure.usage("cannot use " + pem + " as a CA certificate: " + e.getMessage());
    }
  }
}
