package io.gatehouse.node.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer-facing HTTP listener (and HTTPS, when a certificate is configured): Netty event
 * loops, one per core, native epoll on Linux.
 * Every connection is served by a {@link FrontendHandler} on one loop, with its upstream
 * connections on the same loop.
 */
public final class DataPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataPlane.class);

  private final DataPlaneContext dp;
  private final EventLoopGroup group;
  private final Channel server;
  private final Channel tlsServer;

  private DataPlane(DataPlaneContext dp, EventLoopGroup group, Channel server, Channel tlsServer) {
    this.dp = dp;
    this.group = group;
    this.server = server;
    this.tlsServer = tlsServer;
  }

  /** A PEM certificate chain and private key (PKCS#8), and the port to serve HTTPS on. */
  public record Tls(int port, File certificateChain, File privateKey) {}

  public static DataPlane start(DataPlaneContext dp, String host, int port, Tls tls, int eventLoops,
      int maxInitialLineBytes, int maxHeaderBytes) throws InterruptedException {
    EventLoopGroup group = dp.transport.group(eventLoops, "gatehouse-data");
    try {
      HttpDecoderConfig decoder = new HttpDecoderConfig()
          .setMaxInitialLineLength(maxInitialLineBytes)
          .setMaxHeaderSize(maxHeaderBytes)
          .setMaxChunkSize(64 * 1024)
          .setHeadersFactory(Headers.REQUEST_HEADERS);
      Channel server = listen(dp, group, host, port, decoder, null);
      Channel tlsServer = null;
      if (tls != null) {
        SslContext ssl;
        try {
          ssl = SslContextBuilder.forServer(tls.certificateChain(), tls.privateKey()).build();
        } catch (SSLException | IllegalArgumentException e) {
          throw new IllegalArgumentException("cannot use the TLS certificate and key (PEM, key in PKCS#8): "
              + e.getMessage(), e);
        }
        tlsServer = listen(dp, group, host, tls.port(), decoder, ssl);
      }
      log.info("data plane listening on {}{} ({}, {} event loops)", server.localAddress(),
          tlsServer == null ? "" : " and HTTPS " + tlsServer.localAddress(), dp.transport.name(), eventLoops);
      return new DataPlane(dp, group, server, tlsServer);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  private static Channel listen(DataPlaneContext dp, EventLoopGroup group, String host, int port,
      HttpDecoderConfig decoder, SslContext ssl) throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(dp.transport.serverChannel())
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
            if (ssl != null) {
              ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc()));
            }
            ch.pipeline().addLast("codec", new HttpServerCodec(decoder));
            ch.pipeline().addLast("frontend", new FrontendHandler(dp, ssl != null));
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

  public DataPlaneContext context() {
    return dp;
  }

  /** Stops accepting connections; requests in flight go on. */
  public void unbind() {
    server.close().syncUninterruptibly();
    if (tlsServer != null) {
      tlsServer.close().syncUninterruptibly();
    }
  }

  /** Waits until no request is in flight, or {@code timeout} passed; answers whether it drained. */
  public boolean drain(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (dp.active() > 0 && System.nanoTime() < deadline) {
      try {
        TimeUnit.MILLISECONDS.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return dp.active() == 0;
  }

  @Override
  public void close() {
    if (server.isOpen()) {
      server.close().syncUninterruptibly();
    }
    if (tlsServer != null && tlsServer.isOpen()) {
      tlsServer.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
