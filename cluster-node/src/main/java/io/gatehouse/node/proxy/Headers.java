package io.gatehouse.node.proxy;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import io.gatehouse.node.browser.SessionCookie;

/**
 * Header rules of the proxy. Towards the instance: hop-by-hop headers go (including those the
 * client named in {@code Connection}), the consumer's gateway credential goes, every
 * {@code X-Gatehouse-*} and {@code X-Forwarded-*} the client sent goes, and the gateway sets its
 * own. Towards the client: hop-by-hop headers go, and the request id and instance are added.
 */
final class Headers {
  static final AsciiString X_REQUEST_ID = AsciiString.cached("X-Request-Id");
  static final AsciiString X_GATEHOUSE_INSTANCE = AsciiString.cached("X-Gatehouse-Instance");
  static final AsciiString X_GATEHOUSE_PRINCIPAL = AsciiString.cached("X-Gatehouse-Principal");
  static final AsciiString X_GATEHOUSE_TOKEN_ID = AsciiString.cached("X-Gatehouse-Token-Id");
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
  static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
  static final AsciiString X_FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
  static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
  static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
  static final AsciiString FORWARDED = AsciiString.cached("forwarded");
  static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("X-Forwarded-Prefix");

  private static final List<AsciiString> HOP_BY_HOP = List.of(
      HttpHeaderNames.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.PROXY_AUTHENTICATE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
      HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);
  /** The names the gateway itself adds to a request: constants, valid by construction. */
  private static final AsciiString[] OWN = {HttpHeaderNames.HOST, HttpHeaderNames.TRANSFER_ENCODING,
      HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, X_FORWARDED_FOR, X_FORWARDED_PROTO, X_FORWARDED_HOST,
      X_REQUEST_ID, X_GATEHOUSE_PRINCIPAL, X_GATEHOUSE_TOKEN_ID, X_FORWARDED_PREFIX, HttpHeaderNames.COOKIE,
      HttpHeaderNames.TE};
  private static final DefaultHeaders.NameValidator<CharSequence> NETTY_NAME_VALIDATOR =
      DefaultHttpHeadersFactory.headersFactory().getNameValidator();

  /**
   * Request headers as the decoder makes them: every name a client sends is validated as Netty
   * does (a token, RFC 9110); the gateway's own constant names skip that check when it adds them.
   */
  static final DefaultHttpHeadersFactory REQUEST_HEADERS = DefaultHttpHeadersFactory.headersFactory()
      .withNameValidator(name -> {
        for (AsciiString own : OWN) {
          if (own == name) {
            return;
          }
        }
        NETTY_NAME_VALIDATOR.validateName(name);
      });

  private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private Headers() {}

  /**
   * Rewrites the client's request headers, in place, for the instance: one pass over them finds
   * what must go, then the gateway's own are added. {@code Expect} goes too: the gateway answers
   * a client's {@code 100-continue} itself once the request is admitted.
   *
   * @param upgrade true for a WebSocket upgrade, whose Upgrade and Connection headers must pass
   */
  static void toUpstream(HttpHeaders h, boolean upgrade, String instanceAddress, String clientIp, String scheme,
      String requestId, String principal, String tokenId, String strippedPrefix) {
    String originalHost = h.get(HttpHeaderNames.HOST);
    boolean chunked = h.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true);
    String upgradeTo = upgrade ? h.get(HttpHeaderNames.UPGRADE) : null;
    // "TE: trailers" (the one TE HTTP/2 allows; gRPC needs it) says the client takes trailers: it passes.
    boolean trailers = h.containsValue(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS, true);
    List<String> doomed = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (hopByHop(name) || HttpHeaderNames.AUTHORIZATION.contentEqualsIgnoreCase(name)
          || HttpHeaderNames.EXPECT.contentEqualsIgnoreCase(name) || gatewayOwned(name)) {
        doomed = add(doomed, name.toString());
      }
    }
    doomed = connectionListed(h, doomed);
    if (doomed != null) {
      doomed.forEach(h::remove);
    }
    withoutOurCookie(h);
    h.set(HttpHeaderNames.HOST, instanceAddress);
    if (chunked) {
      h.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (trailers) {
      h.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    if (upgrade) {
      h.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      h.add(HttpHeaderNames.UPGRADE, upgradeTo);
    }
    // None of these is left from the client: add, not set.
    h.add(X_FORWARDED_FOR, clientIp);
    h.add(X_FORWARDED_PROTO, scheme);
    if (originalHost != null) {
      h.add(X_FORWARDED_HOST, originalHost);
    }
    h.set(X_REQUEST_ID, requestId);
    h.add(X_GATEHOUSE_PRINCIPAL, principal);
    h.add(X_GATEHOUSE_TOKEN_ID, tokenId);
    if (strippedPrefix != null) {
      h.add(X_FORWARDED_PREFIX, strippedPrefix);
    }
  }

  /** The gateway's session cookie never reaches an instance; the app's own cookies do. */
  private static void withoutOurCookie(HttpHeaders h) {
    if (!hasOurCookie(h)) {
      return;
    }
    List<String> cookies = h.getAll(HttpHeaderNames.COOKIE);
    h.remove(HttpHeaderNames.COOKIE);
    for (String c : cookies) {
      String kept = SessionCookie.without(c);
      if (kept != null) {
        h.add(HttpHeaderNames.COOKIE, kept);
      }
    }
  }

  private static boolean hasOurCookie(HttpHeaders h) {
    for (Iterator<? extends CharSequence> it = h.valueCharSequenceIterator(HttpHeaderNames.COOKIE); it.hasNext(); ) {
      if (AsciiString.contains(it.next(), SessionCookie.NAME)) {
        return true;
      }
    }
    return false;
  }

  /**
   * How the client sees what an instance says about itself: the instance's address, the route's
   * prefix the instance does not see (or null), and the scheme and Host the client used.
   */
  record ClientView(String instanceAddress, String strippedPrefix, String scheme, String host) {
    String origin() {
      return scheme + "://" + host;
    }
  }

  /**
   * What an instance says about URLs, for the client: a redirect to the instance's own address
   * goes to the gateway's instead, a redirect or a cookie path on a route whose prefix the
   * instance does not see gets the prefix, and no instance may set the gateway's cookie.
   */
  static void rewriteForClient(HttpHeaders h, ClientView view) {
    String location = h.get(HttpHeaderNames.LOCATION);
    if (location != null) {
      h.set(HttpHeaderNames.LOCATION, location(location, view));
    }
    if (h.contains(HttpHeaderNames.SET_COOKIE)) {
      List<String> cookies = h.getAll(HttpHeaderNames.SET_COOKIE);
      h.remove(HttpHeaderNames.SET_COOKIE);
      for (String c : cookies) {
        if (!SessionCookie.isOurs(c)) {
          h.add(HttpHeaderNames.SET_COOKIE, view.strippedPrefix() == null ? c : cookiePath(c, view.strippedPrefix()));
        }
      }
    }
  }

  static String location(String location, ClientView view) {
    String own = "http://" + view.instanceAddress();
    String prefix = view.strippedPrefix() == null ? "" : view.strippedPrefix();
    if (location.regionMatches(true, 0, own, 0, own.length())
        && (location.length() == own.length() || "/?#".indexOf(location.charAt(own.length())) >= 0)) {
      String rest = location.substring(own.length());
      return view.origin() + prefix + (rest.isEmpty() ? "/" : rest);
    }
    if (!prefix.isEmpty() && location.startsWith("/") && !location.startsWith("//")
        && !location.equals(prefix) && !location.startsWith(prefix + "/")) {
      return prefix + location;
    }
    return location;
  }

  /** A cookie's {@code Path} under the route's prefix (a missing Path means the request's, which is under it already). */
  static String cookiePath(String setCookie, String prefix) {
    StringBuilder out = new StringBuilder(setCookie.length() + prefix.length());
    for (String part : setCookie.split(";", -1)) {
      String p = part.trim();
      if (out.length() > 0) {
        out.append("; ");
      }
      if (p.regionMatches(true, 0, "path=", 0, 5)) {
        String path = p.substring(5);
        boolean under = path.equals(prefix) || path.startsWith(prefix + "/");
        out.append("Path=").append(under ? path : prefix + (path.equals("/") ? "/" : path));
      } else {
        out.append(p);
      }
    }
    return out.toString();
  }

  /** Rewrites an instance's response headers, in place, for the client. */
  static void toClient(HttpHeaders h, String requestId, String instanceId, boolean keepAlive, boolean chunked) {
    stripHopByHop(h);
    if (chunked) {
      h.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (!keepAlive) {
      h.add(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    h.set(X_REQUEST_ID, requestId);
    h.set(X_GATEHOUSE_INSTANCE, instanceId);
  }

  static void stripHopByHop(HttpHeaders h) {
    List<String> doomed = null;
    for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (hopByHop(name)) {
        doomed = add(doomed, name.toString());
      }
    }
    doomed = connectionListed(h, doomed);
    if (doomed != null) {
      doomed.forEach(h::remove);
    }
  }

  /** Adds the names listed in the Connection headers (hop-by-hop by declaration). */
  private static List<String> connectionListed(HttpHeaders h, List<String> doomed) {
    if (!h.contains(HttpHeaderNames.CONNECTION)) {
      return doomed;
    }
    for (String listed : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : listed.split(",")) {
        String name = token.trim();
        if (!name.isEmpty()) {
          doomed = add(doomed, name);
        }
      }
    }
    return doomed;
  }

  private static boolean hopByHop(CharSequence name) {
    for (AsciiString h : HOP_BY_HOP) {
      if (h.length() == name.length() && h.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a client's header could pass for one of the gateway's own: {@code X-Gatehouse-*},
   * {@code X-Forwarded-*}, {@code Forwarded}, or an {@code X-Request-Id} spelled with {@code _}
   * (which CGI, WSGI, Rack and PHP read as the same header), in any case.
   */
  static boolean gatewayOwned(CharSequence name) {
    return startsLoosely(name, "x-gatehouse-") || startsLoosely(name, "x-forwarded-")
        || (name.length() == 9 && startsLoosely(name, "forwarded"))
        || (name.length() == 12 && startsLoosely(name, "x-request-id") && indexOf(name, '_') >= 0);
  }

  /** Whether {@code name} starts with {@code prefix} (lower case, with '-'), reading '_' as '-' and any case. */
  private static boolean startsLoosely(CharSequence name, String prefix) {
    if (name.length() < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = name.charAt(i);
      if (c == '_') {
        c = '-';
      } else if (c >= 'A' && c <= 'Z') {
        c = (char) (c + 32);
      }
      if (c != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(CharSequence s, char c) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> add(List<String> list, String name) {
    List<String> out = list == null ? new ArrayList<>(4) : list;
    out.add(name);
    return out;
  }

  /** The client's address as {@code X-Forwarded-For} gives it. */
  static String clientIp(io.netty.channel.Channel client) {
    return client.remoteAddress() instanceof java.net.InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
  }

  /** A gRPC call ({@code content-type: application/grpc...}): its refusals are said as gRPC statuses. */
  static boolean isGrpc(HttpHeaders h) {
    String type = h.get(HttpHeaderNames.CONTENT_TYPE);
    return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
  }

  static boolean isWebSocketUpgrade(io.netty.handler.codec.http.HttpRequest r) {
    return r.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && r.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  /** The client's request id if it is a sane one, else a new random one. */
  static String requestId(HttpHeaders h) {
    String given = h.get(X_REQUEST_ID);
    if (given != null && CLIENT_REQUEST_ID.matcher(given).matches()) {
      return given;
    }
    return io.gatehouse.node.admission.RequestIds.next();
  }
}
