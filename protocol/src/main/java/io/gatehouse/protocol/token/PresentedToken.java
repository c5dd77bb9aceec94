package io.gatehouse.protocol.token;

/**
 * A bearer token as a client presented it, split into its id and its secret after a syntax check
 * ({@code ^gth_[0-9A-Za-z]{8,}_[0-9A-Za-z]{43,}$}). A string that fails the check is rejected as
 * {@code invalid_token} without any lookup.
 *
 * <p>{@link #toString()} never shows the secret, so an accidental log line cannot leak it.
 */
public final class PresentedToken {
  public static final String PREFIX = "gth_";
  public static final int MIN_SECRET_LENGTH = 43;
  /** Generous upper bound: nothing legitimate is longer, and parsing stays cheap. */
  public static final int MAX_LENGTH = 256;

  private final TokenId id;
  private final String secret;

  private PresentedToken(TokenId id, String secret) {
    this.id = id;
    this.secret = secret;
  }

  /** The parsed token, or {@code null} when {@code raw} is not a syntactically valid token. */
  public static PresentedToken parse(CharSequence raw) {
    if (raw == null) {
      return null;
    }
    int length = raw.length();
    if (length > MAX_LENGTH || length < PREFIX.length() + TokenId.MIN_BODY_LENGTH + 1 + MIN_SECRET_LENGTH) {
      return null;
    }
    for (int i = 0; i < PREFIX.length(); i++) {
      if (raw.charAt(i) != PREFIX.charAt(i)) {
        return null;
      }
    }
    int separator = -1;
    for (int i = PREFIX.length(); i < length; i++) {
      char c = raw.charAt(i);
      if (c == '_') {
        if (separator >= 0) {
          return null;
        }
        separator = i;
      } else if (!Base62.isDigit(c)) {
        return null;
      }
    }
    if (separator < 0
        || !TokenId.isBody(raw, PREFIX.length(), separator)
        || length - separator - 1 < MIN_SECRET_LENGTH) {
      return null;
    }
    String text = raw.toString();
    return new PresentedToken(
        TokenId.fromBody(text.substring(PREFIX.length(), separator)), text.substring(separator + 1));
  }

  public static String format(TokenId id, String secret) {
    return PREFIX + id.body() + "_" + secret;
  }

  public TokenId id() {
    return id;
  }

  /** The secret part; hash it, compare it, never log or store it. */
  public String secret() {
    return secret;
  }

  @Override
  public String toString() {
    return "PresentedToken[" + id + ", secret=***]";
  }
}
