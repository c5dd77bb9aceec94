package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.Unpooled;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A {@link Refusal} as HTTP says it: API.md's JSON error body, with the headers its status
 * carries (or gRPC's trailers-only answer), and the one way every HTTP door sends the gateway's
 * own final answer to a request ({@link #answer}).
 */
final class HttpRefusals {
  private HttpRefusals() {}

  /**
   * Sends {@code response} as the answer to the request {@code requestId}, with its id, and ends
   * the connection after it unless {@code keep} (lingering, so that a client still sending a body
   * reads the answer: {@link Lingering}). {@code http11}: the client spoke HTTP/1.1 (an HTTP/1.0
   * client gets an HTTP/1.0 answer).
   */
  static void answer(ChannelHandlerContext client, FullHttpResponse response, String requestId, boolean keep,
      boolean http11) {
    response.headers().set(Headers.X_REQUEST_ID, requestId);
    response.setProtocolVersion(http11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0);
    if (!keep) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      Lingering.closeAfter(client.writeAndFlush(response));
      return;
    }
    client.writeAndFlush(response);
  }

  /** {@code r} for a gRPC call ({@code grpc}) as a trailers-only gRPC answer, else as {@link #render(ByteBufAllocator, Refusal)}. */
  static FullHttpResponse render(ByteBufAllocator alloc, Refusal r, boolean grpc) {
    return grpc ? grpc(r) : render(alloc, r);
  }

  /**
   * A refusal as gRPC says it: HTTP 200 with {@code grpc-status} and {@code grpc-message} and no
   * body (over HTTP/2 a single HEADERS frame that ends the stream: "trailers-only").
   */
  static FullHttpResponse grpc(Refusal r) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.EMPTY_BUFFER);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
    response.headers().setInt("grpc-status", grpcStatus(r.status()));
    response.headers().set("grpc-message", percentEncoded(r.code().code() + ": " + r.message()));
    if (r.retryAfterSeconds() > 0) {
      response.headers().setInt(HttpHeaderNames.RETRY_AFTER, r.retryAfterSeconds());
    }
    return response;
  }

  /** API.md's map: 16 (401), 7 (403), 5 (404), 14 (502, 503), 4 (504), 8 (429); and 3 (400), 8 (413), 13 else. */
  static int grpcStatus(int http) {
    return switch (http) {
      case 400 -> 3;
      case 401 -> 16;
      case 403 -> 7;
      case 404 -> 5;
      case 413, 429 -> 8;
      case 502, 503 -> 14;
      case 504 -> 4;
      default -> 13;
    };
  }

  /** grpc-message is percent-encoded UTF-8 (printable ASCII but '%' as is). */
  private static String percentEncoded(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

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
