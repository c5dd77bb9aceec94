package io.gatehouse.node.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

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

  private static final List<AsciiString> HOP_BY_HOP = List.of(
      HttpHeaderNames.CONNECTION, KEEP_ALIVE, PROXY_CONNECTION, HttpHeaderNames.PROXY_AUTHENTICATE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
      HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);
  private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Headers() {}

  /**
   * Rewrites the client's request headers, in place, for the instance.
   *
   * @param upgrade true for a WebSocket upgrade, whose Upgrade and Connection headers must pass
   */
  static void toUpstream(HttpHeaders h, boolean upgrade, String instanceAddress, String clientIp, String scheme,
      String requestId, String principal, String tokenId) {
    String originalHost = h.get(HttpHeaderNames.HOST);
    boolean chunked = h.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true);
    String upgradeTo = h.get(HttpHeaderNames.UPGRADE);
    stripHopByHop(h);
    h.remove(HttpHeaderNames.AUTHORIZATION);
    stripPrefixed(h, "x-gatehouse-");
    stripPrefixed(h, "x-forwarded-");
    h.remove("forwarded");
    h.set(HttpHeaderNames.HOST, instanceAddress);
    if (chunked) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (upgrade) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      h.set(HttpHeaderNames.UPGRADE, upgradeTo);
    }
    h.set(X_FORWARDED_FOR, clientIp);
    h.set(X_FORWARDED_PROTO, scheme);
    if (originalHost != null) {
      h.set(X_FORWARDED_HOST, originalHost);
    }
    h.set(X_REQUEST_ID, requestId);
    h.set(X_GATEHOUSE_PRINCIPAL, principal);
    h.set(X_GATEHOUSE_TOKEN_ID, tokenId);
  }

  /** Rewrites an instance's response headers, in place, for the client. */
  static void toClient(HttpHeaders h, String requestId, String instanceId, boolean keepAlive, boolean chunked) {
    stripHopByHop(h);
    if (chunked) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (!keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    h.set(X_REQUEST_ID, requestId);
    h.set(X_GATEHOUSE_INSTANCE, instanceId);
  }

  static void stripHopByHop(HttpHeaders h) {
    for (String listed : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : listed.split(",")) {
        String name = token.trim();
        if (!name.isEmpty()) {
          h.remove(name);
        }
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      h.remove(name);
    }
  }

  private static void stripPrefixed(HttpHeaders h, String prefix) {
    List<String> doomed = null;
    for (var it = h.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (name.length() >= prefix.length() && AsciiString.regionMatches(name, true, 0, prefix, 0, prefix.length())) {
        if (doomed == null) {
          doomed = new java.util.ArrayList<>();
        }
        doomed.add(name.toString());
      }
    }
    if (doomed != null) {
      doomed.forEach(h::remove);
    }
  }

  /** The client's request id if it is a sane one, else a new random one. */
  static String requestId(HttpHeaders h) {
    String given = h.get(X_REQUEST_ID);
    if (given != null && CLIENT_REQUEST_ID.matcher(given).matches()) {
      return given;
    }
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long a = r.nextLong();
    long b = r.nextLong();
    char[] out = new char[32];
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}
