package io.gatehouse.node.browser;

import java.util.List;

/**
 * The gateway's own cookie, {@code gatehouse_session}: how it is read from a request, set and
 * cleared, and taken out of what the instance receives. Its value is {@code <session id>_<secret>};
 * the node keeps only the secret's hash. Host-only (no {@code Domain}), {@code Path=/},
 * {@code HttpOnly} (no script reads it), {@code SameSite=Lax} (no cross-site POST carries it),
 * {@code Secure} when the browser reached the gateway over HTTPS.
 */
public final class SessionCookie {
  public static final String NAME = "gatehouse_session";
  private static final String PREFIX = NAME + "=";

  private SessionCookie() {}

  /** A cookie value taken apart; null from {@link #parse} when it is not of the gateway's form. */
  public record Value(String sessionId, String secret) {
    @Override
    public String toString() {
      return "SessionCookie[" + sessionId + ", secret=***]";
    }
  }

  /** The value of the gateway's cookie among a request's {@code Cookie} headers, or null. */
  public static String find(List<String> cookieHeaders) {
    for (String header : cookieHeaders) {
      for (String pair : header.split(";")) {
        String p = pair.trim();
        if (p.startsWith(PREFIX)) {
          return p.substring(PREFIX.length());
        }
      }
    }
    return null;
  }

  public static Value parse(String raw) {
    if (raw == null) {
      return null;
    }
    int bar = raw.indexOf('_');
    if (bar != BrowserLinks.SESSION_ID_LENGTH || raw.length() - bar - 1 < 43) {
      return null;
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (i != bar && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        return null;
      }
    }
    return new Value(raw.substring(0, bar), raw.substring(bar + 1));
  }

  /** A {@code Cookie} header without the gateway's cookie; null when nothing else is left. */
  public static String without(String cookieHeader) {
    if (!cookieHeader.contains(PREFIX)) {
      return cookieHeader;
    }
    StringBuilder sb = new StringBuilder(cookieHeader.length());
    for (String pair : cookieHeader.split(";")) {
      String p = pair.trim();
      if (!p.isEmpty() && !p.startsWith(PREFIX)) {
        sb.append(sb.length() == 0 ? "" : "; ").append(p);
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /** Whether a {@code Set-Cookie} value sets the gateway's cookie (an instance may never). */
  public static boolean isOurs(String setCookie) {
    return setCookie.trim().regionMatches(true, 0, PREFIX, 0, PREFIX.length());
  }

  /** The {@code Set-Cookie} value that signs a browser in; a session cookie (no expiry of its own). */
  public static String set(Value v, boolean secure) {
    return PREFIX + v.sessionId() + "_" + v.secret() + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  }

  /** The {@code Set-Cookie} value that signs a browser out. */
  public static String clear(boolean secure) {
    return PREFIX + "; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  }
}
