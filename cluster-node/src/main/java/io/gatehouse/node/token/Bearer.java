package io.gatehouse.node.token;

import java.util.Iterator;

/**
 * The bearer credential of a request, read the one way every door and the admin API read it:
 * exactly one {@code Authorization} header, scheme {@code Bearer} (any case), the token after it.
 * Two {@code Authorization} headers are refused rather than read: the gateway and the instance
 * behind it could each take a different one.
 *
 * @param token the token as sent (not yet validated), or null
 * @param several true when the request had more than one {@code Authorization} header
 */
public record Bearer(String token, boolean several) {
  private static final String SCHEME = "bearer ";
  private static final Bearer NONE = new Bearer(null, false);
  private static final Bearer SEVERAL = new Bearer(null, true);

  /** Reads the values of every {@code Authorization} header of a request. */
  public static Bearer read(Iterator<? extends CharSequence> authorization) {
    if (!authorization.hasNext()) {
      return NONE;
    }
    CharSequence first = authorization.next();
    if (authorization.hasNext()) {
      return SEVERAL;
    }
    String token = token(first);
    return token == null ? NONE : new Bearer(token, false);
  }

  public boolean present() {
    return token != null;
  }

  /** The token of one header value, or null when it is not of the Bearer scheme. */
  static String token(CharSequence header) {
    String h = header.toString();
    if (h.length() > SCHEME.length() && h.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      String t = h.substring(SCHEME.length()).trim();
      return t.isEmpty() ? null : t;
    }
    return null;
  }

  @Override
  public String toString() {
    // The token is a secret: never print it.
    return token == null ? (several ? "Bearer[several]" : "Bearer[none]") : "Bearer[***]";
  }
}
