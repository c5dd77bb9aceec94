package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Memos;
import io.gatehouse.node.admission.OpenExchanges;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client end of a data-plane connection. The channel reads only when this handler asks
 * (auto-read is off): a request head is read, then nothing more until the exchange can take the
 * body; body chunks are read while the instance's connection is writable; and the next request
 * is read only once the answer to this one is complete. So a slow instance stops a fast client
 * and the gateway never holds more than a read's worth of any body.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(FrontendHandler.class);

  private final HttpDoor door;
  private final boolean secure;
  /** An HTTP/2 stream: one request, and the stream ends with its answer. */
  private final boolean stream;
  private boolean begun;
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private OpenExchanges.Loop open;
  private Conversation exchange;
  private boolean closing;
  /** One idle check per connection, not one timer per request: it fires at most once per timeout. */
  private ScheduledFuture<?> idleTimer;
  private long idleCheckAt;
  /** Since when (nanoTime) the connection has been waiting for its next request head. */
  private long waitingSince;
  /** What the connection's last credentials were found to be; shared by the streams of an HTTP/2 connection. */
  private Memos memos;
  private static final AttributeKey<Memos> MEMOS = AttributeKey.valueOf("gatehouse.memos");

  FrontendHandler(HttpDoor door, boolean secure, boolean stream) {
    this.door = door;
    this.secure = secure;
    this.stream = stream;
  }

  /** {@code https} on the TLS listener, else {@code http}: what X-Forwarded-Proto says. */
  String scheme() {
    return secure ? "https" : "http";
  }

  /** Which door this is: an HTTP/1.1 connection, or a stream of an HTTP/2 one. */
  Arrival.Door door() {
    return stream ? Arrival.Door.HTTP2 : Arrival.Door.HTTP1;
  }

  /** The open exchanges of this connection's event loop. */
  OpenExchanges.Loop openExchanges() {
    return open;
  }

  /** What this connection last presented as credentials, as checked. */
  Memos memos() {
    return memos;
  }

  /** The client's address, as {@code X-Forwarded-For} and the access log give it. */
  String clientAddress() {
    return Headers.clientIp(connection());
  }

  /** The client's address as an address (a session port's {@code allowFrom} defaults to it). */
  java.net.InetAddress clientInetAddress() {
    return ((java.net.InetSocketAddress) connection().remoteAddress()).getAddress();
  }

  /** The client's connection (an HTTP/2 stream's parent). */
  Channel connection() {
    return stream ? ((Http2StreamChannel) ctx.channel()).parent() : ctx.channel();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.open = door.open().on(ctx.executor());
    this.memos = stream ? memosOf(((Http2StreamChannel) ctx.channel()).parent()) : new Memos();
    if (ctx.channel().isActive()) {
      // Added once the protocol was chosen (ALPN, the h2c preface): the connection is already up.
      begin();
    }
  }

  /** An HTTP/2 connection's memos, shared by its streams (which all run on its loop). */
  private static Memos memosOf(Channel connection) {
    Memos m = connection.attr(MEMOS).get();
    if (m == null) {
      m = new Memos();
      connection.attr(MEMOS).set(m);
    }
    return m;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    begin();
    ctx.fireChannelActive();
  }

  private void begin() {
    if (!begun) {
      begun = true;
      if (!stream) {
        // A stream's head is there already (its HEADERS opened it): nothing to wait for.
        waitForRequest();
      }
      ctx.read();
    }
  }

  /** Starts the wait for the next request head, bounded by the client idle timeout. */
  private void waitForRequest() {
    waitingSince = System.nanoTime();
    idleCheckBy(waitingSince + door.clientIdleNanos());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof FullHttpRequest full) {
      // A request in one piece (HTTP/2: HEADERS that end the stream): its head, then its end.
      DefaultHttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      head.setDecoderResult(full.decoderResult());
      pending.add(head);
      pending.add(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
    } else {
      pending.add(msg);
    }
    drain();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (wantsInput()) {
      ctx.read();
    }
  }

  /** Hands queued input to the current exchange, starts the next one, and asks for more input. */
  void drain() {
    while (!pending.isEmpty() && !closing) {
      Object head = pending.peek();
      if (exchange == null) {
        pending.poll();
        if (head instanceof HttpRequest request) {
          exchange = TunnelRequest.isFor(request) ? new TunnelRequest(this, ctx, door, request)
              : GatewayRequest.isFor(request) ? new GatewayRequest(this, ctx, door, request)
              : new Exchange(this, ctx, door, request);
          exchange.start();
        } else {
          // The end of a request that was already answered (the empty last content of a GET).
          ReferenceCountUtil.release(head);
        }
        continue;
      }
      if (!(head instanceof HttpContent) || !exchange.canTakeMore()) {
        break;
      }
      pending.poll();
      exchange.forwardBody((HttpContent) head);
    }
    if (wantsInput()) {
      ctx.read();
    }
  }

  private boolean wantsInput() {
    return !closing && pending.isEmpty() && ctx.channel().isActive()
        && (exchange == null || exchange.canTakeMore());
  }

  /**
   * The exchange answered; with {@code keepAlive} the connection takes the next request. An HTTP/2
   * stream takes none: it ends by itself once both sides ended it.
   */
  void exchangeDone(boolean keepAlive) {
    exchange = null;
    if (!keepAlive || stream) {
      closing = true;
      releasePending();
      return;
    }
    waitForRequest();
    drain();
  }

  /** Makes sure the idle check runs no later than {@code deadlineNanos} ({@link System#nanoTime()}). */
  void idleCheckBy(long deadlineNanos) {
    if (idleTimer != null) {
      if (idleCheckAt - deadlineNanos <= 0) {
        return;
      }
      idleTimer.cancel(false);
    }
    idleCheckAt = deadlineNanos;
    idleTimer = ctx.executor().schedule(this::idleCheck, Math.max(1, deadlineNanos - System.nanoTime()),
        TimeUnit.NANOSECONDS);
  }

  /**
   * Runs when the earliest deadline of this connection may have passed: the exchange's own (the
   * instance's idle timeout) while there is one, else the wait for the next request head.
   */
  private void idleCheck() {
    idleTimer = null;
    if (closing) {
      return;
    }
    if (exchange != null) {
      long next = exchange.idleCheck();
      if (next != 0 && exchange != null) {
        idleCheckBy(next);
      }
      return;
    }
    long deadline = waitingSince + door.clientIdleNanos();
    if (System.nanoTime() - deadline < 0) {
      idleCheckBy(deadline);
    } else {
      // No request head in time: an idle keep-alive connection, or a client sending its head
      // too slowly. Nothing is owed to it; the connection just ends.
      closing = true;
      releasePending();
      ctx.close();
    }
  }

  /**
   * After a WebSocket upgrade: this handler steps aside ({@link WebSocketTunnel} takes the
   * connection over). Bytes the decoder already holds past the upgrade request go to the tunnel.
   */
  void becomeTunnel() {
    exchange = null;
    closing = true;
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
    releasePending();
    ctx.pipeline().remove(this);
  }

  /** While the node drains: a connection waiting for its next request is closed. */
  void closeIfIdle() {
    if (exchange == null && !closing && pending.isEmpty()) {
      closing = true;
      ctx.close();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null && ctx.channel().isWritable()) {
      exchange.clientWritable();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    if (idleTimer != null) {
      idleTimer.cancel(false);
      idleTimer = null;
    }
    releasePending();
    if (exchange != null) {
      exchange.clientGone();
      exchange = null;
    }
  }

  /**
   * A failure of the connection (a reset, a broken pipe) ends it. Any other exception is a fault
   * of the gateway's: it is logged with its stack, and the request in progress still gets an
   * answer (or, mid-answer, a clean end), never a connection closed without a word.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof java.io.IOException || exchange == null || closing) {
      log.debug("client connection failed: {}", cause.toString());
      ctx.close();
      return;
    }
    log.warn("request on {} failed", ctx.channel().remoteAddress(), cause);
    Conversation failed = exchange;
    failed.failed(cause);
  }

  private void releasePending() {
    Object m;
    while ((m = pending.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }
}
