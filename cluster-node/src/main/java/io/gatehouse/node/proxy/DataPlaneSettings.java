package io.gatehouse.node.proxy;

import io.gatehouse.node.tcp.SessionPorts;
import java.io.File;
import java.time.Duration;

/**
 * The data plane's settings ({@code gatehouse.data-plane.*} and the TLS files).
 *
 * @param eventLoops Netty event loops (one per core by default)
 * @param accessLog one JSON line per request, asynchronously
 * @param retryAfterSeconds the {@code Retry-After} of a 503
 * @param maxIdleUpstreamConnections idle keep-alive connections to one instance, per event loop
 * @param clientIdleTimeout how long a client connection may take to send a request head
 * @param sessionAskTimeout how long a request waits for its consumer session before going on without it
 * @param drainPeriod on SIGTERM: how long the node keeps serving, not ready, before it stops listening
 * @param inFlightGrace then: how long requests in flight may take to finish
 * @param tls HTTPS, or null
 * @param h2c whether the plain port also takes HTTP/2 with prior knowledge
 * @param tcpSessions the session ports' range and host
 * @param upstreamCaCert the CA certificates (PEM) that {@code h2} routes' instances are checked
 *     against, or null for the JDK's
 */
public record DataPlaneSettings(int eventLoops, boolean accessLog, int maxInitialLineBytes, int maxHeaderBytes,
    int retryAfterSeconds, int maxIdleUpstreamConnections, Duration clientIdleTimeout, Duration sessionAskTimeout,
    Duration drainPeriod, Duration inFlightGrace, Tls tls, boolean h2c, SessionPorts.Settings tcpSessions,
    File upstreamCaCert) {

  /** A PEM certificate chain and private key (PKCS#8), and the port to serve HTTPS on. */
  public record Tls(int port, File certificateChain, File privateKey) {}
}
