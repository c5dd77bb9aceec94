package io.gatehouse.protocol.token;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A token's public id, {@code tok_<body>}. The body also appears inside the token string
 * ({@code gth_<body>_<secret>}), so a presented token names its entity without any lookup.
 * Ids are not secret: they appear in listings, audit records and upstream headers.
 */
public record TokenId(String value) implements Comparable<TokenId> {
  public static final String PREFIX = "tok_";
  public static final int MIN_BODY_LENGTH = 8;
  public static final int MAX_BODY_LENGTH = 64;

  public TokenId {
    if (value == null || !value.startsWith(PREFIX) || !isBody(value, PREFIX.length(), value.length())) {
      throw new IllegalArgumentException("not a token id");
    }
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static TokenId of(String value) {
    return new TokenId(value);
  }

  public static TokenId fromBody(String body) {
    return new TokenId(PREFIX + body);
  }

  public static boolean isValid(String value) {
    return value != null && value.startsWith(PREFIX) && isBody(value, PREFIX.length(), value.length());
  }

  public String body() {
    return value.substring(PREFIX.length());
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public int compareTo(TokenId o) {
    return value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value;
  }

  static boolean isBody(CharSequence s, int from, int to) {
    int length = to - from;
    if (length < MIN_BODY_LENGTH || length > MAX_BODY_LENGTH) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (!Base62.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
