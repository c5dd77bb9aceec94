package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.HostName;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.admission.RequestPath;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.node.browser.SessionCookie;
import io.gatehouse.node.browser.SignInPage;
import io.gatehouse.node.token.Bearer;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.ApiJson;
import io.gatehouse.protocol.api.BrowserLinkJson;
import io.gatehouse.protocol.api.TcpSessionJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A request under {@code /_gatehouse/}, which the gateway answers itself and which never reaches
 * an instance, on any route or host: browser links ({@code POST /_gatehouse/browser-links}, with
 * a bearer token), signing in (opening a link's code, or the page where a person pastes a token),
 * signing out, and session ports ({@code POST /_gatehouse/tcp-sessions}, {@code DELETE
 * /_gatehouse/tcp-sessions/{id}}, with a bearer token). Its body, if any, is read whole (at most 64 KiB) before it is answered.
 */
final class GatewayRequest implements Conversation {
  static final String PREFIX = "/_gatehouse/";
  private static final String TCP_SESSIONS = "tcp-sessions";
  private static final int MAX_BODY = 64 * 1024;

  private final FrontendHandler frontend;
  private final ChannelHandlerContext client;
  private final HttpDoor door;
  private final HttpRequest request;
  private final QueryStringDecoder uri;
  private final boolean keepAlive;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private final long startNanos = System.nanoTime();
  private boolean reading = true;
  private boolean bodyRead;
  private boolean done;

  GatewayRequest(FrontendHandler frontend, ChannelHandlerContext client, HttpDoor door, HttpRequest request) {
    this.frontend = frontend;
    this.client = client;
    this.door = door;
    this.request = request;
    this.uri = new QueryStringDecoder(request.uri());
    this.keepAlive = request.protocolVersion().equals(HttpVersion.HTTP_1_1) && HttpUtil.isKeepAlive(request);
  }

  static boolean isFor(HttpRequest r) {
    String u = r.uri();
    return u.startsWith(PREFIX) || u.equals("/_gatehouse") || u.startsWith("/_gatehouse?");
  }

  @Override
  public void start() {
    door.opened();
    frontend.idleCheckBy(startNanos + door.clientIdleNanos());
    if (request.decoderResult().isFailure() || HttpUtil.getContentLength(request, 0L) > MAX_BODY) {
      reading = false;
      refuse(request.decoderResult().isFailure() ? Refusal.invalid("request", "could not be read")
          : Refusal.of(ErrorCode.PAYLOAD_TOO_LARGE, "body: the gateway's own endpoints take at most 64 KiB"));
    }
  }

  @Override
  public boolean canTakeMore() {
    return reading;
  }

  @Override
  public void forwardBody(HttpContent content) {
    if (body.size() + content.content().readableBytes() > MAX_BODY) {
      content.release();
      reading = false;
      refuse(Refusal.of(ErrorCode.PAYLOAD_TOO_LARGE, "body: the gateway's own endpoints take at most 64 KiB"));
      return;
    }
    ByteBuf b = content.content();
    byte[] bytes = new byte[b.readableBytes()];
    b.readBytes(bytes);
    body.writeBytes(bytes);
    boolean last = content instanceof LastHttpContent;
    content.release();
    if (last) {
      reading = false;
      bodyRead = true;
      handle();
    }
  }

  private void handle() {
    String host;
    try {
      List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
      if (hosts.size() > 1) {
        throw new RequestPath.Invalid("a request has one Host header; this one has " + hosts.size());
      }
      host = HostName.parse(hosts.isEmpty() ? null : hosts.get(0));
    } catch (RequestPath.Invalid e) {
      refuse(Refusal.invalid("Host", e.getMessage()));
      return;
    }
    String path = uri.path();
    HttpMethod m = request.method();
    if (path.equals(PREFIX + "signin") && m.equals(HttpMethod.GET)) {
      String code = param("code");
      if (code == null) {
        page(HttpResponseStatus.OK, param("next"), null);
      } else {
        redeem(code, host);
      }
    } else if (path.equals(PREFIX + "signin") && m.equals(HttpMethod.POST)) {
      signIn(host);
    } else if (path.equals(PREFIX + "signout") && m.equals(HttpMethod.POST)) {
      signOut();
    } else if (path.equals(PREFIX + "browser-links") && m.equals(HttpMethod.POST)) {
      link();
    } else if (path.equals(PREFIX + TCP_SESSIONS) && m.equals(HttpMethod.POST)) {
      openSessionPort();
    } else if (path.startsWith(PREFIX + TCP_SESSIONS + "/") && m.equals(HttpMethod.DELETE)) {
      endSessionPort(path.substring(PREFIX.length() + TCP_SESSIONS.length() + 1));
    } else {
      refuse(Refusal.of(ErrorCode.NOT_FOUND, "no such gateway endpoint: " + path));
    }
  }

  // ---- browser links -----------------------------------------------------------------------

  private void link() {
    withToken(token -> {
      BrowserLinkJson.Request req;
      try {
        req = ApiJson.read(body.toByteArray(), BrowserLinkJson.Request.class);
      } catch (Rejection r) {
        refuse(Refusal.of(r.code(), r.getMessage()));
        return;
      }
      later(() -> door.links().create(token, req.route().value(), req.next(), door.node()), link -> {
        FullHttpResponse r = response(HttpResponseStatus.CREATED, "application/json",
            new String(ApiJson.write(link), StandardCharsets.UTF_8));
        answer(r);
      });
    });
  }

  // ---- session ports -----------------------------------------------------------------------

  private void openSessionPort() {
    withToken(token -> {
      TcpSessionJson.Request req;
      try {
        req = ApiJson.read(body.toByteArray(), TcpSessionJson.Request.class);
      } catch (Rejection r) {
        refuse(Refusal.of(r.code(), r.getMessage()));
        return;
      }
      Admission.Decision d = door.admission().admitTcp(token, req.route().value());
      if (d instanceof Refusal r) {
        refuse(r);
        return;
      }
      InetAddress caller = ((InetSocketAddress) client.channel().remoteAddress()).getAddress();
      later(() -> door.sessionPorts().open((Admission.Admitted) d, req.allowFrom(), caller, req.ttlMinutes()),
          session -> answer(response(HttpResponseStatus.CREATED, "application/json",
              new String(ApiJson.write(session), StandardCharsets.UTF_8))));
    });
  }

  private void endSessionPort(String id) {
    withToken(token -> later(() -> door.sessionPorts().end(id, token), found -> {
      if (found) {
        answer(response(HttpResponseStatus.NO_CONTENT, null, null));
      } else {
        refuse(Refusal.of(ErrorCode.NOT_FOUND, "no session port '" + id + "' of yours is open"));
      }
    }));
  }

  // ---- signing in and out ------------------------------------------------------------------

  /** Opens a link's code: the session cookie, then 303 to where the link said. A bad code sets nothing. */
  private void redeem(String code, String host) {
    later(() -> door.links().redeem(code, host, door.node()), this::signedIn);
  }

  /** The sign-in page's form: a pasted token, and where to go. */
  private void signIn(String host) {
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !door.sameOrigin(origin, frontend.scheme(), request.headers().get(HttpHeaderNames.HOST))) {
      refuse(Refusal.crossOrigin(origin));
      return;
    }
    QueryStringDecoder form = new QueryStringDecoder("?" + body.toString(StandardCharsets.UTF_8));
    String token = first(form, "token");
    String next = first(form, "next");
    if (token == null || token.isBlank()) {
      page(HttpResponseStatus.BAD_REQUEST, next, "Paste a token to sign in.");
      return;
    }
    validated(new Bearer(token.trim(), false),
        valid -> later(() -> door.links().signIn(valid, host, next == null ? "" : next, door.node()), this::signedIn));
  }

  private void signedIn(BrowserLinks.Opened opened) {
    FullHttpResponse r = response(HttpResponseStatus.SEE_OTHER, null, null);
    r.headers().set(HttpHeaderNames.LOCATION, opened.next());
    r.headers().add(HttpHeaderNames.SET_COOKIE, SessionCookie.set(opened.cookie(), secure()));
    answer(r);
  }

  private void signOut() {
    SessionCookie.Value v = SessionCookie.parse(SessionCookie.find(request.headers().getAll(HttpHeaderNames.COOKIE)));
    Consumer<Object> cleared = ignored -> {
      boolean html = accepts("text/html");
      FullHttpResponse r = response(html ? HttpResponseStatus.SEE_OTHER : HttpResponseStatus.NO_CONTENT, null, null);
      if (html) {
        r.headers().set(HttpHeaderNames.LOCATION, PREFIX + "signin");
      }
      r.headers().add(HttpHeaderNames.SET_COOKIE, SessionCookie.clear(secure()));
      answer(r);
    };
    if (v == null) {
      cleared.accept(null);
    } else {
      later(() -> door.links().end(v.sessionId(), door.node()), cleared::accept);
    }
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Runs {@code then} with the request's bearer token if it is valid; else answers 401. */
  private void withToken(Consumer<TokenValidation.Valid> then) {
    Bearer bearer = Bearer.read(request.headers().valueStringIterator(HttpHeaderNames.AUTHORIZATION));
    Refusal credential = door.admission().credentialProblem(bearer);
    if (credential != null) {
      refuse(credential);
    } else {
      validated(bearer, then);
    }
  }

  /** Runs {@code then} with the token if it is valid; else answers 401 (the page, for the sign-in form). */
  private void validated(Bearer bearer, Consumer<TokenValidation.Valid> then) {
    Consumer<TokenValidation> decide = v -> {
      if (v instanceof TokenValidation.Valid valid) {
        then.accept(valid);
      } else {
        refuse(Refusal.unauthorized(((TokenValidation.Invalid) v).reason()));
      }
    };
    TokenValidation known = door.admission().fromMemory(bearer, new TokenCache.Memo());
    if (known != null) {
      decide.accept(known);
    } else {
      door.admission().fromEntity(bearer).whenComplete((v, failure) -> client.executor().execute(() -> {
        if (failure != null) {
          refuse(Refusal.tokenCheckUnavailable());
        } else {
          decide.accept(v);
        }
      }));
    }
  }

  /** Runs {@code then} on this loop when {@code work} succeeds; a failure (thrown or later) is answered as its refusal. */
  private <T> void later(Supplier<CompletionStage<T>> start, Consumer<T> then) {
    CompletionStage<T> work;
    try {
      work = start.get();
    } catch (RuntimeException e) {
      refuse(BrowserLinks.refusalOf(e));
      return;
    }
    work.whenComplete((value, failure) -> client.executor().execute(() -> {
      if (failure != null) {
        refuse(BrowserLinks.refusalOf(failure));
      } else {
        then.accept(value);
      }
    }));
  }

  /** A refusal: the sign-in page again for a browser at the form or a link, else the JSON error. */
  private void refuse(Refusal why) {
    if (accepts("text/html") && uri.path().equals(PREFIX + "signin") && bodyRead) {
      page(HttpResponseStatus.valueOf(why.status()), param("next"), why.message());
      return;
    }
    FullHttpResponse r = HttpRefusals.render(client.alloc(), why);
    answer(r);
  }

  private void page(HttpResponseStatus status, String next, String problem) {
    FullHttpResponse r = response(status, "text/html; charset=utf-8", SignInPage.render(next, problem));
    r.headers().set("Content-Security-Policy", SignInPage.POLICY);
    r.headers().set("X-Frame-Options", "DENY");
    r.headers().set("Referrer-Policy", "no-referrer");
    answer(r);
  }

  private FullHttpResponse response(HttpResponseStatus status, String type, String text) {
    byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    if (type != null) {
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    }
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  private void answer(FullHttpResponse r) {
    if (done) {
      r.release();
      return;
    }
    done = true;
    door.closed();
    // A body not read to its end cannot be told from the next request: close then.
    boolean keep = keepAlive && bodyRead && !door.draining();
    r.headers().set(Headers.X_REQUEST_ID, Headers.requestId(request.headers()));
    if (!keep) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      client.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    } else {
      client.writeAndFlush(r);
    }
    frontend.exchangeDone(keep);
  }

  private boolean secure() {
    return frontend.scheme().equals("https") || door.publicScheme().equals("https");
  }

  private boolean accepts(String type) {
    String accept = request.headers().get(HttpHeaderNames.ACCEPT);
    return accept != null && accept.contains(type);
  }

  private String param(String name) {
    return first(uri, name);
  }

  private static String first(QueryStringDecoder d, String name) {
    List<String> values = d.parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  @Override
  public void clientWritable() {}

  /** A gateway request is bounded like a request head: its body must arrive within the client idle timeout. */
  @Override
  public long idleCheck() {
    if (done) {
      return 0;
    }
    long deadline = startNanos + door.clientIdleNanos();
    if (System.nanoTime() - deadline < 0) {
      return deadline;
    }
    done = true;
    door.closed();
    client.close();
    frontend.exchangeDone(false);
    return 0;
  }

  @Override
  public void clientGone() {
    if (!done) {
      done = true;
      door.closed();
    }
  }
}
