package io.gatehouse.node.upstream;

import io.gatehouse.node.route.LiveRoute;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;

/**
 * How a pool opens a connection to an instance: over the network (the node), or to a channel a
 * test holds (an exchange tested on Netty's embedded channels, with a fake instance).
 */
@FunctionalInterface
public interface Dialer {
  /**
   * A connection to {@code target} on {@code loop}, set up by {@code init}.
   *
   * @param raw a tcp route's: nothing read until its user asks, its own write limits
   */
  ChannelFuture dial(EventLoop loop, LiveRoute.Target target, int connectTimeoutMillis, ChannelHandler init,
      boolean raw);

  /** Connections over the network, with the options every upstream connection has. */
  static Dialer network(Transport transport) {
    return (loop, target, connectTimeoutMillis, init, raw) -> {
      Bootstrap b = new Bootstrap()
          .group(loop)
          .channel(transport.clientChannel())
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
          .option(ChannelOption.SO_KEEPALIVE, true);
      if (raw) {
        b.option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
      }
      return b.handler(init).connect(target.host(), target.port());
    };
  }
}
