package io.gatehouse.node.upstream;

import io.gatehouse.node.route.LiveRoute;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to instances, one pool per event loop: a client connection and the
 * upstream connection serving it live on the same loop, so a proxied request crosses no thread
 * and the pool needs no lock (it is only touched from its loop).
 */
public final class UpstreamPool {
  /** A pooled connection nobody used for this long is closed. */
  static final int IDLE_SECONDS = 60;

  private final EventLoop loop;
  private final Transport transport;
  private final int maxIdlePerInstance;
  private final Map<String, ArrayDeque<Channel>> idle = new HashMap<>();
  private final ArrayList<Channel> toFlush = new ArrayList<>();
  private final Runnable flushAll = this::flushAll;
  private boolean flushScheduled;

  UpstreamPool(EventLoop loop, Transport transport, int maxIdlePerInstance) {
    this.loop = loop;
    this.transport = transport;
    this.maxIdlePerInstance = maxIdlePerInstance;
  }

  /** A connection to {@code target}: an idle pooled one unless {@code fresh}, else a new one. */
  public Future<Channel> acquire(LiveRoute.Target target, int connectTimeoutMillis, boolean fresh) {
    if (!fresh) {
      ArrayDeque<Channel> q = idle.get(target.address());
      while (q != null && !q.isEmpty()) {
        Channel ch = q.pollLast();
        if (ch.isActive()) {
          BackendHandler.of(ch).reused = true;
          return loop.newSucceededFuture(ch);
        }
      }
    }
    Promise<Channel> promise = loop.newPromise();
    ChannelFuture connect = new Bootstrap()
        .group(loop)
        .channel(transport.clientChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .handler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
            ch.pipeline().addLast("codec", new HttpClientCodec(8192, 65536, 65536, false, false));
            ch.pipeline().addLast("backend", new BackendHandler(UpstreamPool.this, target.address()));
          }
        })
        .connect(target.host(), target.port());
    connect.addListener(f -> {
      if (f.isSuccess()) {
        promise.trySuccess(connect.channel());
      } else {
        promise.tryFailure(f.cause());
      }
    });
    return promise;
  }

  /**
   * Flushes {@code ch} once this turn of the event loop has handled all the input it read: the
   * requests of every client served in the turn go to the instances together, so an instance on
   * the same core is woken once per turn rather than once per request.
   */
  public void flushSoon(Channel ch) {
    toFlush.add(ch);
    if (!flushScheduled) {
      flushScheduled = true;
      loop.execute(flushAll);
    }
  }

  private void flushAll() {
    flushScheduled = false;
    for (int i = 0; i < toFlush.size(); i++) {
      toFlush.get(i).flush();
    }
    toFlush.clear();
  }

  /** Takes back a connection whose last exchange ended cleanly with keep-alive. */
  void release(Channel ch, String address) {
    if (!ch.isActive()) {
      return;
    }
    ArrayDeque<Channel> q = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
    if (q.size() >= maxIdlePerInstance) {
      ch.close();
      return;
    }
    q.addLast(ch);
  }

  /** A pooled connection closed or went idle: forget it. */
  void forget(Channel ch, String address) {
    ArrayDeque<Channel> q = idle.get(address);
    if (q != null) {
      q.remove(ch);
      if (q.isEmpty()) {
        idle.remove(address);
      }
    }
  }
}
