package io.gatehouse.node.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer-facing HTTP listener: Netty event loops, one per core, native epoll on Linux.
 * Every connection is served by a {@link FrontendHandler} on one loop, with its upstream
 * connections on the same loop.
 */
public final class DataPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DataPlane.class);

  private final DataPlaneContext dp;
  private final EventLoopGroup group;
  private final Channel server;

  private DataPlane(DataPlaneContext dp, EventLoopGroup group, Channel server) {
    this.dp = dp;
    this.group = group;
    this.server = server;
  }

  public static DataPlane start(DataPlaneContext dp, String host, int port, int eventLoops, int maxInitialLineBytes,
      int maxHeaderBytes) throws InterruptedException {
    EventLoopGroup group = dp.transport.group(eventLoops, "gatehouse-data");
    try {
      HttpDecoderConfig decoder = new HttpDecoderConfig()
          .setMaxInitialLineLength(maxInitialLineBytes)
          .setMaxHeaderSize(maxHeaderBytes)
          .setMaxChunkSize(64 * 1024);
      Channel server = new ServerBootstrap()
          .group(group)
          .channel(dp.transport.serverChannel())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.AUTO_READ, false)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast("codec", new HttpServerCodec(decoder));
              ch.pipeline().addLast("frontend", new FrontendHandler(dp));
            }
          })
          .bind(host, port)
          .sync()
          .channel();
      log.info("data plane listening on {} ({}, {} event loops)", server.localAddress(), dp.transport.name(), eventLoops);
      return new DataPlane(dp, group, server);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public DataPlaneContext context() {
    return dp;
  }

  /** Stops accepting connections; requests in flight go on. */
  public void unbind() {
    server.close().syncUninterruptibly();
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
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
