package io.gatehouse.persistence.token;

import io.gatehouse.persistence.store.IdMint;
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

  /** A fresh token with a plain random id (tests; the cluster mints its ids: {@link #generate(IdMint)}). */
  public static Generated generate() {
    StringBuilder body = new StringBuilder(ID_BODY_LENGTH);
    for (int i = 0; i < ID_BODY_LENGTH; i++) {
      body.append(Base62.ALPHABET.charAt(RANDOM.nextInt(62)));
    }
    return generate(body.toString());
  }

  /**
   * A fresh token whose id {@code mint} made: {@link #ID_BODY_LENGTH} random characters and their
   * MAC, so that every node can tell an id its cluster made from a made-up one without a lookup.
   */
  public static Generated generate(IdMint mint) {
    return generate(mint.mint(ID_BODY_LENGTH));
  }

  private static Generated generate(String idBody) {
    String secret = randomSecret();
    TokenId id = TokenId.fromBody(idBody);
    return new Generated(id, PresentedToken.format(id, secret), hash(secret));
  }

  /** Whether {@code id} is one {@code mint} made (see {@link IdMint}). */
  public static boolean minted(IdMint mint, TokenId id) {
    return mint.minted(id.value(), TokenId.PREFIX.length());
  }

  /** 256 random bits as 43 base62 characters: a secret for a token, a browser session or a sign-in code. */
  public static String randomSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return base62(bytes);
  }

  /** Hex SHA-256 of the secret. */
  public static String hash(String secret) {
    return HexFormat.of().formatHex(sha256().digest(secret.getBytes(StandardCharsets.US_ASCII)));
  }

  /** A stored hash (lower-case hex, as {@link #hash} writes it) as its 32 bytes. */
  public static byte[] hashBytes(String storedHash) {
    byte[] bytes = HexFormat.of().parseHex(storedHash);
    if (bytes.length != 32) {
      throw new IllegalArgumentException("not a SHA-256 hash");
    }
    return bytes;
  }

  /**
   * Whether {@code secret} hashes to {@code storedHash} (the 32 bytes of {@link #hashBytes}), in
   * time independent of where they differ, with a SHA-256 digest the caller owns (reset after use).
   */
  public static boolean matches(String secret, byte[] storedHash, MessageDigest sha256) {
    byte[] presented = sha256.digest(secret.getBytes(StandardCharsets.US_ASCII));
    return MessageDigest.isEqual(presented, storedHash);
  }

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
