package io.gatehouse.node.metrics;

import io.gatehouse.node.token.TokenValidation;

/** What the data plane reports about each request, for metrics; called on the event loop, must not block. */
public interface RequestObserver {
  /** A request on a route ended; {@code instanceId} is null when no instance was chosen. */
  void finished(String route, String tokenId, String instanceId, int status, long nanos, long bytesIn, long bytesOut);

  /** A bearer token was checked. */
  void validated(TokenValidation validation);
}
