package io.gatehouse.node.admin;

import io.gatehouse.persistence.Actor;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.token.TokenId;

/** The admin principal behind an admin call, and the node that took it. */
record AdminCaller(PrincipalRef principal, TokenId tokenId, String node) {
  Actor actor() {
    return Actor.of(principal, node);
  }
}
