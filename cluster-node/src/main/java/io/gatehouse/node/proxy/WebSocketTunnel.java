package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.admission.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket after its upgrade: the bytes of both directions relayed between the client and the
 * instance, with backpressure (a side stops reading while the other cannot take more). It carries
 * on the exchange that was upgraded (its record, open under its token and route) until either
 * side closes, the route's idle timeout passes, or its access ends; then the record finishes,
 * with status 101, the WebSocket's duration and its bytes. When its access ends the client gets a
 * close frame with code 1008 (policy violation) and the reason, placed between two of the
 * instance's frames, never inside one.
 */
final class WebSocketTunnel {
  /** A cut waits at most this long for the instance's frame in progress to end. */
  private static final long CUT_WAIT_MILLIS = 500;
  private static final int POLICY_VIOLATION = 1008;

  private final Channel client;
  private final Channel upstream;
  private final OpenExchanges.Open record;
  private final FrameBoundary serverFrames = new FrameBoundary();
  private String closeReason;

  private WebSocketTunnel(Channel client, Channel upstream, OpenExchanges.Open record) {
    this.client = client;
    this.upstream = upstream;
    this.record = record;
  }

  /** Takes over both connections (their HTTP codecs go) and the exchange's record, on their common event loop. */
  static void start(Channel client, Channel upstream, int idleSeconds, OpenExchanges.Open record) {
    WebSocketTunnel t = new WebSocketTunnel(client, upstream, record);
    // The codecs go after the relays are in place: bytes a decoder already holds pass on to them.
    client.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS));
    client.pipeline().addLast("tunnel", t.new FromClient());
    client.pipeline().remove(HttpServerCodec.class);
    upstream.pipeline().replace("idle", "idle", new IdleStateHandler(0, 0, idleSeconds, TimeUnit.SECONDS));
    upstream.pipeline().replace("backend", "tunnel", t.new FromInstance());
    upstream.pipeline().remove(HttpClientCodec.class);
    record.onCut(t::cut);
    upstream.config().setAutoRead(true);
    client.config().setAutoRead(true);
    client.flush();
  }

  private void cut(Refusal why) {
    closeReason = ascii("access ended: " + why.message());
    if (serverFrames.atBoundary()) {
      closeClient();
    } else {
      // The instance's frame in progress is let through first, for a little while at most.
      client.eventLoop().schedule(this::closeBoth, CUT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void closeClient() {
    byte[] reason = closeReason.getBytes(StandardCharsets.US_ASCII);
    ByteBuf frame = client.alloc().buffer(4 + reason.length)
        .writeByte(0x88).writeByte(2 + reason.length)
        .writeShort(POLICY_VIOLATION).writeBytes(reason);
    client.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    upstream.close();
  }

  private void closeBoth() {
    record.finish(101);
    client.close();
    upstream.close();
  }

  /** Printable ASCII, at most the 123 bytes a close frame's reason may have. */
  static String ascii(String s) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), 123));
    for (int i = 0; i < s.length() && sb.length() < 123; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb.toString();
  }

  /** The relay's two ends share everything but the direction. */
  private abstract class End extends ChannelInboundHandlerAdapter {
    abstract Channel peer();

    void relay(ChannelHandlerContext ctx, ByteBuf bytes) {
      Channel peer = peer();
      if (peer == client) {
        record.bytesOut(bytes.readableBytes());
      } else {
        record.bytesIn(bytes.readableBytes());
      }
      peer.writeAndFlush(bytes).addListener((ChannelFutureListener) f -> {
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
        peer().config().setAutoRead(true);
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
      record.finish(101);
      Channel peer = peer();
      if (peer.isActive()) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Client to instance: dropped once the tunnel is being cut. */
  private final class FromClient extends End {
    @Override
    Channel peer() {
      return upstream;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf bytes) || closeReason != null) {
        // The end marker the HTTP decoder emits after the upgrade request is not bytes.
        ReferenceCountUtil.release(msg);
        return;
      }
      relay(ctx, bytes);
    }
  }

  /** Instance to client: frame boundaries are tracked, so a cut can close between two frames. */
  private final class FromInstance extends End {
    @Override
    Channel peer() {
      return client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf bytes)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (closeReason == null) {
        serverFrames.advance(bytes, false);
        relay(ctx, bytes);
        return;
      }
      // Being cut: the rest of the frame in progress goes, then the close frame.
      int upTo = serverFrames.advance(bytes, true);
      if (upTo > 0) {
        relay(ctx, bytes.readRetainedSlice(upTo));
      }
      bytes.release();
      if (serverFrames.atBoundary() && client.isActive()) {
        ctx.channel().config().setAutoRead(false);
        closeClient();
      }
    }
  }
}
