package io.gatehouse.node.upstream;

import io.gatehouse.node.route.LiveRoute;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * HTTP/2 connections to instances of {@code h2c} and {@code h2} routes, on one event loop: an
 * exchange gets a stream of its own on a connection to its instance, opening a connection only
 * when none can take another stream (none yet, the instance's stream limit reached, or GOAWAY).
 * A stream's channel carries HTTP objects, so the exchange writes its request and reads its
 * answer as it would over HTTP/1.1; the stream's flow-control window is its backpressure.
 */
final class Http2Connections {
  private final EventLoop loop;
  private final SslContext tls;
  private final UpstreamPool pool;
  private final Map<String, List<Parent>> byAddress = new HashMap<>();

  /** One connection to an instance; {@code ready} completes once it can open streams (TLS and ALPN done). */
  private record Parent(Channel channel, Http2FrameCodec codec, Promise<Channel> ready) {
    boolean usable() {
      return channel.isActive() && !codec.connection().goAwayReceived() && codec.connection().local().canOpenStream();
    }
  }

  Http2Connections(EventLoop loop, SslContext tls, UpstreamPool pool) {
    this.loop = loop;
    this.tls = tls;
    this.pool = pool;
  }

  /**
   * A new stream to {@code target}, over TLS when {@code secure}; on a connection of its own
   * when {@code fresh}. The stream's channel reads as a pooled HTTP/1.1 connection does: on,
   * until its user turns reading off (backpressure).
   */
  Future<Channel> stream(LiveRoute.Target target, int connectTimeoutMillis, boolean secure, boolean fresh) {
    Promise<Channel> promise = loop.newPromise();
    Parent parent = fresh ? null : usable(target.address());
    boolean reused = parent != null && parent.ready().isSuccess();
    if (parent == null) {
      parent = connect(target, connectTimeoutMillis, secure);
    }
    Parent p = parent;
    p.ready().addListener(f -> {
      if (!f.isSuccess()) {
        promise.tryFailure(f.cause());
        return;
      }
      new Http2StreamChannelBootstrap(p.channel())
          .handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
              ch.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(false));
              BackendHandler backend = new BackendHandler(pool, target.address(), true);
              backend.reused = reused;
              ch.pipeline().addLast("backend", backend);
            }
          })
          .open()
          .addListener(opened -> {
            if (opened.isSuccess()) {
              promise.trySuccess((Channel) opened.getNow());
            } else {
              promise.tryFailure(opened.cause());
            }
          });
    });
    return promise;
  }

  private Parent usable(String address) {
    List<Parent> parents = byAddress.get(address);
    if (parents != null) {
      for (Parent p : parents) {
        if (!p.ready().isDone() || p.usable()) {
          return p;
        }
      }
    }
    return null;
  }

  private Parent connect(LiveRoute.Target target, int connectTimeoutMillis, boolean secure) {
    Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
        .validateHeaders(true)
        .build();
    ChannelFuture connect = pool.dial(target, connectTimeoutMillis, new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        if (secure) {
          ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), target.host(), target.port()));
        }
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, UpstreamPool.IDLE_SECONDS, TimeUnit.SECONDS));
        ch.pipeline().addLast("h2", codec);
        // Streams the instance would open (push) are refused by the settings; nothing handles them.
        ch.pipeline().addLast("streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        ch.pipeline().addLast("end", new Http2IdleClose(codec));
      }
    }, false);
    Parent parent = new Parent(connect.channel(), codec, ready(connect, secure));
    byAddress.computeIfAbsent(target.address(), a -> new ArrayList<>()).add(parent);
    connect.channel().closeFuture().addListener(f -> {
      parent.ready().tryFailure(new IOException("the instance closed the HTTP/2 connection"));
      List<Parent> parents = byAddress.get(target.address());
      if (parents != null) {
        parents.remove(parent);
        if (parents.isEmpty()) {
          byAddress.remove(target.address());
        }
      }
    });
    return parent;
  }

  /** Completes once the connection can open streams: connected, and over TLS once ALPN chose h2. */
  private Promise<Channel> ready(ChannelFuture connect, boolean secure) {
    Promise<Channel> ready = loop.newPromise();
    connect.addListener(f -> {
      AddressPolicy.Refused refused = f.isSuccess() ? pool.refused(connect.channel()) : null;
      if (refused != null) {
        connect.channel().close();
        ready.tryFailure(refused);
      } else if (!f.isSuccess()) {
        ready.tryFailure(f.cause());
      } else if (!secure) {
        ready.trySuccess(connect.channel());
      } else {
        SslHandler ssl = connect.channel().pipeline().get(SslHandler.class);
        ssl.handshakeFuture().addListener(h -> {
          if (!h.isSuccess()) {
            ready.tryFailure(h.cause());
          } else if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
            ready.tryFailure(new SSLException("the instance did not agree to HTTP/2 (ALPN h2)"));
            connect.channel().close();
          } else {
            ready.trySuccess(connect.channel());
          }
        });
      }
    });
    return ready;
  }
}
