package io.gatehouse.node.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream end of a pooled connection: hands what the instance sends to whoever currently
 * uses the connection, and closes the connection if the instance speaks or it idles while it sits
 * in the pool.
 */
public final class BackendHandler extends ChannelInboundHandlerAdapter {
  private final UpstreamPool pool;
  private final String address;
  /** An HTTP/2 stream: one exchange, then it closes (its connection stays for other streams). */
  private final boolean stream;
  private UpstreamListener user;
  boolean reused;

  BackendHandler(UpstreamPool pool, String address, boolean stream) {
    this.pool = pool;
    this.address = address;
    this.stream = stream;
  }

  public static BackendHandler of(Channel ch) {
    return (BackendHandler) ch.pipeline().get("backend");
  }

  /** Whether the connection came from the pool (it may have been closed by the instance meanwhile). */
  public boolean takeReused() {
    boolean r = reused;
    reused = false;
    return r;
  }

  /** Hands the connection to {@code listener} (null: nobody uses it). */
  public void use(UpstreamListener listener) {
    this.user = listener;
  }

  /** Gives the connection back to the pool after a clean keep-alive exchange. */
  public void release(Channel ch) {
    user = null;
    if (stream) {
      ch.close();
    } else {
      pool.release(ch, address);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (user != null) {
      user.fromUpstream(msg);
    } else {
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (user != null) {
      user.upstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (user != null && ctx.channel().isWritable()) {
      user.upstreamWritable();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && user == null) {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    pool.forget(ctx.channel(), address);
    if (user != null) {
      user.upstreamClosed(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (user != null) {
      user.upstreamClosed(cause);
    }
    ctx.close();
  }
}
