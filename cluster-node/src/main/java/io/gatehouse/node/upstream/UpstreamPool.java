package io.gatehouse.node.upstream;

import io.gatehouse.node.route.LiveRoute;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
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
  private final Dialer dialer;
  private final int maxIdlePerInstance;
  private final Map<String, ArrayDeque<Channel>> idle = new HashMap<>();
  private final ArrayList<Channel> toFlush = new ArrayList<>();
  private final Runnable flushAll = this::flushAll;
  private boolean flushScheduled;
  private final Http2Connections h2;
  private final AddressPolicy addresses;

  UpstreamPool(EventLoop loop, Dialer dialer, int maxIdlePerInstance, SslContext h2Tls,
      AddressPolicy addresses) {
    this.loop = loop;
    this.dialer = dialer;
    this.maxIdlePerInstance = maxIdlePerInstance;
    this.addresses = addresses;
    this.h2 = new Http2Connections(loop, h2Tls, this);
  }

  /** Why the connection may not be used, by the address it reached (whatever its name resolved to); null if it may. */
  AddressPolicy.Refused refused(Channel ch) {
    if (!(ch.remoteAddress() instanceof java.net.InetSocketAddress remote)) {
      return null;
    }
    String why = addresses.refusal(remote.getAddress(), remote.getPort());
    return why == null ? null : new AddressPolicy.Refused(why);
  }

  /**
   * A new HTTP/2 stream to {@code target} (an {@code h2c} route, or {@code h2} over TLS when
   * {@code secure}), on a connection of this loop that can take one, or a new connection when
   * {@code fresh} or none can.
   */
  public Future<Channel> acquireStream(LiveRoute.Target target, int connectTimeoutMillis, boolean secure,
      boolean fresh) {
    return h2.stream(target, connectTimeoutMillis, secure, fresh);
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
    return connected(dial(target, connectTimeoutMillis, new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        ch.pipeline().addLast("codec", new HttpClientCodec(8192, 65536, 65536, false, false));
        ch.pipeline().addLast("backend", new BackendHandler(UpstreamPool.this, target.address(), false));
      }
    }, false));
  }

  /** A new connection to {@code target} on this loop, set up by {@code init}. */
  ChannelFuture dial(LiveRoute.Target target, int connectTimeoutMillis, ChannelHandler init, boolean raw) {
    return dialer.dial(loop, target, connectTimeoutMillis, init, raw);
  }

  /** The channel once {@code connect} succeeded, to an address the policy allows. */
  private Future<Channel> connected(ChannelFuture connect) {
    Promise<Channel> promise = loop.newPromise();
    connect.addListener(f -> {
      AddressPolicy.Refused refused = f.isSuccess() ? refused(connect.channel()) : null;
      if (refused != null) {
        connect.channel().close();
        promise.tryFailure(refused);
      } else if (f.isSuccess()) {
        promise.trySuccess(connect.channel());
      } else {
        promise.tryFailure(f.cause());
      }
    });
    return promise;
  }

  /**
   * A plain TCP connection to {@code target} (a tcp route's bytes go through as they are): never
   * pooled, no handler yet, and nothing read until its user turns reading on.
   */
  public Future<Channel> connectRaw(LiveRoute.Target target, int connectTimeoutMillis) {
    return connected(dial(target, connectTimeoutMillis, new ChannelInboundHandlerAdapter(), true));
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
