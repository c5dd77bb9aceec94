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
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/**
 * Where the gateway is and who speaks to it: the options every command shares. Each comes from its
 * option, else its environment variable, else what {@code gatehouse login} saved ({@link CliConfig}).
 */
final class Connection {
  @Option(names = "--url", paramLabel = "URL",
      description = "The admin API's URL, e.g. https://gw-admin.example.com:9090. Default: $GATEHOUSE_URL, then the login's.")
  String url;

  @Option(names = "--gateway", paramLabel = "URL",
      description = "The gateway's public URL (data plane), e.g. https://gw.example.com. Default: $GATEHOUSE_GATEWAY, "
          + "then the login's.")
  String gateway;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "The bearer token. Default: $GATEHOUSE_TOKEN (prefer it: options show in process lists), then the "
          + "login's.")
  String token;

  private CliConfig saved;

  /** The environment, as a seam for tests that run the CLI in-process. */
  static Map<String, String> env = System.getenv();

  private CliConfig saved() {
    if (saved == null) {
      saved = CliConfig.load(CliConfig.path(env));
    }
    return saved;
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /** The admin API's base URL, without a trailing slash. */
  String url() {
    return baseUrl(first(url, env.get("GATEHOUSE_URL"), saved().url()), "admin API",
        "pass --url URL, set GATEHOUSE_URL, or run 'gatehouse login'");
  }

  private static String baseUrl(String u, String what, String hint) {
    if (u == null) {
      throw CliFailure.usage("where is the " + what + "? " + hint);
    }
    if (!u.startsWith("http://") && !u.startsWith("https://")) {
      throw CliFailure.usage("the " + what + " URL starts with http:// or https://, got '" + u + "'");
    }
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  @Option(names = "--cacert", paramLabel = "PEM",
      description = "Trust this CA (or self-signed) certificate for https instead of the system CAs. Default: $GATEHOUSE_CA_CERT.")
  Path caCert;

  /** The data plane's base URL, without a trailing slash. */
  String gateway() {
    return baseUrl(first(gateway, env.get("GATEHOUSE_GATEWAY"), saved().gateway()), "gateway",
        "pass --gateway URL, set GATEHOUSE_GATEWAY, or run 'gatehouse login'");
  }

  String token() {
    String t = first(token, env.get("GATEHOUSE_TOKEN"), saved().token());
    if (t == null) {
      throw CliFailure.usage("no token: pass --token, set GATEHOUSE_TOKEN, or run 'gatehouse login'");
    }
    return t;
  }

  /** The token given by option or environment, never the login's (what {@code gatehouse login} saves); null if none. */
  String givenToken() {
    return first(token, env.get("GATEHOUSE_TOKEN"));
  }

  /** The data plane's URL given by option or environment, never the login's; null if none. */
  String givenGateway() {
    String g = first(gateway, env.get("GATEHOUSE_GATEWAY"));
    return g == null ? null : baseUrl(g, "gateway", "");
  }

  /** {@code ws://} or {@code wss://} for {@code path} on the gateway. */
  URI webSocket(String path) {
    return URI.create(gateway().replaceFirst("^http", "ws") + path);
  }

  private HttpClient client;

  HttpClient client() {
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  private HttpClient newClient() {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    Path ca = caCert != null ? caCert : env.get("GATEHOUSE_CA_CERT") == null ? null
        : Path.of(env.get("GATEHOUSE_CA_CERT"));
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
