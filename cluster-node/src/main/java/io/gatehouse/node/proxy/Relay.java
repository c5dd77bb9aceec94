package io.gatehouse.node.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Bytes from one channel to its peer, after a WebSocket upgrade: reading stops while the peer
 * cannot take more and resumes when it can, so neither side can fill the gateway's memory.
 */
final class Relay extends ChannelInboundHandlerAdapter {
  private final Channel peer;

  Relay(Channel peer) {
    this.peer = peer;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof io.netty.buffer.ByteBuf)) {
      // The end marker the HTTP decoder emits after a 101, or the upgrade request's: not bytes.
      io.netty.util.ReferenceCountUtil.release(msg);
      return;
    }
    peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
      if (!f.isSuccess()) {
        f.channel().close();
      }
    });
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeAfterFlush(peer);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  static void closeAfterFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
