package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.upstream.BackendHandler;
import io.gatehouse.node.upstream.UpstreamLeg;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.api.RouteRequests;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * One proxied request on an HTTP door (HTTP/1.1, or an HTTP/2 stream), from its head to the last
 * byte of its answer, all on the client connection's event loop. It holds only the phases: the
 * one {@link Admission} (what arrived read by {@link HttpArrivals}), then the {@link UpstreamLeg}
 * (instance and connection), then the request and answer streamed through, or a WebSocket handed
 * to a {@link WebSocketTunnel}. Its lifecycle (in flight, open under its access, recorded once)
 * is the {@link OpenExchanges.Open} it holds.
 */
final class Exchange implements UpstreamLeg.Owner, Conversation {
  enum Phase { ADMITTING, CONNECTING, STREAMING, SENT, DONE }

  private final FrontendHandler frontend;
  private final ChannelHandlerContext client;
  private final HttpDoor door;
  private final HttpRequest request;
  private final String requestId;
  private final boolean clientHttp11;
  /** Read before the headers are rewritten for the instance (which drops the client's Connection). */
  private final boolean clientKeepAlive;
  private final boolean upgrade;
  private final boolean requestHasBody;
  private final OpenExchanges.Open record;
  private Phase phase = Phase.ADMITTING;
  private Admission.Admitted admitted;
  private UpstreamLeg leg;
  private Channel upstream;
  private BackendHandler backend;
  private boolean rewritten;
  private Headers.ClientView view;
  private boolean responseStarted;
  private boolean requestComplete;
  private int status;
  private long bytesIn;
  private long lastActivityNanos;

  Exchange(FrontendHandler frontend, ChannelHandlerContext client, HttpDoor door, HttpRequest request) {
    this.frontend = frontend;
    this.client = client;
    this.door = door;
    this.request = request;
    this.requestId = Headers.requestId(request.headers());
    this.clientHttp11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
    this.clientKeepAlive = clientHttp11 && HttpUtil.isKeepAlive(request);
    this.upgrade = Headers.isWebSocketUpgrade(request);
    this.requestHasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
    this.record = frontend.openExchanges().begin(frontend.door(), requestId, request.method().name(), request.uri(),
        this::cut);
  }

  // ---- 1. admission, 2. the instance ---------------------------------------------------------

  @Override
  public void start() {
    HttpArrivals.Read read = HttpArrivals.read(request, frontend.door(), frontend.scheme());
    if (read.refusal() != null) {
      refuse(read.refusal());
      return;
    }
    door.admission().decide(read.arrival(), frontend.memos(), client.executor(), this::decided);
  }

  private void decided(Admission.Decision d) {
    if (phase != Phase.ADMITTING) {
      return;
    }
    if (d instanceof Refusal r) {
      refuse(r);
      return;
    }
    admitted = (Admission.Admitted) d;
    record.admitted(admitted);
    if (upgrade && admitted.route().definition().upstream().protocol() != RouteRequests.UpstreamProtocol.HTTP1) {
      refuse(Refusal.upstreamUnavailable("route '" + admitted.route().name() + "' reaches its instances over "
          + "HTTP/2, which carries no WebSocket upgrade; use an http1 route for WebSockets"));
      return;
    }
    view = new Headers.ClientView(null, admitted.strippedPrefix(),
        frontend.scheme().equals("https") ? "https" : door.publicScheme(), request.headers().get(HttpHeaderNames.HOST));
    if (clientHttp11 && HttpUtil.is100ContinueExpected(request)) {
      // Admitted: now the client may send its body (a refused one never does).
      client.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
          Unpooled.EMPTY_BUFFER));
    }
    String consumer = admitted.route().affinity().consumer(admitted.token().tokenId().value(),
        name -> request.headers().get(name));
    leg = new UpstreamLeg(door.upstreams(), door.picker(), client.channel().eventLoop(), admitted.route(), consumer,
        upgrade, door.admission().retryAfterSeconds(), this);
    phase = Phase.CONNECTING;
    leg.start();
  }

  @Override
  public boolean ended() {
    return phase == Phase.DONE;
  }

  @Override
  public void unreachable(Refusal why) {
    refuse(why);
  }

  // ---- 3. the request to the instance --------------------------------------------------------

  @Override
  public void connected(Channel ch, BackendHandler b) {
    upstream = ch;
    backend = b;
    record.instance(leg.target().id());
    backend.use(new AnswerRelay(this, client, requestId, clientHttp11,
        new Headers.ClientView(leg.target().address(), view.strippedPrefix(), view.scheme(), view.host())));
    if (!rewritten) {
      rewritten = true;
      request.setUri(admitted.forwardPath());
      request.setProtocolVersion(HttpVersion.HTTP_1_1);
      Headers.toUpstream(request.headers(), upgrade, leg.target().address(), frontend.clientAddress(),
          frontend.scheme(), requestId, admitted.token().principal().display(), admitted.token().tokenId().value(),
          admitted.strippedPrefix());
    }
    touch();
    frontend.idleCheckBy(lastActivityNanos + idleNanos());
    // Writes to the instance take the void promise: a failed write fails the connection, which
    // the backend handler reports (exceptionCaught, channelInactive).
    if (requestComplete) {
      // A retry on a fresh connection after the body-less request went out in full on a dead one.
      upstream.write(request, upstream.voidPromise());
      upstream.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, upstream.voidPromise());
      phase = Phase.SENT;
      return;
    }
    phase = Phase.STREAMING;
    // The head goes out with what of the body is already here (all of a GET: its empty end),
    // in one flush at the end of this turn of the loop.
    upstream.write(request, upstream.voidPromise());
    frontend.drain();
    if (phase == Phase.STREAMING && upstream != null) {
      leg.pool().flushSoon(upstream);
    }
  }

  @Override
  public boolean canTakeMore() {
    return phase == Phase.STREAMING && upstream.isWritable();
  }

  @Override
  public void forwardBody(HttpContent content) {
    int n = content.content().readableBytes();
    bytesIn += n;
    record.bytesIn(n);
    long limit = admitted.route().definition().limits().maxRequestBodyBytes();
    if (bytesIn > limit) {
      ReferenceCountUtil.release(content);
      refuse(Refusal.tooLarge(admitted.route().name(), limit));
      return;
    }
    touch();
    upstream.write(content, upstream.voidPromise());
    leg.pool().flushSoon(upstream);
    if (content instanceof LastHttpContent) {
      requestComplete = true;
      phase = Phase.SENT;
    }
  }

  void upstreamWritable() {
    frontend.drain();
  }

  // ---- 4. the answer (see AnswerRelay) ------------------------------------------------------

  /** The client can take more of the answer: let the instance send again. */
  @Override
  public void clientWritable() {
    if (upstream != null && upstream.isActive()) {
      upstream.config().setAutoRead(true);
    }
  }

  /** The answer's first byte is on its way to the client: from now on a failure can only cut. */
  void answering(int status) {
    this.status = status;
    responseStarted = true;
    leg.answered(status);
  }

  void answered(long bytes) {
    record.bytesOut(bytes);
  }

  /** The instance's connection, while the exchange uses one. */
  Channel upstream() {
    return upstream;
  }

  String instanceId() {
    return leg.target().id();
  }

  /** Whether the client is an HTTP/2 stream (its framing carries the end of a body; HTTP/1.1 needs a length). */
  boolean overHttp2() {
    return frontend.door() == io.gatehouse.node.admission.Arrival.Door.HTTP2;
  }

  boolean isUpgrade() {
    return upgrade;
  }

  boolean isHead() {
    return HttpMethod.HEAD.equals(request.method());
  }

  /** The last byte of the answer went to the client ({@code lastWrite}: its write). */
  void complete(boolean upstreamKeepAlive, ChannelFuture lastWrite) {
    boolean reuse = requestComplete && upstreamKeepAlive;
    Channel up = upstream;
    BackendHandler b = backend;
    finish(status);
    if (reuse) {
      up.config().setAutoRead(true);
      b.release(up);
    } else {
      b.use(null);
      up.close();
    }
    client.flush();
    if (keepClient() && requestComplete) {
      frontend.exchangeDone(true);
    } else {
      lastWrite.addListener(ChannelFutureListener.CLOSE);
      frontend.exchangeDone(false);
    }
  }

  boolean keepClient() {
    return clientKeepAlive && !door.draining();
  }

  /** The instance accepted the upgrade: the 101 goes to the client, then a tunnel carries the bytes. */
  void switchToWebSocket(HttpResponse response) {
    status = 101;
    responseStarted = true;
    String upgradeTo = response.headers().get(HttpHeaderNames.UPGRADE);
    Headers.toClient(response.headers(), requestId, leg.target().id(), true, false);
    Headers.rewriteForClient(response.headers(),
        new Headers.ClientView(leg.target().address(), view.strippedPrefix(), view.scheme(), view.host()));
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    response.headers().set(HttpHeaderNames.UPGRADE, upgradeTo == null ? "websocket" : upgradeTo);
    Channel up = upstream;
    backend.use(null);
    client.channel().write(response);
    upstream = null;
    // The exchange goes on as a WebSocket: its record passes to the tunnel, which finishes it.
    phase = Phase.DONE;
    leg.done();
    frontend.becomeTunnel();
    WebSocketTunnel.start(client.channel(), up, admitted.route().definition().timeouts().idleSeconds(), record);
  }

  // ---- failures and endings ------------------------------------------------------------------

  /** The instance closed or reset the connection, or a write to it failed. */
  void upstreamClosed(Throwable cause) {
    if (phase == Phase.DONE) {
      return;
    }
    if (responseStarted) {
      // Part of the answer is on its way: the only honest thing left is to cut the client too.
      abort();
      return;
    }
    if (bytesIn == 0 && !requestHasBody) {
      detachUpstream(false);
      if (leg.retryOnFreshConnection()) {
        phase = Phase.CONNECTING;
        return;
      }
    }
    refuse(Refusal.upstreamUnavailable("the instance closed the connection"
        + (cause == null ? "" : " (" + UpstreamLeg.describe(cause) + ")") + " before answering"));
  }

  /** Its access ended (revocation, deletion, a group or route change): answer so if nothing was sent, else cut. */
  private void cut(Refusal why) {
    if (phase == Phase.DONE) {
      return;
    }
    if (!responseStarted) {
      refuse(why);
    } else {
      abort();
    }
  }

  void touch() {
    lastActivityNanos = System.nanoTime();
  }

  private long idleNanos() {
    return TimeUnit.SECONDS.toNanos(admitted.route().definition().timeouts().idleSeconds());
  }

  /**
   * Called by the connection's idle check: answers 504 (nothing of the answer yet) or cuts the
   * exchange (mid-answer) when neither side moved for the route's idle timeout. Returns when to
   * look again, or 0 when there is nothing to watch.
   */
  @Override
  public long idleCheck() {
    if (upstream == null || phase == Phase.DONE) {
      return 0;
    }
    long deadline = lastActivityNanos + idleNanos();
    if (System.nanoTime() - deadline < 0) {
      return deadline;
    }
    if (!responseStarted) {
      refuse(Refusal.upstreamTimeout("the instance did not answer within "
          + admitted.route().definition().timeouts().idleSeconds() + " s (route '" + admitted.route().name() + "')"));
    } else {
      abort();
    }
    return 0;
  }

  /**
   * Answers with the gateway's own refusal and ends the exchange. The connection stays open only
   * if the request had no body (the rest of a body would otherwise be read as the next request).
   */
  private void refuse(Refusal why) {
    if (phase == Phase.DONE) {
      return;
    }
    detachUpstream(true);
    FullHttpResponse response = HttpRefusals.render(client.alloc(), why, Headers.isGrpc(request.headers()));
    // After a request the decoder could not read, the rest of the stream cannot be trusted: close.
    boolean keep = keepClient() && !(requestHasBody && !requestComplete) && !upgrade
        && !request.decoderResult().isFailure();
    record.bytesOut(response.content().readableBytes());
    finish(why.status());
    HttpRefusals.answer(client, response, requestId, keep, clientHttp11);
    frontend.exchangeDone(keep);
  }

  /** Ends the exchange with both connections cut, when an answer can no longer be given. */
  void abort() {
    if (phase == Phase.DONE) {
      return;
    }
    detachUpstream(true);
    finish(status == 0 ? 499 : status);
    client.close();
    frontend.exchangeDone(false);
  }

  @Override
  public void failed(Throwable cause) {
    if (phase == Phase.DONE) {
      return;
    }
    if (responseStarted) {
      abort();
    } else {
      refuse(Refusal.of(ErrorCode.INTERNAL, "the gateway failed on this request (" + cause.getClass().getSimpleName()
          + "); it is in the node's log"));
    }
  }

  /** The client went away: stop working for it. */
  @Override
  public void clientGone() {
    if (phase != Phase.DONE) {
      detachUpstream(true);
      finish(499);
    }
  }

  private void detachUpstream(boolean close) {
    if (upstream != null) {
      backend.use(null);
      if (close) {
        upstream.close();
      }
      upstream = null;
      backend = null;
    }
    if (leg != null) {
      leg.done();
    }
  }

  private void finish(int finalStatus) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    if (leg != null) {
      leg.done();
    }
    record.finish(finalStatus);
  }
}
