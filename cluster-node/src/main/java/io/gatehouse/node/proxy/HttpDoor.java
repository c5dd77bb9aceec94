package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.affinity.InstancePicker;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.node.browser.BrowserSessions;
import io.gatehouse.node.metrics.RequestObserver;
import io.gatehouse.node.tcp.SessionPorts;
import io.gatehouse.node.tcp.TcpConnection;
import io.gatehouse.node.tcp.TcpParts;
import io.gatehouse.node.upstream.Upstreams;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of the HTTP/1.1 door shares: the data plane's parts (admission, affinity,
 * upstreams, open exchanges, metrics), the door's settings, and whether the node is draining.
 */
final class HttpDoor {
  private final DataPlane.Parts parts;
  private final AccessLog accessLog;
  private final long clientIdleNanos;
  private final TcpParts tcp;
  private final AtomicInteger active = new AtomicInteger();
  private volatile boolean draining;

  HttpDoor(DataPlane.Parts parts, DataPlaneSettings settings) {
    this.parts = parts;
    this.accessLog = new AccessLog(settings.accessLog());
    this.clientIdleNanos = settings.clientIdleTimeout().toNanos();
    this.tcp = new TcpParts(parts.admission(), parts.picker(), parts.upstreams(), parts.open(), parts.observer());
  }

  /**
   * A tcp connection ended (through the tunnel or a session port): one request in the metrics,
   * its duration as latency, and an access log line.
   */
  void tcpFinished(TcpConnection c, String method, String target, String requestId, int status, long nanos) {
    finished(new AccessLog.Entry(requestId, method, target, c.admitted(), c.instanceId(), status, nanos, c.bytesIn(),
        c.bytesOut()));
  }

  /** A request ended: the metrics count it when it was admitted (they are per route and token), the access log always. */
  void finished(AccessLog.Entry e) {
    Admission.Admitted a = e.admitted();
    if (a != null) {
      parts.observer().finished(a.route().name(), a.token().tokenId().value(), e.instance(), e.status(), e.nanos(),
          e.bytesIn(), e.bytesOut());
    }
    if (accessLog.enabled()) {
      accessLog.log(e);
    }
  }

  /** What the tunnel's tcp connections work with. */
  TcpParts tcp() {
    return tcp;
  }

  Admission admission() {
    return parts.admission();
  }

  InstancePicker picker() {
    return parts.picker();
  }

  Upstreams upstreams() {
    return parts.upstreams();
  }

  OpenExchanges open() {
    return parts.open();
  }

  BrowserSessions sessions() {
    return parts.sessions();
  }

  BrowserLinks links() {
    return parts.links();
  }

  SessionPorts sessionPorts() {
    return parts.sessionPorts();
  }

  /** {@code http} or {@code https}: how consumers reach the gateway (its public URL). */
  String publicScheme() {
    return parts.publicScheme();
  }

  /** This node's address, for the audit. */
  String node() {
    return parts.node();
  }

  /**
   * Whether a request's {@code Origin} is the origin it was sent to: the scheme it came in on (or
   * the public URL's, behind a TLS-terminating balancer) and its {@code Host}.
   */
  boolean sameOrigin(String origin, String scheme, String host) {
    return host != null && (origin.equalsIgnoreCase(scheme + "://" + host)
        || origin.equalsIgnoreCase(parts.publicScheme() + "://" + host));
  }

  RequestObserver observer() {
    return parts.observer();
  }

  AccessLog accessLog() {
    return accessLog;
  }

  /** How long a client connection may wait for its next request head (opened or kept alive). */
  long clientIdleNanos() {
    return clientIdleNanos;
  }

  /** While draining, every answer carries {@code Connection: close} and its connection ends after it. */
  boolean draining() {
    return draining;
  }

  void drain() {
    draining = true;
  }

  void opened() {
    active.incrementAndGet();
  }

  void closed() {
    active.decrementAndGet();
  }

  /** Requests being served by this door now. */
  int active() {
    return active.get();
  }
}
