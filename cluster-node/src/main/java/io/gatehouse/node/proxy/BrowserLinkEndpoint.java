package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Arrival;
import io.gatehouse.protocol.api.BrowserLinkJson;

/**
 * {@code POST /_gatehouse/browser-links} with a bearer token and {@code {"route","next"}}: a
 * browser link for a browser route the token may use (admitted for that route by the one
 * admission: RBAC, the token's route scope, the route enabled), to a path on it.
 */
final class BrowserLinkEndpoint {
  private BrowserLinkEndpoint() {}

  static void create(GatewayCall call) {
    BrowserLinkJson.Request req = call.json(BrowserLinkJson.Request.class);
    if (req == null) {
      return;
    }
    call.admit(new Arrival.Named(req.route().value(), false), admitted ->
        call.later(() -> call.door().links().create(admitted, req.next(), call.door().node()), call::created));
  }
}
