package io.gatehouse.node.admission;

/**
 * The authority a request names ({@code Host}, or HTTP/2's {@code :authority}), parsed once,
 * before a route is looked at: RFC 9110's {@code host [":" port]}, where the host is a name of
 * letters, digits, {@code -}, {@code .} and {@code _}, or a bracketed IPv6 literal. Anything else
 * (a space, an {@code @}, a {@code /}, a control character) is refused with a 400, so that no two
 * parties read one request as aimed at two different hosts.
 *
 * @param host the host in lower case without its port, or null when the request named none
 *     (allowed by RFC 9112 for HTTP/1.0 and by HTTP/2)
 * @param value the authority as sent, port included (what {@code X-Forwarded-Host} and origins use)
 */
public record Authority(String host, String value) {
  public static final Authority NONE = new Authority(null, null);

  public static Authority parse(String value) throws RequestPath.Invalid {
    if (value == null || value.isEmpty()) {
      return NONE;
    }
    int end = value.length();
    int colon = value.lastIndexOf(':');
    int bracket = value.lastIndexOf(']');
    if (colon > bracket) {
      checkPort(value, colon + 1);
      end = colon;
    }
    if (end == 0) {
      throw new RequestPath.Invalid("the Host header has a port but no host");
    }
    if (value.charAt(0) == '[') {
      checkLiteral(value, end);
    } else {
      checkName(value, end);
    }
    return new Authority(value.substring(0, end).toLowerCase(java.util.Locale.ROOT), value);
  }

  /** The origin a browser has on this authority over {@code scheme}: {@code scheme://value}, lower case. */
  public String origin(String scheme) {
    return value == null ? null : scheme + "://" + value.toLowerCase(java.util.Locale.ROOT);
  }

  private static void checkPort(String value, int from) throws RequestPath.Invalid {
    if (from == value.length() || value.length() - from > 5) {
      throw new RequestPath.Invalid("the Host header's port must be 1 to 5 digits");
    }
    for (int i = from; i < value.length(); i++) {
      if (value.charAt(i) < '0' || value.charAt(i) > '9') {
        throw new RequestPath.Invalid("the Host header's port must be 1 to 5 digits");
      }
    }
  }

  private static void checkLiteral(String value, int end) throws RequestPath.Invalid {
    if (end < 3 || value.charAt(end - 1) != ']') {
      throw new RequestPath.Invalid("the Host header's IPv6 literal must be in brackets");
    }
    for (int i = 1; i < end - 1; i++) {
      char c = value.charAt(i);
      if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        throw new RequestPath.Invalid("the Host header's IPv6 literal has a character no address has");
      }
    }
  }

  private static void checkName(String value, int end) throws RequestPath.Invalid {
    if (end > 253) {
      throw new RequestPath.Invalid("the Host header is longer than a host name can be");
    }
    for (int i = 0; i < end; i++) {
      char c = value.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_';
      if (!ok) {
        throw new RequestPath.Invalid("the Host header has a character a host name cannot have");
      }
    }
  }
}
