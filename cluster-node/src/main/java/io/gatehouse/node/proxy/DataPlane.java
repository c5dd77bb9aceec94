package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.affinity.InstancePicker;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.node.metrics.RequestObserver;
import io.gatehouse.node.tcp.SessionPorts;
import io.gatehouse.node.upstream.Upstreams;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer-facing listeners: HTTP, and HTTPS when a certificate is configured, on Netty event
 * loops (one per core, native epoll on Linux). Every connection is served by a
 * {@link FrontendHandler} on one loop, with its upstream connections on the same loop.
 *
 * <p>Stopping is in steps, so that a load balancer in front never sends a request to a node that
 * no longer listens: {@link #drain()} (every answer says {@code Connection: close}), then
 * {@link #stopListening()} (idle connections close, no new ones), then {@link #awaitIdle} for
 * requests in flight, then {@link #close()}.
 */
public final class DataPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataPlane.class);

  /**
   * The parts every door of the data plane works with.
   *
   * @param publicScheme how consumers reach the gateway ({@code http}, {@code https}: the public URL's)
   * @param node this node's address, for the audit
   */
  public record Parts(Admission admission, InstancePicker picker, Upstreams upstreams, OpenExchanges open,
      RequestObserver observer, BrowserLinks links, SessionPorts sessionPorts, String publicScheme, String node) {}

  private final HttpDoor door;
  private final Upstreams upstreams;
  private final EventLoopGroup group;
  private final ChannelGroup clients = new DefaultChannelGroup("gatehouse-clients", GlobalEventExecutor.INSTANCE);
  private Channel server;
  private Channel tlsServer;
  private ServerCertificate certificate;

  private DataPlane(HttpDoor door, Upstreams upstreams, EventLoopGroup group) {
    this.door = door;
    this.upstreams = upstreams;
    this.group = group;
  }

  public static DataPlane start(Parts parts, DataPlaneSettings settings, String host, int port)
      throws InterruptedException {
    parts.open().recordTo(new ExchangeRecorder(parts.observer(), new AccessLog(settings.accessLog())));
    DataPlane dp = new DataPlane(new HttpDoor(parts, settings), parts.upstreams(),
        parts.upstreams().eventLoops(settings.eventLoops(), "gatehouse-data"));
    try {
      HttpDecoderConfig decoder = new HttpDecoderConfig()
          .setMaxInitialLineLength(settings.maxInitialLineBytes())
          .setMaxHeaderSize(settings.maxHeaderBytes())
          .setMaxChunkSize(64 * 1024)
          .setHeadersFactory(Headers.REQUEST_HEADERS);
      dp.server = dp.listen(host, port, decoder, null, settings);
      if (settings.tls() != null) {
        dp.certificate = new ServerCertificate(settings.tls());
        dp.tlsServer = dp.listen(host, settings.tls().port(), decoder, dp.certificate, settings);
      }
      parts.sessionPorts().start(dp.group, parts.upstreams().serverChannel(), dp.door.tcp());
      // Open exchanges are checked again every second: a token expiring mid-stream ends it.
      dp.group.next().scheduleAtFixedRate(parts.open()::sweep, 1, 1, TimeUnit.SECONDS);
      log.info("data plane listening on {}{} ({}, {} event loops)", dp.server.localAddress(),
          dp.tlsServer == null ? "" : " and HTTPS " + dp.tlsServer.localAddress(), parts.upstreams().transport(),
          settings.eventLoops());
      return dp;
    } catch (InterruptedException | RuntimeException e) {
      dp.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * A listener: HTTP/1.1 (and h2c by its preface when {@code GATEHOUSE_H2C=on}), or with
   * {@code certificate} TLS with HTTP/2 or HTTP/1.1 by ALPN.
   */
  private Channel listen(String host, int port, HttpDecoderConfig decoder, ServerCertificate certificate,
      DataPlaneSettings settings) throws InterruptedException {
    ProtocolNegotiation.Http http = new ProtocolNegotiation.Http(door, decoder, settings.maxHeaderBytes(),
        certificate != null);
    return new ServerBootstrap()
        .group(group)
        .channel(upstreams.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 4096)
        .option(ChannelOption.SO_REUSEADDR, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            clients.add(ch);
            if (certificate != null) {
              ch.pipeline().addLast("tls", certificate.current().newHandler(ch.alloc()));
              ch.pipeline().addLast("alpn", new ProtocolNegotiation.Alpn(http));
            } else if (settings.h2c()) {
              ch.pipeline().addLast("preface", new ProtocolNegotiation.PrefaceSniffer(http));
            } else {
              http.http1(ch.pipeline());
            }
          }
        })
        .bind(host, port)
        .sync()
        .channel();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The HTTPS port, or -1 without TLS. */
  public int tlsPort() {
    return tlsServer == null ? -1 : ((InetSocketAddress) tlsServer.localAddress()).getPort();
  }

  /** {@code epoll} or {@code nio}. */
  public String transport() {
    return upstreams.transport();
  }

  /** Requests being served by this node now. */
  public int active() {
    return door.open().active();
  }

  /** From now on every answer carries {@code Connection: close}; the node still listens and serves. */
  public void drain() {
    door.drain();
  }

  /** Stops accepting connections and closes those waiting for a next request; requests in flight go on. */
  public void stopListening() {
    door.drain();
    door.sessionPorts().closeAll();
    server.close().syncUninterruptibly();
    if (tlsServer != null) {
      tlsServer.close().syncUninterruptibly();
    }
    for (Channel ch : clients) {
      ch.eventLoop().execute(() -> {
        FrontendHandler f = ch.pipeline().get(FrontendHandler.class);
        if (f != null) {
          f.closeIfIdle();
        } else if (ch.pipeline().get(Http2FrameCodec.class) != null) {
          // HTTP/2: GOAWAY, then the connection closes once its streams are done.
          ch.close();
        }
      });
    }
  }

  /** Waits until no request is in flight, or {@code timeout} passed; answers whether it drained. */
  public boolean awaitIdle(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (door.open().active() > 0 && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return door.open().active() == 0;
  }

  @Override
  public void close() {
    door.sessionPorts().closeAll();
    if (server.isOpen()) {
      server.close().syncUninterruptibly();
    }
    if (tlsServer != null && tlsServer.isOpen()) {
      tlsServer.close().syncUninterruptibly();
    }
    clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    if (certificate != null) {
      certificate.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
