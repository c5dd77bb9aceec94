package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Authority;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.admission.RequestPath;
import io.gatehouse.node.browser.SessionCookie;
import io.gatehouse.node.token.Bearer;
import io.gatehouse.node.upstream.UpstreamLeg;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;

/**
 * An HTTP request head (HTTP/1.1, or an HTTP/2 stream's) as an {@link Arrival}: the one place an
 * HTTP door reads who, where, what for and from which origin. First what HTTP itself forbids is
 * refused (a head the decoder could not read, two {@code Host} headers, a host no host has: 400).
 */
final class HttpArrivals {
  private HttpArrivals() {}

  /** What came of reading a head: the arrival, or the refusal HTTP itself calls for. */
  record Read(Arrival arrival, Refusal refusal) {}

  /**
   * Reads {@code request} at {@code door}, for {@code target}.
   *
   * @param scheme {@code http} or {@code https}, as the client reached the gateway
   */
  static Read read(HttpRequest request, Arrival.Door door, Arrival.Target target, String scheme) {
    if (request.decoderResult().isFailure()) {
      return refused(Refusal.invalid("request", UpstreamLeg.describe(request.decoderResult().cause())));
    }
    HttpHeaders h = request.headers();
    List<String> hosts = h.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1) {
      return refused(Refusal.invalid("Host", "a request has one Host header; this one has " + hosts.size()));
    }
    Authority authority;
    try {
      authority = Authority.parse(hosts.isEmpty() ? null : hosts.get(0));
    } catch (RequestPath.Invalid e) {
      return refused(Refusal.invalid("Host", e.getMessage()));
    }
    Arrival.Credential credential = Arrival.Credential.of(
        Bearer.read(h.valueStringIterator(HttpHeaderNames.AUTHORIZATION)), SessionCookie.find(h.getAll(HttpHeaderNames.COOKIE)));
    boolean get = request.method().equals(HttpMethod.GET);
    String accept = h.get(HttpHeaderNames.ACCEPT);
    return new Read(new Arrival(door, credential, authority, target, request.method().name(),
        h.get(HttpHeaderNames.ORIGIN), HttpUtil.getContentLength(request, -1L), scheme,
        Headers.isWebSocketUpgrade(request), get && accept != null && accept.contains("text/html")), null);
  }

  /** The request's own target: a path to resolve by host and prefix. */
  static Read read(HttpRequest request, Arrival.Door door, String scheme) {
    return read(request, door, new Arrival.Path(request.uri()), scheme);
  }

  private static Read refused(Refusal r) {
    return new Read(null, r);
  }
}
