package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.Unpooled;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A {@link Refusal} as HTTP says it: API.md's JSON error body, with the headers its status carries. */
final class HttpRefusals {
  private HttpRefusals() {}

  static FullHttpResponse render(ByteBufAllocator alloc, Refusal r) {
    if (r.signIn() != null) {
      return toSignIn(r.signIn());
    }
    byte[] body = ("{\"error\":\"" + r.code().code() + "\",\"message\":\"" + escape(r.message()) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    ByteBuf content = alloc.buffer(body.length).writeBytes(body);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(r.status()), content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (r.challenge() != null) {
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, r.challenge());
    }
    if (r.retryAfterSeconds() > 0) {
      response.headers().setInt(HttpHeaderNames.RETRY_AFTER, r.retryAfterSeconds());
    }
    return response;
  }

  /** A browser without a session on a browser route: 303 to the sign-in page, to come back to {@code next}. */
  private static FullHttpResponse toSignIn(String next) {
    String location = "/_gatehouse/signin?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SEE_OTHER,
        Unpooled.EMPTY_BUFFER);
    r.headers().set(HttpHeaderNames.LOCATION, location);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  /** A string as the inside of a JSON string literal. */
  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
