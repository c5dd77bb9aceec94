package io.gatehouse.node.admission;

import java.util.Arrays;

/**
 * A request target checked once, before any route is looked at. Empty segments ({@code //}) are
 * dropped; everything that could make the gateway and the instance disagree about where a path
 * points is refused with a 400: dot segments ({@code .} and {@code ..}, also percent-encoded),
 * an encoded {@code /} or {@code \}, a raw backslash, control characters and NUL, and malformed
 * or double encodings of those. Refusing dot segments rather than resolving them means a request
 * can only ever reach the route its own path prefix names.
 *
 * <p>Segments are kept twice: decoded, to match route prefixes, and as sent, to forward, so the
 * instance sees the client's own encoding of what remains.
 */
public final class RequestPath {
  private final String[] decoded;
  private final String[] raw;
  private final String query;
  private final boolean trailingSlash;

  private RequestPath(String[] decoded, String[] raw, String query, boolean trailingSlash) {
    this.decoded = decoded;
    this.raw = raw;
    this.query = query;
    this.trailingSlash = trailingSlash;
  }

  /** Thrown for a target the gateway refuses to interpret. */
  public static final class Invalid extends Exception {
    public Invalid(String message) {
      super(message, null, false, false);
    }
  }

  public static RequestPath parse(String uri) throws Invalid {
    if (uri == null || uri.isEmpty() || uri.charAt(0) != '/') {
      throw new Invalid("the request target must be a path starting with '/'");
    }
    int q = uri.indexOf('?');
    int hash = uri.indexOf('#');
    int end = q >= 0 ? q : (hash >= 0 ? hash : uri.length());
    String path = uri.substring(0, end);
    String query = q >= 0 ? uri.substring(q + 1, hash > q ? hash : uri.length()) : null;
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c < 0x21 || c == 0x7f || c == '\\') {
        throw new Invalid("the request target has a control character, space or backslash");
      }
    }
    int slashes = 0;
    for (int i = 0; i < end; i++) {
      if (uri.charAt(i) == '/') {
        slashes++;
      }
    }
    String[] dec = new String[slashes];
    String[] raws = new String[slashes];
    int n = 0;
    for (int from = 1; from <= end; ) {
      int to = path.indexOf('/', from);
      if (to < 0) {
        to = end;
      }
      if (to > from) {
        String segment = path.substring(from, to);
        String d = decode(segment);
        if (d.equals(".") || d.equals("..")) {
          throw new Invalid("the path has a '.' or '..' segment");
        }
        dec[n] = d;
        raws[n] = segment;
        n++;
      }
      from = to + 1;
    }
    boolean trailing = path.length() > 1 && path.charAt(path.length() - 1) == '/' && n > 0;
    return new RequestPath(n == slashes ? dec : Arrays.copyOf(dec, n), n == slashes ? raws : Arrays.copyOf(raws, n),
        query, trailing);
  }

  /** Percent-decodes one segment; refuses encodings that would change the path's structure. */
  static String decode(String segment) throws Invalid {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    StringBuilder sb = new StringBuilder(segment.length());
    byte[] buffer = new byte[segment.length()];
    int n = 0;
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length()) {
          throw new Invalid("malformed percent-encoding in the path");
        }
        int hi = Character.digit(segment.charAt(i + 1), 16);
        int lo = Character.digit(segment.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          throw new Invalid("malformed percent-encoding in the path");
        }
        int b = (hi << 4) | lo;
        if (b == '/' || b == '\\' || b < 0x20 || b == 0x7f) {
          throw new Invalid("the path has an encoded '/', '\\' or control character");
        }
        buffer[n++] = (byte) b;
        i += 2;
      } else {
        if (n > 0) {
          sb.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
          n = 0;
        }
        sb.append(c);
      }
    }
    if (n > 0) {
      sb.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
    }
    String d = sb.toString();
    String lower = d.toLowerCase();
    // A second round of decoding by the instance must not produce a separator or a dot segment.
    if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("%00")) {
      throw new Invalid("the path has a double-encoded '/', '\\', '.' or NUL");
    }
    return d;
  }

  public String[] segments() {
    return decoded;
  }

  /** The path to send upstream, without the first {@code skip} segments (the route's prefix). */
  public String forwardPath(int skip) {
    StringBuilder sb = new StringBuilder(64);
    for (int i = skip; i < raw.length; i++) {
      sb.append('/').append(raw[i]);
    }
    if (sb.length() == 0) {
      sb.append('/');
    } else if (trailingSlash) {
      sb.append('/');
    }
    if (query != null) {
      sb.append('?').append(query);
    }
    return sb.toString();
  }

  /** The normalised path without the query, for logs and messages. */
  public String pathOnly() {
    String full = forwardPath(0);
    return query == null ? full : full.substring(0, full.length() - query.length() - 1);
  }

  /** The normalised path and query as a string. */
  @Override
  public String toString() {
    return forwardPath(0);
  }
}
