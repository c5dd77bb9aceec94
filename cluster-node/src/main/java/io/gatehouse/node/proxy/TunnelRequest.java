package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.tcp.TcpConnection;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Name;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * {@code GET /_gatehouse/tunnel/{route}}: a WebSocket (subprotocol {@code gatehouse-tcp}) that
 * carries a TCP connection to an instance of a tcp route, its bytes in binary messages both ways.
 * The upgrade is admitted by the one admission (the credential, the route by name, RBAC); the instance is
 * connected before the {@code 101}, so a client that gets its upgrade has a connection, and one
 * that does not gets the refusal as HTTP and no byte ever reaches an instance. Then a
 * {@link TcpConnection} relays; when it ends the client gets a close frame: 1000 for a plain end,
 * 1008 with the reason when its access ended.
 */
final class TunnelRequest implements Conversation, TcpConnection.Client {
  static final String PREFIX = "/_gatehouse/tunnel/";
  static final String SUBPROTOCOL = "gatehouse-tcp";
  /** A binary message from the client carries at most this much (the CLI sends 64 KiB at most). */
  static final int MAX_MESSAGE_BYTES = 1024 * 1024;
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final FrontendHandler frontend;
  private final ChannelHandlerContext client;
  private final HttpDoor door;
  private final HttpRequest request;
  private final String requestId;
  private final OpenExchanges.Open record;
  private TcpConnection connection;
  private boolean upgraded;
  private boolean done;

  TunnelRequest(FrontendHandler frontend, ChannelHandlerContext client, HttpDoor door, HttpRequest request) {
    this.frontend = frontend;
    this.client = client;
    this.door = door;
    this.request = request;
    this.requestId = Headers.requestId(request.headers());
    this.record = frontend.openExchanges().begin(Arrival.Door.TUNNEL, requestId, "TUNNEL", request.uri(), this::end);
  }

  static boolean isFor(HttpRequest r) {
    return r.uri().startsWith(PREFIX);
  }

  @Override
  public void start() {
    String problem = notAnUpgrade(request);
    if (problem != null) {
      refuse(Refusal.invalid("request", problem));
      return;
    }
    String name = routeName(request.uri());
    if (!Name.isValid(name)) {
      refuse(Refusal.of(ErrorCode.NOT_FOUND, "no tcp route named '" + name + "'"));
      return;
    }
    HttpArrivals.Read read = HttpArrivals.read(request, Arrival.Door.TUNNEL, new Arrival.Named(name, true),
        frontend.scheme());
    if (read.refusal() != null) {
      refuse(read.refusal());
      return;
    }
    door.admission().decide(read.arrival(), frontend.memos(), client.executor(), this::admitted);
  }

  private void admitted(Admission.Decision d) {
    if (done) {
      return;
    }
    if (d instanceof Refusal r) {
      refuse(r);
      return;
    }
    connection = new TcpConnection(door.tcp(), (Admission.Admitted) d, client.channel().eventLoop(), this, record);
    connection.start();
  }

  /** Why {@code r} is not a WebSocket upgrade this door takes, or null. */
  private static String notAnUpgrade(HttpRequest r) {
    if (r.decoderResult().isFailure()) {
      return "could not be read";
    }
    HttpHeaders h = r.headers();
    if (!r.method().equals(HttpMethod.GET) || !h.containsValue(HttpHeaderNames.UPGRADE, "websocket", true)
        || !h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        || !"13".equals(h.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION)) || h.get(HttpHeaderNames.SEC_WEBSOCKET_KEY) == null) {
      return "the tunnel is a WebSocket upgrade (GET, Upgrade: websocket, Sec-WebSocket-Version: 13)";
    }
    if (!h.containsValue(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, SUBPROTOCOL, true)) {
      return "the tunnel's WebSocket subprotocol is " + SUBPROTOCOL;
    }
    return null;
  }

  private static String routeName(String uri) {
    String rest = uri.substring(PREFIX.length());
    int q = rest.indexOf('?');
    return q < 0 ? rest : rest.substring(0, q);
  }

  // ---- the tcp connection's client side -----------------------------------------------------

  /** The instance is connected: the 101, then the connection speaks WebSocket frames. */
  @Override
  public void connected() {
    FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS,
        Unpooled.EMPTY_BUFFER);
    ok.headers().set(HttpHeaderNames.UPGRADE, "websocket");
    ok.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    ok.headers().set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, accept(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY)));
    ok.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, SUBPROTOCOL);
    ok.headers().set(Headers.X_REQUEST_ID, requestId);
    client.channel().write(ok);
    upgraded = true;
    var pipeline = client.pipeline();
    // The frame codec goes in right after the HTTP codec, which then goes: the bytes its decoder
    // already holds past the upgrade request pass on to the frame decoder. The encoder sits before
    // the decoder, so that the decoder's own close frames (a protocol violation) are encoded too.
    pipeline.addAfter("codec", "ws-decoder", new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(true).allowExtensions(false).maxFramePayloadLength(MAX_MESSAGE_BYTES)
        .closeOnProtocolViolation(true).build()));
    pipeline.addAfter("codec", "ws-encoder", new WebSocket13FrameEncoder(false));
    pipeline.addLast("tunnel", new Frames());
    frontend.becomeTunnel();
    pipeline.remove(HttpServerCodec.class);
    client.channel().config().setAutoRead(true);
    client.channel().flush();
  }

  @Override
  public void write(ByteBuf bytes) {
    client.channel().writeAndFlush(new BinaryWebSocketFrame(bytes), client.channel().voidPromise());
  }

  @Override
  public boolean writable() {
    return client.channel().isWritable();
  }

  @Override
  public void reading(boolean on) {
    client.channel().config().setAutoRead(on);
  }

  /** The refusal as HTTP, and the connection closes (an upgrade request is never followed by another). */
  @Override
  public void refuse(Refusal why) {
    if (done) {
      return;
    }
    done = true;
    FullHttpResponse r = HttpRefusals.render(client.alloc(), why);
    // The connection's own record finishes it once it was made; a refusal before that finishes here.
    if (connection == null) {
      record.bytesOut(r.content().readableBytes());
      record.finish(why.status());
    }
    HttpRefusals.answer(client, r, requestId, false, true);
    frontend.exchangeDone(false);
  }

  @Override
  public void end(Refusal why) {
    if (!upgraded) {
      // Cut while the instance was being connected: the upgrade is refused.
      refuse(why != null ? why : Refusal.upstreamUnavailable("the connection to the instance ended"));
      return;
    }
    done = true;
    CloseWebSocketFrame close = why == null ? new CloseWebSocketFrame(1000, "")
        : new CloseWebSocketFrame(1008, WebSocketTunnel.ascii("access ended: " + why.message()));
    client.channel().writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
  }

  static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- while the request waits for its instance ---------------------------------------------

  @Override
  public boolean canTakeMore() {
    return false;
  }

  @Override
  public void forwardBody(HttpContent content) {
    content.release();
  }

  @Override
  public void clientWritable() {}

  @Override
  public long idleCheck() {
    return 0;
  }

  @Override
  public void failed(Throwable cause) {
    if (connection != null) {
      connection.end(Refusal.of(ErrorCode.INTERNAL, "the gateway failed on this tunnel"));
    } else {
      refuse(Refusal.of(ErrorCode.INTERNAL, "the gateway failed on this request (" + cause.getClass().getSimpleName()
          + "); it is in the node's log"));
    }
  }

  @Override
  public void clientGone() {
    if (connection != null) {
      connection.clientClosed();
    } else if (!done) {
      done = true;
      record.finish(499);
    }
  }

  /** The client's WebSocket frames, after the upgrade. */
  private final class Frames extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof WebSocketFrame frame)) {
        // The end marker the HTTP decoder emitted after the upgrade request.
        ReferenceCountUtil.release(msg);
        return;
      }
      if (frame instanceof BinaryWebSocketFrame || frame instanceof ContinuationWebSocketFrame) {
        connection.fromClient(frame.content());
      } else if (frame instanceof PingWebSocketFrame) {
        ctx.writeAndFlush(new PongWebSocketFrame(frame.content()));
      } else if (frame instanceof CloseWebSocketFrame) {
        frame.release();
        connection.clientClosed();
      } else if (frame instanceof PongWebSocketFrame) {
        frame.release();
      } else {
        frame.release();
        ctx.writeAndFlush(new CloseWebSocketFrame(1003, "the tunnel carries binary messages"))
            .addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        connection.clientWritable();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      connection.clientClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
