package io.gatehouse.node.proxy;

import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The data plane's own answers: API.md's JSON error body, with the headers each status carries. */
final class ProxyErrors {
  static final String PAYLOAD_TOO_LARGE = "payload_too_large";

  private ProxyErrors() {}

  static FullHttpResponse error(ByteBufAllocator alloc, int status, String code, String message) {
    byte[] body = ("{\"error\":\"" + code + "\",\"message\":\"" + escape(message) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    ByteBuf content = alloc.buffer(body.length).writeBytes(body);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return r;
  }

  static FullHttpResponse error(ByteBufAllocator alloc, ErrorCode code, String message) {
    return error(alloc, code.status(), code.code(), message);
  }

  static FullHttpResponse unauthorized(ByteBufAllocator alloc, TokenValidation.Reason reason) {
    String message = switch (reason == null ? TokenValidation.Reason.MALFORMED : reason) {
      case MALFORMED -> reason == null ? "a bearer token is required (Authorization: Bearer gth_...)"
          : "the bearer token is not a Gatehouse token";
      case UNKNOWN -> "the bearer token is not known";
      case EXPIRED -> "the bearer token has expired";
      case REVOKED -> "the bearer token has been revoked";
      case PRINCIPAL_DELETED -> "the bearer token's principal has been deleted";
    };
    FullHttpResponse r = error(alloc, ErrorCode.INVALID_TOKEN, message);
    String description = reason == null ? null : reason.description();
    r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"gatehouse\", error=\"invalid_token\""
        + (description == null ? "" : ", error_description=\"" + description + "\""));
    return r;
  }

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
