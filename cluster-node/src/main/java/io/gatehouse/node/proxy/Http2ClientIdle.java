package io.gatehouse.node.proxy;

import io.gatehouse.node.upstream.Http2IdleClose;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client idle timeout of an HTTP/2 connection: a connection with no stream open for the
 * timeout closes (GOAWAY, then the close), however many PINGs or SETTINGS its client sends;
 * those keep a connection alive at no cost to the client, so they are not activity. Only a new
 * stream is. Failures are taken as {@link Http2IdleClose} takes them.
 */
final class Http2ClientIdle extends ChannelInboundHandlerAdapter {
  private final Http2FrameCodec codec;
  private final long idleNanos;
  private final Http2IdleClose failures;
  private long idleSince = System.nanoTime();
  private ScheduledFuture<?> check;

  Http2ClientIdle(Http2FrameCodec codec, long idleNanos) {
    this.codec = codec;
    this.idleNanos = idleNanos;
    this.failures = new Http2IdleClose(codec);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    codec.connection().addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamClosed(Http2Stream stream) {
        if (codec.connection().numActiveStreams() == 0) {
          idleSince = System.nanoTime();
        }
      }
    });
    schedule(ctx, idleNanos);
  }

  private void schedule(ChannelHandlerContext ctx, long inNanos) {
    check = ctx.executor().schedule(() -> check(ctx), Math.max(1, inNanos), TimeUnit.NANOSECONDS);
  }

  private void check(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      return;
    }
    Http2Connection connection = codec.connection();
    long quiet = System.nanoTime() - idleSince;
    if (connection.numActiveStreams() == 0 && quiet >= idleNanos) {
      ctx.close();
    } else {
      schedule(ctx, connection.numActiveStreams() == 0 ? idleNanos - quiet : idleNanos);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (check != null) {
      check.cancel(false);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    failures.exceptionCaught(ctx, cause);
  }
}
