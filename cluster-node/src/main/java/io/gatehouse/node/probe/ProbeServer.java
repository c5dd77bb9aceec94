package io.gatehouse.node.probe;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * A tiny upstream for trying Gatehouse out and for its tests: it answers every request with its
 * own instance id, and more on a few paths.
 *
 * <ul>
 *   <li>{@code GET /health}: 200 while healthy; {@code POST /health/fail} and
 *       {@code POST /health/ok} switch it.
 *   <li>{@code GET /sse?events=N&intervalMs=M}: N server-sent events, M ms apart.
 *   <li>{@code GET /bytes?n=N}: N bytes, streamed (a deterministic pattern).
 *   <li>{@code GET /ws}: a WebSocket that echoes every frame.
 *   <li>anything else: JSON with the instance id, method, path, the headers the gateway set, and
 *       the size and CRC-32 of the request body (counted as it streams, never held); after
 *       {@code delayMs} milliseconds when the query has it.
 * </ul>
 */
public final class ProbeServer implements AutoCloseable {
  private final String id;
  private final EventLoopGroup group;
  private final Channel server;
  private volatile boolean healthy = true;
  private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

  private ProbeServer(String id, EventLoopGroup group, Channel server) {
    this.id = id;
    this.group = group;
    this.server = server;
  }

  public static ProbeServer start(String host, int port, String id) throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ProbeServer[] self = new ProbeServer[1];
    Channel server = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("codec", new HttpServerCodec());
            ch.pipeline().addLast("chunked", new ChunkedWriteHandler());
            ch.pipeline().addLast("probe", new Handler(self[0]));
          }
        })
        .bind(host, port)
        .sync()
        .channel();
    self[0] = new ProbeServer(id, group, server);
    return self[0];
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  public String id() {
    return id;
  }

  /** Requests received, health checks excluded. */
  public long requests() {
    return requests.get();
  }

  public void healthy(boolean healthy) {
    this.healthy = healthy;
  }

  @Override
  public void close() {
    if (group.isShuttingDown()) {
      return;
    }
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
    private final ProbeServer probe;
    private HttpRequest request;
    private long bodyBytes;
    private final CRC32 crc = new CRC32();

    Handler(ProbeServer probe) {
      this.probe = probe;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest r) {
        request = r;
        bodyBytes = 0;
        crc.reset();
        QueryStringDecoder q = new QueryStringDecoder(r.uri());
        if (!q.path().startsWith("/health")) {
          probe.requests.incrementAndGet();
        }
        if (q.path().equals("/ws") && r.headers().containsValue(HttpHeaderNames.UPGRADE, "websocket", true)) {
          upgrade(ctx, r);
          return;
        }
      }
      if (msg instanceof HttpContent c && request != null) {
        ByteBuf b = c.content();
        bodyBytes += b.readableBytes();
        if (b.hasArray()) {
          crc.update(b.array(), b.arrayOffset() + b.readerIndex(), b.readableBytes());
        } else {
          byte[] copy = new byte[b.readableBytes()];
          b.getBytes(b.readerIndex(), copy);
          crc.update(copy);
        }
        if (c instanceof LastHttpContent) {
          answer(ctx, request);
          request = null;
        }
      }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest r) {
      QueryStringDecoder q = new QueryStringDecoder(r.uri());
      boolean keepAlive = HttpUtil.isKeepAlive(r);
      switch (q.path()) {
        case "/health" -> json(ctx, probe.healthy ? 200 : 503,
            "{\"status\":\"" + (probe.healthy ? "ok" : "failing") + "\",\"instance\":\"" + probe.id + "\"}", keepAlive);
        case "/health/fail" -> {
          probe.healthy = false;
          json(ctx, 200, "{\"healthy\":false}", keepAlive);
        }
        case "/health/ok" -> {
          probe.healthy = true;
          json(ctx, 200, "{\"healthy\":true}", keepAlive);
        }
        case "/sse" -> sse(ctx, intParam(q, "events", 5), intParam(q, "intervalMs", 200));
        case "/bytes" -> bytes(ctx, longParam(q, "n", 1024), keepAlive);
        default -> {
          if (q.path().startsWith("/status/")) {
            int status = Integer.parseInt(q.path().substring("/status/".length()));
            json(ctx, status, "{\"instance\":\"" + probe.id + "\",\"status\":" + status + "}", keepAlive);
          } else {
            String body = describe(r, q);
            int delayMs = intParam(q, "delayMs", 0);
            if (delayMs > 0) {
              ctx.executor().schedule(() -> json(ctx, 200, body, keepAlive), delayMs, TimeUnit.MILLISECONDS);
            } else {
              json(ctx, 200, body, keepAlive);
            }
          }
        }
      }
    }

    private String describe(HttpRequest r, QueryStringDecoder q) {
      Map<String, String> seen = new TreeMap<>();
      r.headers().forEach(h -> {
        String name = h.getKey().toLowerCase();
        if (name.startsWith("x-") || name.equals("host") || name.equals("authorization") || name.equals("cookie")) {
          seen.put(name, h.getValue());
        }
      });
      StringBuilder headers = new StringBuilder("{");
      seen.forEach((k, v) -> headers.append(headers.length() > 1 ? "," : "").append('"').append(escape(k))
          .append("\":\"").append(escape(v)).append('"'));
      headers.append('}');
      return "{\"instance\":\"" + probe.id + "\",\"method\":\"" + r.method() + "\",\"path\":\"" + escape(q.path())
          + "\",\"uri\":\"" + escape(r.uri()) + "\",\"headers\":" + headers + ",\"bodyBytes\":" + bodyBytes
          + ",\"bodyCrc32\":" + crc.getValue() + "}";
    }

    private void json(ChannelHandlerContext ctx, int status, String body, boolean keepAlive) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
          Unpooled.wrappedBuffer(bytes));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
      res.headers().set("X-Probe-Instance", probe.id);
      ChannelFuture f = ctx.writeAndFlush(res);
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private void sse(ChannelHandlerContext ctx, int events, int intervalMs) {
      DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
      res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      ctx.writeAndFlush(res);
      sendEvent(ctx, 1, events, intervalMs);
    }

    private void sendEvent(ChannelHandlerContext ctx, int n, int events, int intervalMs) {
      if (!ctx.channel().isActive()) {
        return;
      }
      if (n > events) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        return;
      }
      String event = "id: " + n + "\ndata: {\"instance\":\"" + probe.id + "\",\"n\":" + n + "}\n\n";
      ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
      ctx.executor().schedule(() -> sendEvent(ctx, n + 1, events, intervalMs), intervalMs, TimeUnit.MILLISECONDS);
    }

    private void bytes(ChannelHandlerContext ctx, long n, boolean keepAlive) {
      DefaultHttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
      res.headers().set(HttpHeaderNames.CONTENT_LENGTH, n);
      ctx.write(res);
      ChannelFuture f = ctx.writeAndFlush(new PatternInput(n));
      if (!keepAlive) {
        f.addListener(ChannelFutureListener.CLOSE);
      }
    }

    private void upgrade(ChannelHandlerContext ctx, HttpRequest r) {
      DefaultFullHttpRequest full = new DefaultFullHttpRequest(r.protocolVersion(), r.method(), r.uri());
      full.headers().set(r.headers());
      WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
          "ws://" + r.headers().get(HttpHeaderNames.HOST) + "/ws", null, true).newHandshaker(full);
      if (handshaker == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
        return;
      }
      ctx.pipeline().remove("chunked");
      ctx.pipeline().replace(this, "echo", new Echo(handshaker));
      handshaker.handshake(ctx.channel(), full);
    }

    private static int intParam(QueryStringDecoder q, String name, int fallback) {
      return (int) longParam(q, name, fallback);
    }

    private static long longParam(QueryStringDecoder q, String name, long fallback) {
      var values = q.parameters().get(name);
      try {
        return values == null || values.isEmpty() ? fallback : Long.parseLong(values.get(0));
      } catch (NumberFormatException e) {
        return fallback;
      }
    }

    private static String escape(String s) {
      return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
  }

  /** Echoes WebSocket frames; answers pings and closes. */
  private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final WebSocketServerHandshaker handshaker;

    Echo(WebSocketServerHandshaker handshaker) {
      this.handshaker = handshaker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof CloseWebSocketFrame close) {
        handshaker.close(ctx.channel(), close.retain());
      } else if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
      } else {
        ctx.writeAndFlush(frame.retain());
      }
    }
  }

  /** N bytes of a repeating pattern, produced as the connection can take them. */
  private static final class PatternInput implements ChunkedInput<HttpContent> {
    private static final int CHUNK = 64 * 1024;
    private final long length;
    private long sent;

    PatternInput(long length) {
      this.length = length;
    }

    @Override
    public boolean isEndOfInput() {
      return sent >= length;
    }

    @Override
    public void close() {
      // nothing held
    }

    @Override
    @Deprecated
    public HttpContent readChunk(ChannelHandlerContext ctx) {
      return readChunk(ctx.alloc());
    }

    @Override
    public HttpContent readChunk(io.netty.buffer.ByteBufAllocator alloc) {
      if (sent >= length) {
        return null;
      }
      int n = (int) Math.min(CHUNK, length - sent);
      ByteBuf b = alloc.buffer(n);
      for (int i = 0; i < n; i++) {
        b.writeByte((int) ((sent + i) % 251));
      }
      sent += n;
      return sent >= length ? new io.netty.handler.codec.http.DefaultLastHttpContent(b) : new DefaultHttpContent(b);
    }

    @Override
    public long length() {
      return length;
    }

    @Override
    public long progress() {
      return sent;
    }
  }

  /** The expected byte {@code i} of {@code GET /bytes}. */
  public static int patternByte(long i) {
    return (int) (i % 251);
  }
}
