package io.gatehouse.node.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an HTTP/2 connection's pipeline, client's or instance's: it closes the connection
 * when it idled with no stream open (an idle event, from an {@code IdleStateHandler} before it),
 * and takes its failures. A protocol error is the codec's to answer (GOAWAY with the error's
 * code, then it closes), so it is only noted; any other failure (a reset) closes the connection.
 */
public final class Http2IdleClose extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Http2IdleClose.class);
  private final Http2FrameCodec codec;

  public Http2IdleClose(Http2FrameCodec codec) {
    this.codec = codec;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && codec.connection().numActiveStreams() == 0) {
      ctx.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP/2 connection with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
      ctx.close();
    }
  }
}
