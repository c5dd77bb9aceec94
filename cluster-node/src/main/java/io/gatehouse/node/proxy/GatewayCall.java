package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.ApiJson;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One call to a gateway endpoint under {@code /_gatehouse/}, with its body read, as its endpoint
 * works with it: who the caller is (through the one admission, door {@link Arrival.Door#GATEWAY}),
 * the query and form fields (a malformed percent-encoding is a 400, never a dropped connection),
 * and the ways to answer. The request's {@link GatewayRequest} owns the connection and the
 * exchange's record; the endpoint only decides.
 */
final class GatewayCall {
  /** What answering looks like to the endpoint; {@link GatewayRequest} implements it. */
  interface Answers {
    void answer(FullHttpResponse response);

    void refuse(Refusal why);

    /** The caller was admitted as {@code a} (its record says who, from now on). */
    void admitted(Admission.Admitted a);
  }

  private final HttpRequest request;
  private final Arrival arrival;
  private final byte[] body;
  private final Map<String, List<String>> query;
  private final HttpDoor door;
  private final FrontendHandler frontend;
  private final Executor loop;
  private final Answers answers;

  GatewayCall(HttpRequest request, Arrival arrival, byte[] body, Map<String, List<String>> query, HttpDoor door,
      FrontendHandler frontend, Executor loop, Answers answers) {
    this.request = request;
    this.arrival = arrival;
    this.body = body;
    this.query = query;
    this.door = door;
    this.frontend = frontend;
    this.loop = loop;
    this.answers = answers;
  }

  /** Decodes a query string or a form body; a malformed percent-encoding is null. */
  static Map<String, List<String>> fields(String encoded) {
    try {
      return new QueryStringDecoder(encoded, StandardCharsets.UTF_8, false).parameters();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  HttpRequest request() {
    return request;
  }

  /** What arrived, as the one admission reads it (its target is the gateway itself). */
  Arrival arrival() {
    return arrival;
  }

  HttpDoor door() {
    return door;
  }

  /** The request's path, without its query. */
  String path() {
    int q = request.uri().indexOf('?');
    return q < 0 ? request.uri() : request.uri().substring(0, q);
  }

  /** The client's address (the one a session port's {@code allowFrom} defaults to). */
  java.net.InetAddress clientAddress() {
    return frontend.clientInetAddress();
  }

  byte[] body() {
    return body;
  }

  String param(String name) {
    return first(query, name);
  }

  static String first(Map<String, List<String>> fields, String name) {
    List<String> values = fields.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Whether the browser reached the gateway over HTTPS (then cookies are {@code Secure}). */
  boolean secure() {
    return frontend.scheme().equals("https") || door.publicScheme().equals("https");
  }

  boolean accepts(String type) {
    String accept = request.headers().get(HttpHeaderNames.ACCEPT);
    return accept != null && accept.contains(type);
  }

  /**
   * Runs {@code then} with the caller admitted for {@code target}: the request's credential,
   * decided by the one admission ({@link Arrival.Gateway} for who alone, a route by name or by
   * path for what it names); a refusal is answered.
   */
  void admit(Arrival.Target target, Consumer<Admission.Admitted> then) {
    Arrival a = new Arrival(Arrival.Door.GATEWAY, arrival.credential(), arrival.authority(), target, arrival.method(),
        arrival.origin(), -1, arrival.scheme(), false, false);
    decide(a, then);
  }

  /** As {@link #admit}, for an arrival the endpoint built (a pasted token, say). */
  void decide(Arrival a, Consumer<Admission.Admitted> then) {
    door.admission().decide(a, frontend.memos(), loop, d -> {
      if (d instanceof Refusal r) {
        refuse(r);
      } else {
        Admission.Admitted admitted = (Admission.Admitted) d;
        answers.admitted(admitted);
        then.accept(admitted);
      }
    });
  }

  /** Runs {@code then} on the connection's loop when {@code work} succeeds; a failure (thrown or later) is answered. */
  <T> void later(Supplier<CompletionStage<T>> start, Consumer<T> then) {
    CompletionStage<T> work;
    try {
      work = start.get();
    } catch (RuntimeException e) {
      refuse(BrowserLinks.refusalOf(e));
      return;
    }
    work.whenComplete((value, failure) -> loop.execute(() -> {
      if (failure != null) {
        refuse(BrowserLinks.refusalOf(failure));
      } else {
        then.accept(value);
      }
    }));
  }

  /** The body as a JSON request of {@code type}; a bad one is answered (400) and null returned. */
  <T> T json(Class<T> type) {
    try {
      return ApiJson.read(body, type);
    } catch (Rejection r) {
      refuse(Refusal.of(r.code(), r.getMessage()));
      return null;
    }
  }

  void answer(FullHttpResponse response) {
    answers.answer(response);
  }

  void refuse(Refusal why) {
    answers.refuse(why);
  }

  void created(Object json) {
    answer(response(HttpResponseStatus.CREATED, "application/json",
        new String(ApiJson.write(json), StandardCharsets.UTF_8)));
  }

  void notFound(String what) {
    refuse(Refusal.of(ErrorCode.NOT_FOUND, what));
  }

  static FullHttpResponse response(HttpResponseStatus status, String type, String text) {
    byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    if (type != null) {
      r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    }
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }
}
