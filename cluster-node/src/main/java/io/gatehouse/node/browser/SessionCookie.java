package io.gatehouse.node.browser;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gateway's own cookie, {@code gatehouse_session}: how it is read from a request, set and
 * cleared, and kept from what instances receive and send. Its value holds one session per browser
 * route the browser signed in to on this host, {@code <session id>_<secret>}, joined by {@code .}
 * (path routes share the host, and a session is bound to its route); the node keeps only the
 * secrets' hashes. Host-only (no {@code Domain}), {@code Path=/}, {@code HttpOnly} (no script
 * reads it), {@code SameSite=Lax} (no cross-site POST carries it), {@code Secure} when the browser
 * reached the gateway over HTTPS.
 *
 * <p>Names are compared as a server might read them, not only as RFC 6265 spells them: trimmed
 * and in any case, so that no spelling of the name slips past either rule (a client's cookie is
 * never forwarded, an instance's is never set).
 */
public final class SessionCookie {
  public static final String NAME = "gatehouse_session";
  /** Sessions one cookie holds at most: a browser signed in to more routes of one host drops its oldest. */
  public static final int MAX_SESSIONS = 8;

  private SessionCookie() {}

  /** One session in the cookie. */
  public record Value(String sessionId, String secret) {
    @Override
    public String toString() {
      return "SessionCookie[" + sessionId + ", secret=***]";
    }

    String text() {
      return sessionId + "_" + secret;
    }
  }

  /** The values of every cookie named {@code gatehouse_session} among a request's {@code Cookie} headers. */
  public static List<String> find(List<String> cookieHeaders) {
    List<String> out = List.of();
    for (String header : cookieHeaders) {
      for (String pair : header.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && isOurName(pair.substring(0, eq))) {
          if (out.isEmpty()) {
            out = new ArrayList<>(2);
          }
          out.add(pair.substring(eq + 1).trim());
        }
      }
    }
    return out;
  }

  /** The sessions in the cookie values, in order, at most {@link #MAX_SESSIONS}; what is not of the form is skipped. */
  public static List<Value> sessions(List<String> values) {
    List<Value> out = new ArrayList<>(values.size());
    for (String v : values) {
      for (String one : v.split("\\.")) {
        Value parsed = parse(one);
        if (parsed != null && out.size() < MAX_SESSIONS) {
          out.add(parsed);
        }
      }
    }
    return out;
  }

  /** One session's text ({@code <id>_<secret>}) taken apart; null when it is not of the gateway's form. */
  public static Value parse(String raw) {
    if (raw == null) {
      return null;
    }
    int bar = raw.indexOf('_');
    if (bar != BrowserLinks.SESSION_ID_LENGTH || raw.length() - bar - 1 < 43 || raw.length() - bar - 1 > 64) {
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
    if (!cookieHeader.toLowerCase(Locale.ROOT).contains(NAME)) {
      return cookieHeader;
    }
    StringBuilder sb = new StringBuilder(cookieHeader.length());
    for (String pair : cookieHeader.split(";")) {
      String p = pair.trim();
      int eq = p.indexOf('=');
      if (!p.isEmpty() && !isOurName(eq < 0 ? p : p.substring(0, eq))) {
        sb.append(sb.length() == 0 ? "" : "; ").append(p);
      }
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  /**
   * Whether a {@code Set-Cookie} from an instance would set or clear the gateway's cookie in some
   * browser: its name (RFC 6265: up to the first {@code =} of the part before the first
   * {@code ;}, trimmed) is ours in any case or behind a {@code __Host-} or {@code __Secure-}
   * prefix; or it has no name at all, which browsers keep as a nameless cookie whose value they
   * send as it is ({@code =gatehouse_session=x} reaches the gateway as {@code gatehouse_session=x}).
   */
  public static boolean isOurs(String setCookie) {
    int semi = setCookie.indexOf(';');
    String pair = semi < 0 ? setCookie : setCookie.substring(0, semi);
    int eq = pair.indexOf('=');
    if (eq < 0) {
      return true;
    }
    String name = pair.substring(0, eq).strip();
    return name.isEmpty() || isOurName(name);
  }

  private static boolean isOurName(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    if (n.startsWith("__host-")) {
      n = n.substring(7);
    } else if (n.startsWith("__secure-")) {
      n = n.substring(9);
    }
    return n.equals(NAME);
  }

  /**
   * The {@code Set-Cookie} value that signs a browser in to one more route: {@code added} first,
   * then the sessions it already held (one cookie keeps at most {@link #MAX_SESSIONS}).
   */
  public static String set(Value added, List<Value> held, boolean secure) {
    StringBuilder value = new StringBuilder(added.text());
    int n = 1;
    for (Value v : held) {
      if (n < MAX_SESSIONS && !v.sessionId().equals(added.sessionId())) {
        value.append('.').append(v.text());
        n++;
      }
    }
    return NAME + "=" + value + "; Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  }

  /** The {@code Set-Cookie} value that signs a browser out. */
  public static String clear(boolean secure) {
    return NAME + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
  }
}
