package io.gatehouse.node.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How a client connection comes to speak HTTP/1.1 or HTTP/2: on the TLS port by ALPN ({@code h2}
 * or {@code http/1.1}); on the plain port HTTP/1.1, or, with {@code GATEHOUSE_H2C=on}, HTTP/2 when
 * the connection opens with the HTTP/2 preface (prior knowledge). Over HTTP/2 each stream gets a
 * {@link FrontendHandler} of its own, on a channel that carries its request and answer as HTTP
 * objects, so that a stream is admitted and proxied exactly as an HTTP/1.1 request is; HTTP/2's
 * flow control is the backpressure (a stream's channel reads only when its exchange can take more,
 * and is writable only while the client's window is open).
 *
 * <p>Limits against abuse: at most {@link #MAX_CONCURRENT_STREAMS} streams at once, header blocks
 * of at most the HTTP/1.1 header limit, Netty's guard against RST floods (CVE-2023-44487, "Rapid
 * Reset": more than 200 resets in 30 s closes the connection), and the client idle timeout on
 * every connection in every protocol: one that has not said which protocol it speaks (part of the
 * h2c preface, say) closes when it passes, and an HTTP/2 connection with no stream open closes
 * after it however many PINGs its client sends ({@link Http2ClientIdle}).
 */
final class ProtocolNegotiation {
  static final int MAX_CONCURRENT_STREAMS = 128;

  private ProtocolNegotiation() {}

  /** How one listener speaks HTTP: its door, its HTTP/1.1 decoder's limits, and whether it is TLS. */
  record Http(HttpDoor door, HttpDecoderConfig decoder, int maxHeaderBytes, boolean secure) {
    /** The handlers of an HTTP/1.1 connection. */
    void http1(ChannelPipeline p) {
      p.addLast("codec", new HttpServerCodec(decoder));
      p.addLast("frontend", new FrontendHandler(door, secure, false));
    }

    /** The handlers of an HTTP/2 connection: the frame codec, and a channel per stream. */
    void h2(Channel ch) {
      Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
          .initialSettings(Http2Settings.defaultSettings()
              .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
              .maxHeaderListSize(maxHeaderBytes))
          .validateHeaders(true)
          .build();
      ChannelPipeline p = ch.pipeline();
      p.addLast("h2", codec);
      p.addLast("streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
        @Override
        protected void initChannel(Http2StreamChannel stream) {
          stream.config().setAutoRead(false);
          stream.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(true));
          stream.pipeline().addLast("frontend", new FrontendHandler(door, secure, true));
        }
      }));
      p.addLast("end", new Http2ClientIdle(codec, door.clientIdleNanos()));
      // HTTP/2 multiplexes: the connection reads on, each stream's window bounds what waits unread.
      ch.config().setAutoRead(true);
    }
  }

  /** The TLS port: HTTP/2 or HTTP/1.1 as the handshake's ALPN says (HTTP/1.1 without ALPN). */
  static final class Alpn extends ApplicationProtocolNegotiationHandler {
    private final Http http;

    Alpn(Http http) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.http = http;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      // Reads are asked for explicitly on this door (auto-read is off): the handshake needs them.
      ctx.read();
      super.channelActive(ctx);
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        http.h2(ctx.channel());
      } else {
        http.http1(ctx.pipeline());
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /**
   * The plain port with h2c on: the first bytes tell. The HTTP/2 preface ({@code PRI *
   * HTTP/2.0...}) can be no HTTP/1.1 request line, so a prefix that differs from it is HTTP/1.1.
   */
  static final class PrefaceSniffer extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final Http http;

    PrefaceSniffer(Http http) {
      this.http = http;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      ctx.read();
      // A connection that has not told which protocol it speaks within the idle timeout (nothing
      // at all, or a part of the preface) ends: the timeout holds before either protocol does.
      ctx.executor().schedule(() -> {
        if (ctx.pipeline().get(PrefaceSniffer.class) == this) {
          ctx.close();
        }
      }, http.door().clientIdleNanos(), TimeUnit.NANOSECONDS);
      super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
      if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n)) {
        http.http1(ctx.pipeline());
        ctx.pipeline().remove(this);
      } else if (n == PREFACE.readableBytes()) {
        http.h2(ctx.channel());
        ctx.pipeline().remove(this);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
      super.channelReadComplete(ctx);
      if (ctx.pipeline().get(PrefaceSniffer.class) == this && !ctx.channel().config().isAutoRead()) {
        ctx.read();
      }
    }
  }
}
