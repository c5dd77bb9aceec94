package io.gatehouse.node.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How a connection ends after the gateway answered a request it will not read on (a body too
 * large, a refusal while the body was still coming): as nginx's lingering close does. Closing at
 * once would reset a client that is still sending its body before it read the answer (Python's
 * {@code requests} sends the whole body first, and gets a broken pipe instead of the 400). So the
 * answer goes out, the gateway's side is shut for writing, and what the client still sends is
 * read and dropped until it closes its side, stays quiet for {@link #QUIET_MILLIS}, or
 * {@link #MAX_MILLIS} passed; then the connection closes.
 */
final class Lingering extends ChannelInboundHandlerAdapter {
  static final long QUIET_MILLIS = 5_000;
  static final long MAX_MILLIS = 30_000;

  private ScheduledFuture<?> quiet;
  private ScheduledFuture<?> max;

  private Lingering() {}

  /** Closes the connection once {@code answer} is written, lingering as above on a TCP connection. */
  static void closeAfter(ChannelFuture answer) {
    Channel ch = answer.channel();
    if (!(ch instanceof DuplexChannel duplex)) {
      // An HTTP/2 stream: its end is a frame, nothing lingers.
      answer.addListener(ChannelFutureListener.CLOSE);
      return;
    }
    answer.addListener(f -> {
      if (!f.isSuccess() || !ch.isActive()) {
        ch.close();
        return;
      }
      ch.pipeline().addFirst("linger", new Lingering());
      duplex.shutdownOutput();
      ch.config().setAutoRead(true);
      ch.read();
    });
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    max = ctx.executor().schedule(() -> {
      ctx.close();
    }, MAX_MILLIS, TimeUnit.MILLISECONDS);
    rearm(ctx);
  }

  private void rearm(ChannelHandlerContext ctx) {
    if (quiet != null) {
      quiet.cancel(false);
    }
    quiet = ctx.executor().schedule(() -> {
      ctx.close();
    }, QUIET_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
    rearm(ctx);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // Swallowed: nothing behind this handler reads any more.
  }

  /** The client shut its side: done. (Our own side's shutdown is an event too: not the end.) */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent || evt instanceof ChannelInputShutdownReadComplete) {
      ctx.close();
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    quiet.cancel(false);
    max.cancel(false);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
