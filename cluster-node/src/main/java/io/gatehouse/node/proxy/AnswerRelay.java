package io.gatehouse.node.proxy;

import io.gatehouse.node.upstream.UpstreamListener;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The answer's way back: what the instance sends for one {@link Exchange}, to its client, chunk by
 * chunk as it arrives (nothing is aggregated), with backpressure (the instance is not read while
 * the client cannot take more). Interim answers (1xx) are not the end: the final one follows.
 */
final class AnswerRelay implements UpstreamListener {
  private final Exchange exchange;
  private final ChannelHandlerContext client;
  private final String requestId;
  private final boolean clientHttp11;
  private final Headers.ClientView view;
  private boolean upstreamKeepAlive;
  private boolean skipInterimEnd;

  AnswerRelay(Exchange exchange, ChannelHandlerContext client, String requestId, boolean clientHttp11,
      Headers.ClientView view) {
    this.view = view;
    this.exchange = exchange;
    this.client = client;
    this.requestId = requestId;
    this.clientHttp11 = clientHttp11;
  }

  @Override
  public void fromUpstream(Object msg) {
    if (exchange.ended()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof FullHttpResponse full) {
      if (full.status().code() >= 200 && !(full.status().code() == 101 && exchange.isUpgrade())) {
        whole(full);
        return;
      }
      // An interim answer (1xx), or an upgrade's: its head, then its end.
      fromUpstream(new DefaultHttpResponse(full.protocolVersion(), full.status(), full.headers()));
      fromUpstream(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
      return;
    }
    exchange.touch();
    if (msg instanceof HttpResponse response) {
      int code = response.status().code();
      if (code == 101 && exchange.isUpgrade()) {
        exchange.switchToWebSocket(response);
        return;
      }
      if (code < 200) {
        interim(response);
        return;
      }
      head(response);
    }
    if (msg instanceof HttpContent content) {
      if (skipInterimEnd) {
        // The (empty) end the decoder gives every interim answer.
        skipInterimEnd = !(content instanceof LastHttpContent);
        content.release();
        return;
      }
      exchange.answered(content.content().readableBytes());
      ChannelFuture written = client.write(content);
      if (!client.channel().isWritable()) {
        exchange.upstream().config().setAutoRead(false);
      }
      if (content instanceof LastHttpContent) {
        exchange.complete(upstreamKeepAlive, written);
      }
    } else if (!(msg instanceof HttpResponse)) {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * A 100 is not passed on (the gateway answered the client's expectation itself when it admitted
   * the request); 102 and 103 go to HTTP/1.1 clients.
   */
  private void interim(HttpResponse response) {
    if (clientHttp11 && response.status().code() != 100) {
      Headers.stripHopByHop(response.headers());
      FullHttpResponse copy = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
          Unpooled.EMPTY_BUFFER, response.headers(), EmptyHttpHeaders.INSTANCE);
      client.writeAndFlush(copy);
    }
    skipInterimEnd = true;
  }

  /**
   * An answer in one piece (over HTTP/2: one HEADERS frame that ends the stream) goes on in one
   * piece, so an HTTP/2 client receives it as it was sent: a gRPC error answered "trailers-only"
   * (its {@code grpc-status} in that one HEADERS frame) stays a gRPC error, not a stream that
   * ends without a status.
   */
  private void whole(FullHttpResponse full) {
    exchange.touch();
    int status = full.status().code();
    upstreamKeepAlive = HttpUtil.isKeepAlive(full);
    exchange.answering(status);
    Headers.toClient(full.headers(), requestId, exchange.instanceId(), exchange.keepClient(), false);
    Headers.rewriteForClient(full.headers(), view);
    boolean bodyless = status == 204 || status == 304 || exchange.isHead();
    if (!exchange.overHttp2() && !bodyless && !HttpUtil.isContentLengthSet(full)) {
      HttpUtil.setContentLength(full, full.content().readableBytes());
    }
    full.setProtocolVersion(clientHttp11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0);
    exchange.answered(full.content().readableBytes());
    exchange.complete(upstreamKeepAlive, client.write(full));
  }

  private void head(HttpResponse response) {
    int status = response.status().code();
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    exchange.answering(status);
    boolean bodyless = status == 204 || status == 304 || exchange.isHead();
    boolean chunked = clientHttp11 && !bodyless && !HttpUtil.isContentLengthSet(response);
    Headers.toClient(response.headers(), requestId, exchange.instanceId(), exchange.keepClient(), chunked);
    Headers.rewriteForClient(response.headers(), view);
    response.setProtocolVersion(clientHttp11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0);
    client.write(response);
  }

  @Override
  public void upstreamReadComplete() {
    if (client.channel().isActive()) {
      client.flush();
    }
  }

  @Override
  public void upstreamWritable() {
    exchange.upstreamWritable();
  }

  @Override
  public void upstreamClosed(Throwable cause) {
    exchange.upstreamClosed(cause);
  }
}
