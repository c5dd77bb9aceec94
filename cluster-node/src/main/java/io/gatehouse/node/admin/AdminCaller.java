package io.gatehouse.node.admin;

import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.Actor;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.TokenId;

/**
 * The principal behind an admin API call, what it may do, and the node that took it.
 *
 * @param arrival the call as the one admission read it: a call that names a route is admitted
 *     again for it from this
 */
record AdminCaller(TokenValidation.Valid token, String node, Arrival arrival) {
  PrincipalRef principal() {
    return token.principal();
  }

  TokenId tokenId() {
    return token.tokenId();
  }

  boolean admin() {
    return token.admin();
  }

  boolean canRegister() {
    return token.canRegister();
  }

  Actor actor() {
    return Actor.of(token.principal(), node);
  }

  /** The same call, for the route {@code target} names. */
  Arrival forRoute(Arrival.Target target) {
    return new Arrival(arrival.door(), arrival.credential(), arrival.authority(), target, arrival.method(),
        arrival.origin(), -1, arrival.scheme(), false, false);
  }
}
