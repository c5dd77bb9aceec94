package io.gatehouse.node.affinity;

import java.util.function.Function;

/**
 * How a route keeps a consumer on one instance, read once from the route's definition
 * ({@code consumer}, {@code none} or {@code header:<Name>}) when the node takes the route.
 */
public sealed interface Affinity permits Affinity.None, Affinity.Token, Affinity.Header {

  /** No affinity: each request goes to the least loaded of two instances drawn at random. */
  record None() implements Affinity {
    @Override
    public String consumer(String tokenId, Function<String, String> header) {
      return null;
    }
  }

  /** One consumer per token: every request of a token goes to that token's instance. */
  record Token() implements Affinity {
    @Override
    public String consumer(String tokenId, Function<String, String> header) {
      return tokenId;
    }
  }

  /** One consumer per value of a request header (a session id); requests without it go by token. */
  record Header(String name) implements Affinity {
    /** Header values longer than this are shortened (a hash and a prefix) to keep keys small. */
    static final int MAX_KEY = 64;

    @Override
    public String consumer(String tokenId, Function<String, String> header) {
      String value = header.apply(name);
      if (value == null || value.isEmpty()) {
        return tokenId;
      }
      return "h:" + (value.length() <= MAX_KEY ? value
          : Integer.toHexString(value.hashCode()) + Integer.toHexString(value.length()) + value.substring(0, 32));
    }
  }

  None NONE = new None();
  Token TOKEN = new Token();

  /**
   * The consumer key of a request: whose pin it follows, or null for no affinity.
   *
   * @param header the request's value of a header by name, or null
   */
  String consumer(String tokenId, Function<String, String> header);

  /** Reads the definition's text (validated by the admin API when the route was written). */
  static Affinity parse(String wire) {
    if (wire == null || wire.equals("consumer")) {
      return TOKEN;
    }
    if (wire.equals("none")) {
      return NONE;
    }
    if (wire.startsWith("header:")) {
      return new Header(wire.substring("header:".length()));
    }
    throw new IllegalArgumentException("unknown affinity '" + wire + "'");
  }
}
