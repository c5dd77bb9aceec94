package io.gatehouse.node.proxy;

import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.session.SessionCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.route.Rendezvous;
import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.persistence.session.ConsumerSessionEntity;
import io.gatehouse.protocol.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request, from its head to the last byte of its answer, all on the client
 * connection's event loop. The checks run in API.md's order: token (401), route (404), RBAC
 * (403), an instance in rotation (503), then the instance's answer, or 502/504 for its failures.
 * Only a token or a pin unknown to this node costs an ask; the continuation comes back on the
 * same loop.
 */
final class Exchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  enum Phase { PREPARING, CONNECTING, STREAMING, SENT, DONE }

  private final FrontendHandler frontend;
  private final ChannelHandlerContext client;
  private final DataPlaneContext dp;
  private final HttpRequest request;
  private final long startNanos = System.nanoTime();
  private final boolean clientKeepAlive;
  private final boolean upgrade;
  private final boolean requestHasBody;
  private final HttpVersion clientVersion;
  private final boolean clientHttp11;

  final String requestId;
  final String method;
  String tokenId;
  String principal;
  LiveRoute route;
  LiveRoute.Target target;
  long bytesIn;
  long bytesOut;

  private Phase phase = Phase.PREPARING;
  private TokenValidation.Valid token;
  private RequestPath path;
  private int prefixSegments;
  private String sessionKey;
  private String consumer;
  private Channel upstream;
  private BackendHandler backend;
  private InstanceLoad.Counters counters;
  private boolean responseStarted;
  private boolean requestComplete;
  private boolean upstreamKeepAlive;
  private boolean retried;
  private boolean reusedConnection;
  private int status;
  private boolean watched;
  private long lastActivityNanos;

  Exchange(FrontendHandler frontend, ChannelHandlerContext client, DataPlaneContext dp, HttpRequest request) {
    this.frontend = frontend;
    this.client = client;
    this.dp = dp;
    this.request = request;
    this.requestId = Headers.requestId(request.headers());
    this.method = request.method().name();
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    this.clientVersion = request.protocolVersion();
    this.clientHttp11 = clientVersion.equals(HttpVersion.HTTP_1_1);
    this.upgrade = isWebSocketUpgrade(request);
    this.requestHasBody = HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
  }

  /** The request's path without its query: normalised once it was parsed, else as sent. */
  String logPath() {
    if (path != null) {
      return path.pathOnly();
    }
    String uri = request.uri();
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  // ---- 1. the token ------------------------------------------------------------------------

  void start() {
    dp.active.incrementAndGet();
    if (request.decoderResult().isFailure()) {
      fail(400, ErrorCode.INVALID_REQUEST.code(), "request: " + describe(request.decoderResult().cause()), true);
      return;
    }
    // Two Authorization headers would leave it to chance which one the gateway and the
    // instance each read: refuse them.
    Iterator<String> authorization = request.headers().valueStringIterator(HttpHeaderNames.AUTHORIZATION);
    String first = authorization.hasNext() ? authorization.next() : null;
    String bearer = first != null && !authorization.hasNext() ? bearer(first) : null;
    if (bearer == null) {
      sendError(ProxyErrors.unauthorized(client.alloc(), null), true);
      return;
    }
    TokenValidation cached = dp.tokens.validateCached(bearer, frontend.tokenMemo());
    if (cached != null) {
      authenticated(cached);
    } else {
      dp.tokens.validate(bearer).whenComplete((v, failure) -> client.executor().execute(() -> {
        if (phase == Phase.DONE) {
          return;
        }
        if (failure != null) {
          fail(503, ErrorCode.UNAVAILABLE.code(), "the token could not be checked right now; try again", true);
        } else {
          authenticated(v);
        }
      }));
    }
  }

  private void authenticated(TokenValidation v) {
    dp.observer.validated(v);
    if (v instanceof TokenValidation.Invalid invalid) {
      sendError(ProxyErrors.unauthorized(client.alloc(), invalid.reason()), true);
      return;
    }
    token = (TokenValidation.Valid) v;
    tokenId = token.tokenId().value();
    principal = token.principal().display();
    dp.lastUsed.used(token.tokenId());
    resolve();
  }

  // ---- 2. the route, 3. RBAC -----------------------------------------------------------------

  private void resolve() {
    try {
      path = RequestPath.parse(request.uri());
    } catch (RequestPath.Invalid e) {
      fail(400, ErrorCode.INVALID_REQUEST.code(), "path: " + e.getMessage(), true);
      return;
    }
    RouteTable.Resolution resolution = dp.routes.resolve(host(), path.segments());
    if (resolution == null) {
      fail(404, ErrorCode.NOT_FOUND.code(), "no route answers " + logPath(), true);
      return;
    }
    route = resolution.route();
    prefixSegments = route.definition().stripPrefix() ? resolution.prefixSegments() : 0;
    if (!Access.allowed(token, route, dp.directory)) {
      fail(403, ErrorCode.FORBIDDEN.code(), principal + " may not use route '" + route.name() + "'", true);
      return;
    }
    long declared = HttpUtil.getContentLength(request, -1L);
    if (declared > route.definition().maxRequestBodyBytes()) {
      fail(413, ProxyErrors.PAYLOAD_TOO_LARGE, "body: larger than route '" + route.name() + "' accepts ("
          + route.definition().maxRequestBodyBytes() + " bytes)", true);
      return;
    }
    choose(null);
  }

  // ---- 4. the instance ---------------------------------------------------------------------

  /** Chooses an instance; {@code failed} is one this request could not connect to. */
  private void choose(LiveRoute.Target failed) {
    LiveRoute live = dp.routes.get(route.name());
    if (live == null) {
      fail(404, ErrorCode.NOT_FOUND.code(), "no route answers " + logPath(), true);
      return;
    }
    route = live;
    if (failed != null) {
      // The one retry goes to the best other instance; the consumer's pin is left to the route,
      // which takes the instance out of rotation if the failure is real.
      connect(pickOther(failed), false);
      return;
    }
    if (!route.definition().sticky()) {
      connect(leastLoaded(), false);
      return;
    }
    String header = route.definition().affinityHeader();
    String headerValue = header == null ? null : request.headers().get(header);
    consumer = headerValue == null || headerValue.isEmpty() ? tokenId : "h:" + shorten(headerValue);
    sessionKey = ConsumerSessionEntity.entityId(route.name(), consumer);
    SessionCache.Entry pin = dp.sessions.get(sessionKey);
    long now = dp.clock.millis();
    if (pin != null) {
      LiveRoute.Target t = route.healthyTarget(pin.instanceId());
      if (t != null) {
        if (dp.sessions.used(pin, now)) {
          RouteEntity.ref(dp.sharding, route.name()).tell(new RouteEntity.RefreshSession(consumer, t.id()));
        }
        connect(t, false);
        return;
      }
    }
    resolvePin(pin == null ? null : pin.instanceId(), true);
  }

  /**
   * Asks the consumer's session for its pin. A pin this node does not see in rotation is asked
   * once more, avoiding it. When the session cannot answer in time (its node was just lost, say),
   * the request does not wait for the cluster to settle: it reads the consumer's pin from the
   * journal, and only without one takes the consumer's rendezvous choice among the instances this
   * node sees.
   */
  private void resolvePin(String avoid, boolean mayAskAgain) {
    ConsumerSessionEntity.ref(dp.sharding, route.name(), consumer)
        .<ConsumerSessionEntity.Pin>ask(replyTo -> new ConsumerSessionEntity.Resolve(avoid, replyTo), dp.sessionAskTimeout)
        .whenComplete((p, failure) -> client.executor().execute(() -> {
          if (phase == Phase.DONE) {
            return;
          }
          if (failure != null) {
            dp.sessionFallback(failure);
            pinFromJournal();
            return;
          }
          LiveRoute.Target t = p.instanceId() == null ? null : route.healthyTarget(p.instanceId());
          if (p.instanceId() != null && t == null && mayAskAgain) {
            resolvePin(p.instanceId(), false);
            return;
          }
          usePin(t);
        }));
  }

  private void pinFromJournal() {
    dp.persistedPin.apply(sessionKey).whenComplete((pin, failure) -> client.executor().execute(() -> {
      if (phase != Phase.DONE) {
        usePin(failure == null && pin.isPresent() ? route.healthyTarget(pin.get()) : null);
      }
    }));
  }

  /** Connects to the pinned target, or, without one, to the consumer's rendezvous choice. */
  private void usePin(LiveRoute.Target pinned) {
    LiveRoute.Target t = pinned;
    if (t == null) {
      t = rendezvousTarget();
      if (t == null) {
        noHealthyInstance();
        return;
      }
    } else {
      dp.sessions.put(sessionKey, t.id(), dp.clock.millis());
    }
    connect(t, false);
  }

  private LiveRoute.Target rendezvousTarget() {
    List<String> ids = new ArrayList<>();
    for (LiveRoute.Target t : route.healthyTargets()) {
      ids.add(t.id());
    }
    String id = Rendezvous.choose(consumer, ids, x -> 0, Double.MAX_VALUE);
    return id == null ? null : route.target(id);
  }

  private LiveRoute.Target leastLoaded() {
    LiveRoute.Target[] up = route.healthyTargets();
    if (up.length == 0) {
      return null;
    }
    if (up.length == 1) {
      return up[0];
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    LiveRoute.Target a = up[r.nextInt(up.length)];
    LiveRoute.Target b = up[r.nextInt(up.length - 1)];
    if (b == a) {
      b = up[up.length - 1];
    }
    return dp.load.inFlight(a.id()) <= dp.load.inFlight(b.id()) ? a : b;
  }

  private LiveRoute.Target pickOther(LiveRoute.Target failed) {
    List<String> others = new ArrayList<>();
    for (LiveRoute.Target t : route.healthyTargets()) {
      if (!t.id().equals(failed.id())) {
        others.add(t.id());
      }
    }
    String id = Rendezvous.choose(consumer == null ? requestId : consumer, others, x -> dp.load.inFlight(x), 1e9);
    return id == null ? null : route.target(id);
  }

  private boolean otherInstanceExists() {
    LiveRoute live = dp.routes.get(route.name());
    if (live == null) {
      return false;
    }
    for (LiveRoute.Target t : live.healthyTargets()) {
      if (!t.id().equals(target.id())) {
        return true;
      }
    }
    return false;
  }

  private void noHealthyInstance() {
    FullHttpResponse r = ProxyErrors.error(client.alloc(), ErrorCode.NO_HEALTHY_INSTANCE,
        "route '" + route.name() + "' has no healthy instance right now");
    r.headers().setInt(HttpHeaderNames.RETRY_AFTER, dp.retryAfterSeconds);
    sendError(r, true);
  }

  // ---- 5. the connection -------------------------------------------------------------------

  private void connect(LiveRoute.Target t, boolean fresh) {
    if (t == null) {
      noHealthyInstance();
      return;
    }
    target = t;
    phase = Phase.CONNECTING;
    int connectMillis = route.definition().connectTimeoutSeconds() * 1000;
    Future<Channel> f = frontend.pool().acquire(t, connectMillis, fresh || upgrade);
    if (f.isDone()) {
      connected(f);
    } else {
      f.addListener(this::connected);
    }
  }

  private void connected(Future<? super Channel> f) {
    if (phase == Phase.DONE) {
      if (f.isSuccess()) {
        ((Channel) f.getNow()).close();
      }
      return;
    }
    if (!f.isSuccess()) {
      Throwable cause = f.cause();
      dp.reportFailure(route.name(), target.id(), "connect failed: " + describe(cause));
      if (!retried && otherInstanceExists()) {
        retried = true;
        choose(target);
        return;
      }
      boolean timeout = cause instanceof io.netty.channel.ConnectTimeoutException;
      fail(timeout ? 504 : 502, timeout ? ErrorCode.UPSTREAM_TIMEOUT.code() : ErrorCode.UPSTREAM_UNAVAILABLE.code(),
          (timeout ? "connecting to the instance timed out" : "the instance refused the connection")
              + " (route '" + route.name() + "')", true);
      return;
    }
    upstream = (Channel) f.getNow();
    backend = BackendHandler.of(upstream);
    reusedConnection = backend.reused;
    backend.reused = false;
    backend.exchange = this;
    counters = dp.load.of(target.id());
    counters.inFlight.incrementAndGet();
    request.setUri(path.forwardPath(prefixSegments));
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    Headers.toUpstream(request.headers(), upgrade, target.address(), clientIp(), frontend.scheme(), requestId,
        principal, tokenId);
    touch();
    watched = true;
    frontend.idleCheckBy(lastActivityNanos + idleNanos());
    // Writes to the instance take the void promise: a failed write fails the connection, which
    // the backend handler reports to this exchange (exceptionCaught, channelInactive).
    if (requestComplete) {
      // A retry after the body-less request had been sent in full on a stale connection.
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
      frontend.pool().flushSoon(upstream);
    }
  }

  // ---- the request body --------------------------------------------------------------------

  boolean acceptsBody() {
    return phase == Phase.STREAMING;
  }

  boolean canTakeMore() {
    return phase == Phase.STREAMING && upstream.isWritable();
  }

  void forwardBody(HttpContent content) {
    bytesIn += content.content().readableBytes();
    if (bytesIn > route.definition().maxRequestBodyBytes()) {
      ReferenceCountUtil.release(content);
      fail(413, ProxyErrors.PAYLOAD_TOO_LARGE, "body: larger than route '" + route.name() + "' accepts ("
          + route.definition().maxRequestBodyBytes() + " bytes)", true);
      return;
    }
    boolean last = content instanceof LastHttpContent;
    touch();
    upstream.write(content, upstream.voidPromise());
    frontend.pool().flushSoon(upstream);
    if (last) {
      requestComplete = true;
      phase = Phase.SENT;
    }
  }

  void upstreamWritable() {
    frontend.drain();
  }

  // ---- the answer --------------------------------------------------------------------------

  void fromUpstream(Object msg) {
    if (phase == Phase.DONE) {
      ReferenceCountUtil.release(msg);
      return;
    }
    touch();
    if (msg instanceof HttpResponse response) {
      if (upgrade && response.status().code() == 101) {
        switchToTunnel(response);
        return;
      }
      responseHead(response);
    }
    if (msg instanceof HttpContent content) {
      bytesOut += content.content().readableBytes();
      client.write(content);
      if (!client.channel().isWritable()) {
        upstream.config().setAutoRead(false);
      }
      if (content instanceof LastHttpContent) {
        complete();
      }
    } else if (!(msg instanceof HttpResponse)) {
      ReferenceCountUtil.release(msg);
    }
  }

  private void responseHead(HttpResponse response) {
    responseStarted = true;
    status = response.status().code();
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    if (status >= 500) {
      if (counters.fiveXxStreak.incrementAndGet() >= InstanceLoad.FIVE_XX_BURST) {
        counters.fiveXxStreak.set(0);
        dp.reportFailure(route.name(), target.id(), InstanceLoad.FIVE_XX_BURST + " answers 5xx in a row");
      }
    } else {
      counters.fiveXxStreak.set(0);
    }
    boolean bodyless = status < 200 || status == 204 || status == 304 || HttpMethod.HEAD.name().equals(method);
    boolean chunked = clientHttp11 && !bodyless && !HttpUtil.isContentLengthSet(response);
    Headers.toClient(response.headers(), requestId, target.id(), keepClient(), chunked);
    response.setProtocolVersion(clientVersion);
    client.write(response);
  }

  private boolean keepClient() {
    return clientKeepAlive && clientHttp11;
  }

  void flushClient() {
    if (client.channel().isActive()) {
      client.flush();
    }
  }

  /** The client can take more of the answer: let the instance send again. */
  void clientWritable() {
    if (upstream != null && upstream.isActive()) {
      upstream.config().setAutoRead(true);
    }
  }

  private void complete() {
    boolean reuseUpstream = requestComplete && upstreamKeepAlive;
    Channel up = upstream;
    BackendHandler b = backend;
    finish(status);
    if (reuseUpstream) {
      up.config().setAutoRead(true);
      b.release(up);
    } else {
      b.exchange = null;
      up.close();
    }
    boolean keep = keepClient() && requestComplete;
    if (keep) {
      client.flush();
      frontend.exchangeDone(true);
    } else {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      frontend.exchangeDone(false);
    }
  }

  // ---- WebSocket ---------------------------------------------------------------------------

  /**
   * The instance accepted the upgrade: the 101 goes to the client through the HTTP codec, then
   * both connections drop their codecs and become a byte relay. Both live on this loop, so
   * nothing can interleave: bytes either side had already sent pass through the relay in order.
   */
  private void switchToTunnel(HttpResponse response) {
    status = 101;
    responseStarted = true;
    String upgradeTo = response.headers().get(HttpHeaderNames.UPGRADE);
    Headers.toClient(response.headers(), requestId, target.id(), true, false);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    response.headers().set(HttpHeaderNames.UPGRADE, upgradeTo == null ? "websocket" : upgradeTo);
    Channel up = upstream;
    Channel down = client.channel();
    down.write(response);
    down.pipeline().get(HttpServerCodec.class).removeOutboundHandler();
    up.pipeline().get(HttpClientCodec.class).removeOutboundHandler();
    int idle = route.definition().idleTimeoutSeconds();
    backend.exchange = null;
    up.pipeline().replace("backend", "relay", new Relay(down));
    up.pipeline().replace("idle", "idle", new IdleStateHandler(0, 0, idle, TimeUnit.SECONDS));
    up.pipeline().remove(HttpClientCodec.class);
    finish(101);
    frontend.becomeTunnel(up, idle);
    up.config().setAutoRead(true);
    down.config().setAutoRead(true);
    down.flush();
  }

  // ---- failures ----------------------------------------------------------------------------

  /** The instance closed (or reset) the connection, or a write to it failed. */
  void upstreamClosed(Throwable cause) {
    if (phase == Phase.DONE) {
      return;
    }
    if (responseStarted) {
      // Part of the answer is on its way: the only honest thing left is to cut the client too.
      log.debug("instance {} closed mid-answer for {}", target.id(), requestId);
      abort();
      return;
    }
    if (reusedConnection && !retried && bytesIn == 0 && !requestHasBody) {
      // A pooled connection the instance had closed meanwhile: nothing of this request reached it
      // (no body); try once more on a fresh connection.
      retried = true;
      detachUpstream(false);
      connect(target, true);
      return;
    }
    fail(502, ErrorCode.UPSTREAM_UNAVAILABLE.code(), "the instance closed the connection"
        + (cause == null ? "" : " (" + describe(cause) + ")") + " before answering", true);
  }

  private void touch() {
    lastActivityNanos = System.nanoTime();
  }

  private long idleNanos() {
    return TimeUnit.SECONDS.toNanos(route.definition().idleTimeoutSeconds());
  }

  /**
   * Called by the connection's idle check: answers 504 (nothing of the answer yet) or cuts the
   * exchange (mid-answer) when neither side moved for the route's idle timeout. Returns when to
   * look again, or 0 when there is nothing to watch.
   */
  long idleCheck() {
    if (!watched || phase == Phase.DONE) {
      return 0;
    }
    long deadline = lastActivityNanos + idleNanos();
    if (System.nanoTime() - deadline < 0) {
      return deadline;
    }
    if (!responseStarted) {
      fail(504, ErrorCode.UPSTREAM_TIMEOUT.code(), "the instance did not answer within "
          + route.definition().idleTimeoutSeconds() + " s (route '" + route.name() + "')", true);
    } else {
      abort();
    }
    return 0;
  }

  /** Answers with an error of the gateway's own. */
  private void fail(int status, String code, String message, boolean closeIfBody) {
    sendError(ProxyErrors.error(client.alloc(), status, code, message), closeIfBody);
  }

  /**
   * Sends {@code response} to the client and ends the exchange. The connection stays open only
   * if the request had no body (the rest of a body would otherwise be read as the next request).
   */
  private void sendError(FullHttpResponse response, boolean closeIfBody) {
    if (phase == Phase.DONE) {
      response.release();
      return;
    }
    detachUpstream(true);
    // After a request the decoder could not read, the rest of the stream cannot be trusted: close.
    boolean keep = keepClient() && !(closeIfBody && requestHasBody && !requestComplete) && !upgrade
        && !request.decoderResult().isFailure();
    response.headers().set(Headers.X_REQUEST_ID, requestId);
    if (!keep) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    response.setProtocolVersion(clientVersion);
    bytesOut = response.content().readableBytes();
    finish(response.status().code());
    if (keep) {
      client.writeAndFlush(response);
      frontend.exchangeDone(true);
    } else {
      client.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      frontend.exchangeDone(false);
    }
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

  /** The client went away: stop working for it. */
  void clientGone() {
    if (phase == Phase.DONE) {
      return;
    }
    detachUpstream(true);
    finish(499);
  }

  private void detachUpstream(boolean close) {
    if (upstream != null) {
      if (backend != null) {
        backend.exchange = null;
      }
      if (close) {
        upstream.close();
      }
      upstream = null;
      backend = null;
    }
    if (counters != null) {
      counters.inFlight.decrementAndGet();
      counters = null;
    }
  }

  private void finish(int finalStatus) {
    if (phase == Phase.DONE) {
      return;
    }
    phase = Phase.DONE;
    if (counters != null) {
      counters.inFlight.decrementAndGet();
      counters = null;
    }
    dp.active.decrementAndGet();
    long nanos = System.nanoTime() - startNanos;
    if (route != null && tokenId != null) {
      dp.observer.finished(route.name(), tokenId, target == null ? null : target.id(), finalStatus, nanos, bytesIn,
          bytesOut);
    }
    if (dp.accessLog.enabled()) {
      dp.accessLog.log(this, finalStatus, nanos);
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  private String host() {
    String h = request.headers().get(HttpHeaderNames.HOST);
    if (h == null) {
      return null;
    }
    int colon = h.lastIndexOf(':');
    if (colon > 0 && h.indexOf(']') < colon) {
      h = h.substring(0, colon);
    }
    return h.toLowerCase();
  }

  private String clientIp() {
    return client.channel().remoteAddress() instanceof InetSocketAddress a
        ? a.getAddress().getHostAddress() : "unknown";
  }

  static String bearer(String header) {
    if (header != null && header.length() > 7 && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return null;
  }

  static boolean isWebSocketUpgrade(HttpRequest r) {
    return r.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && r.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private static String shorten(String headerValue) {
    if (headerValue.length() <= 64) {
      return headerValue;
    }
    return Integer.toHexString(headerValue.hashCode()) + Integer.toHexString(headerValue.length())
        + headerValue.substring(0, 32);
  }

  private static String describe(Throwable t) {
    if (t == null) {
      return "unknown";
    }
    if (t instanceof ConnectException) {
      return "connection refused";
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
