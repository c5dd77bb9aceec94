package io.gatehouse.persistence.token;

import io.gatehouse.protocol.token.Base62;
import io.gatehouse.protocol.token.PresentedToken;
import io.gatehouse.protocol.token.TokenId;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Token ids and secrets: where they come from and how a presented secret is checked.
 *
 * <p>A secret is 256 bits from {@link SecureRandom}, written as 43 base62 characters. Because it
 * is uniformly random and that long, a single SHA-256 is the right hash: there is nothing for a
 * slow, salted password hash to protect against, and validation stays cheap on the hot path.
 * Comparison is constant-time ({@link MessageDigest#isEqual}).
 */
public final class TokenSecrets {
  public static final int SECRET_BYTES = 32;
  public static final int SECRET_LENGTH = 43;
  public static final int ID_BODY_LENGTH = 12;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final BigInteger SIXTY_TWO = BigInteger.valueOf(62);

  private TokenSecrets() {}

  /** A fresh token: its id, its full string (shown once) and the hash to store. */
  public record Generated(TokenId id, String token, String secretHash) {
    @Override
    public String toString() {
      return "Generated[" + id + ", token=***]";
    }
  }

  public static Generated generate() {
    StringBuilder body = new StringBuilder(ID_BODY_LENGTH);
    for (int i = 0; i < ID_BODY_LENGTH; i++) {
      body.append(Base62.ALPHABET.charAt(RANDOM.nextInt(62)));
    }
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    String secret = base62(bytes);
    TokenId id = TokenId.fromBody(body.toString());
    return new Generated(id, PresentedToken.format(id, secret), hash(secret));
  }

  /** Hex SHA-256 of the secret. */
  public static String hash(String secret) {
    return HexFormat.of().formatHex(sha256().digest(secret.getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * Whether {@code secret} hashes to {@code storedHash} (lower-case hex), in time independent of
   * where they differ: one digest (from a per-thread {@link MessageDigest}), and the comparison
   * reads the stored hex in place.
   */
  public static boolean matches(String secret, String storedHash) {
    return matches(secret, storedHash, DIGEST.get());
  }

  /** As {@link #matches(String, String)}, with a SHA-256 digest the caller owns (reset after use). */
  public static boolean matches(String secret, String storedHash, MessageDigest sha256) {
    if (storedHash.length() != 2 * 32) {
      return false;
    }
    byte[] presented = sha256.digest(secret.getBytes(StandardCharsets.US_ASCII));
    int diff = 0;
    for (int i = 0; i < presented.length; i++) {
      int stored = (hexValue(storedHash.charAt(2 * i)) << 4) | hexValue(storedHash.charAt(2 * i + 1));
      diff |= (presented[i] & 0xff) ^ stored;
    }
    return diff == 0;
  }

  /** The value of a lower-case hex digit without branching on it; anything else gives a value > 15. */
  private static int hexValue(char c) {
    int digit = c - '0';
    int letter = c - 'a' + 10;
    // digit is in 0..9 for '0'..'9' (negative above); letter in 10..15 for 'a'..'f'.
    int isDigit = ((digit | (9 - digit)) >>> 31) ^ 1;
    int isLetter = (((letter - 10) | (15 - letter)) >>> 31) ^ 1;
    return (digit & -isDigit) | (letter & -isLetter) | ((isDigit | isLetter) ^ 1) << 8;
  }

  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(TokenSecrets::sha256);

  static String base62(byte[] bytes) {
    BigInteger n = new BigInteger(1, bytes);
    char[] out = new char[SECRET_LENGTH];
    for (int i = SECRET_LENGTH - 1; i >= 0; i--) {
      BigInteger[] qr = n.divideAndRemainder(SIXTY_TWO);
      out[i] = Base62.ALPHABET.charAt(qr[1].intValue());
      n = qr[0];
    }
    return new String(out);
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }
}
