package io.gatehouse.node.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream end of a pooled connection: hands what the instance sends to the exchange that
 * currently uses the connection, and closes the connection if the instance speaks or it idles
 * while it sits in the pool.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
  private final UpstreamPool pool;
  private final String address;
  Exchange exchange;
  boolean reused;

  BackendHandler(UpstreamPool pool, String address) {
    this.pool = pool;
    this.address = address;
  }

  static BackendHandler of(Channel ch) {
    return (BackendHandler) ch.pipeline().get("backend");
  }

  void release(Channel ch) {
    exchange = null;
    pool.release(ch, address);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (exchange != null) {
      exchange.fromUpstream(msg);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.flushClient();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null && ctx.channel().isWritable()) {
      exchange.upstreamWritable();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && exchange == null) {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.forget(ctx.channel(), address);
    if (exchange != null) {
      exchange.upstreamClosed(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (exchange != null) {
      exchange.upstreamClosed(cause);
    }
    ctx.close();
  }
}
