package io.gatehouse.node.admin;

import io.gatehouse.persistence.Actor;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.TokenId;

/** The principal behind an admin API call, what it may do, and the node that took it. */
record AdminCaller(PrincipalRef principal, TokenId tokenId, String node, boolean admin, boolean canRegister) {
  Actor actor() {
    return Actor.of(principal, node);
  }
}
