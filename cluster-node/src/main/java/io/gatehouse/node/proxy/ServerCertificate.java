package io.gatehouse.node.proxy;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS port's certificate and key (PEM), reloaded when the files change: each new
 * connection's handshake uses the context current when it opens, so a renewal (cert-manager,
 * certbot, a Kubernetes secret swapped under its symlinks) takes effect on the next handshake and
 * no open connection is dropped. The files are read every {@link #CHECK_SECONDS} seconds on a
 * thread of their own and compared by content; a pair that does not load (the certificate
 * written, the key not yet) keeps the previous context and is tried again at the next check.
 * Offers {@code h2} and {@code http/1.1} by ALPN.
 */
final class ServerCertificate implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServerCertificate.class);
  static final int CHECK_SECONDS = 2;

  private final File chain;
  private final File key;
  private final ScheduledExecutorService checks;
  private volatile SslContext current;
  private byte[] loadedDigest;

  /** Loads the pair (a pair that does not load is a start-up error) and starts watching it. */
  ServerCertificate(DataPlaneSettings.Tls tls) {
    this.chain = tls.certificateChain();
    this.key = tls.privateKey();
    byte[] digest = digest();
    try {
      this.current = load();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot use the TLS certificate and key (PEM, key in PKCS#8): "
          + e.getMessage(), e);
    }
    this.loadedDigest = digest;
    this.checks = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gatehouse-tls-reload");
      t.setDaemon(true);
      return t;
    });
    checks.scheduleWithFixedDelay(this::check, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
  }

  /** The context new connections use. */
  SslContext current() {
    return current;
  }

  private void check() {
    byte[] digest = digest();
    if (digest == null || Arrays.equals(digest, loadedDigest)) {
      return;
    }
    try {
      current = load();
      loadedDigest = digest;
      log.info("TLS certificate reloaded from {} (new connections use it; open ones keep theirs)", chain);
    } catch (SSLException | IllegalArgumentException e) {
      log.warn("TLS certificate {} changed but does not load yet ({}); keeping the previous one", chain,
          e.getMessage());
    }
  }

  private SslContext load() throws SSLException {
    return SslContextBuilder.forServer(chain, key)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
        .build();
  }

  /** A digest of both files' bytes, or null while one cannot be read. */
  private byte[] digest() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(Files.readAllBytes(chain.toPath()));
      md.update((byte) 0);
      md.update(Files.readAllBytes(key.toPath()));
      return md.digest();
    } catch (IOException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    checks.shutdownNow();
  }
}
