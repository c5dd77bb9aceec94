package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;

/**
 * A request under {@code /_gatehouse/}, which the gateway answers itself and which never reaches
 * an instance, on any route or host: a small router over the endpoints ({@link SignInEndpoint}:
 * signing in and out; {@link BrowserLinkEndpoint}; {@link SessionPortEndpoint}). It reads the
 * body whole (at most 64 KiB), reads what arrived once, hands the endpoint a {@link GatewayCall},
 * and sends its one answer. Its record is the exchange's, like every door's.
 */
final class GatewayRequest implements Conversation, GatewayCall.Answers {
  static final String PREFIX = "/_gatehouse/";
  private static final int MAX_BODY = 64 * 1024;

  /** The endpoints, by method and path under {@link #PREFIX}. */
  private static final List<Route> ROUTES = List.of(
      new Route(HttpMethod.GET, "signin", false, SignInEndpoint::page),
      new Route(HttpMethod.POST, "signin", false, SignInEndpoint::form),
      new Route(HttpMethod.POST, "signout", false, SignInEndpoint::signOut),
      new Route(HttpMethod.POST, "browser-links", false, BrowserLinkEndpoint::create),
      new Route(HttpMethod.POST, "tcp-sessions", false, SessionPortEndpoint::open),
      new Route(HttpMethod.DELETE, "tcp-sessions/", true, SessionPortEndpoint::end));

  private record Route(HttpMethod method, String path, boolean prefix, java.util.function.Consumer<GatewayCall> endpoint) {
    boolean matches(HttpMethod m, String rest) {
      return method.equals(m) && (prefix ? rest.startsWith(path) && rest.length() > path.length() : rest.equals(path));
    }
  }

  private final FrontendHandler frontend;
  private final ChannelHandlerContext client;
  private final HttpDoor door;
  private final HttpRequest request;
  private final String requestId;
  private final boolean keepAlive;
  private final OpenExchanges.Open record;
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
    this.requestId = Headers.requestId(request.headers());
    this.keepAlive = request.protocolVersion().equals(HttpVersion.HTTP_1_1) && HttpUtil.isKeepAlive(request);
    this.record = frontend.openExchanges().begin(Arrival.Door.GATEWAY, requestId, request.method().name(),
        request.uri(), this::refuse);
  }

  static boolean isFor(HttpRequest r) {
    String u = r.uri();
    return u.startsWith(PREFIX) || u.equals("/_gatehouse") || u.startsWith("/_gatehouse?");
  }

  @Override
  public void start() {
    frontend.idleCheckBy(startNanos + door.clientIdleNanos());
    if (request.decoderResult().isFailure()) {
      reading = false;
      refuse(Refusal.invalid("request", "could not be read"));
    } else if (HttpUtil.getContentLength(request, 0L) > MAX_BODY) {
      reading = false;
      refuse(tooLarge());
    }
  }

  private static Refusal tooLarge() {
    return Refusal.of(ErrorCode.PAYLOAD_TOO_LARGE, "body: the gateway's own endpoints take at most 64 KiB");
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
      refuse(tooLarge());
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
      route();
    }
  }

  /** The body is in: what arrived is read once, then the endpoint for the method and path decides. */
  private void route() {
    HttpArrivals.Read read = HttpArrivals.read(request, Arrival.Door.GATEWAY, Arrival.Gateway.INSTANCE,
        frontend.scheme());
    if (read.refusal() != null) {
      refuse(read.refusal());
      return;
    }
    int q = request.uri().indexOf('?');
    String path = q < 0 ? request.uri() : request.uri().substring(0, q);
    Map<String, List<String>> query = GatewayCall.fields(q < 0 ? "" : request.uri().substring(q + 1));
    if (query == null) {
      refuse(Refusal.invalid("query", "has a malformed percent-encoding"));
      return;
    }
    String rest = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : "";
    for (Route r : ROUTES) {
      if (r.matches(request.method(), rest)) {
        r.endpoint().accept(new GatewayCall(request, read.arrival(), body.toByteArray(), query, door, frontend,
            client.executor(), this));
        return;
      }
    }
    refuse(Refusal.of(ErrorCode.NOT_FOUND, "no such gateway endpoint: " + request.method() + " " + path));
  }

  @Override
  public void admitted(Admission.Admitted a) {
    record.admitted(a);
  }

  /** A refusal: the sign-in page again for a browser at the sign-in form or a link, else the JSON error. */
  @Override
  public void refuse(Refusal why) {
    if (done) {
      return;
    }
    if (bodyRead && SignInEndpoint.showsPage(request)) {
      answer(SignInEndpoint.page(request, why), why.status());
      return;
    }
    answer(HttpRefusals.render(client.alloc(), why), why.status());
  }

  @Override
  public void answer(FullHttpResponse r) {
    answer(r, r.status().code());
  }

  private void answer(FullHttpResponse r, int status) {
    if (done) {
      r.release();
      return;
    }
    done = true;
    // A body not read to its end cannot be told from the next request: close then.
    boolean keep = keepAlive && bodyRead && !door.draining();
    record.bytesIn(body.size());
    record.bytesOut(r.content().readableBytes());
    record.finish(status);
    HttpRefusals.answer(client, r, requestId, keep, request.protocolVersion().equals(HttpVersion.HTTP_1_1));
    frontend.exchangeDone(keep);
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
    record.finish(408);
    client.close();
    frontend.exchangeDone(false);
    return 0;
  }

  @Override
  public void failed(Throwable cause) {
    refuse(Refusal.of(ErrorCode.INTERNAL, "the gateway failed on this request (" + cause.getClass().getSimpleName()
        + "); it is in the node's log"));
  }

  @Override
  public void clientGone() {
    if (!done) {
      done = true;
      record.finish(499);
    }
  }
}
