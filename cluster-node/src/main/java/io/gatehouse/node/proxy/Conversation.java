package io.gatehouse.node.proxy;

import io.netty.handler.codec.http.HttpContent;

/**
 * One request on a client connection, as {@link FrontendHandler} drives it: a proxied
 * {@link Exchange}, or a {@link GatewayRequest} that the gateway answers itself.
 */
interface Conversation {
  void start();

  /** Whether the request's body may be read on now. */
  boolean canTakeMore();

  void forwardBody(HttpContent content);

  /** The client can take more of the answer again. */
  void clientWritable();

  /** The connection's idle check: when to look again (System.nanoTime), or 0. */
  long idleCheck();

  /** The client went away. */
  void clientGone();

  /**
   * Handling it failed in a way no rule foresaw (a bug): it still gets an answer (500) if none
   * began, else a clean end; never silence.
   */
  void failed(Throwable cause);
}
