package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.affinity.InstancePicker;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.node.tcp.SessionPorts;
import io.gatehouse.node.tcp.TcpParts;
import io.gatehouse.node.upstream.Upstreams;

/**
 * What every connection of the HTTP doors shares: the data plane's parts (admission, affinity,
 * upstreams, the open exchanges), the doors' settings, and whether the node is draining.
 */
final class HttpDoor {
  private final DataPlane.Parts parts;
  private final long clientIdleNanos;
  private final TcpParts tcp;
  private volatile boolean draining;

  HttpDoor(DataPlane.Parts parts, DataPlaneSettings settings) {
    this.parts = parts;
    this.clientIdleNanos = settings.clientIdleTimeout().toNanos();
    this.tcp = new TcpParts(parts.admission(), parts.picker(), parts.upstreams(), parts.open());
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
}
