package io.gatehouse.persistence.store;

import io.gatehouse.protocol.token.Base62;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes the public ids of credentials (tokens, browser sessions) so that a node can tell, in
 * microseconds and without asking anyone, whether an id it has never seen could have been made by
 * its cluster: an id is random characters followed by a short MAC of them under the cluster's id
 * key (kept in the store, made by the first node). An id that fails the check was made up, and is
 * refused from memory; one that passes is real, so asking its entity is worth it (a token issued
 * on another node a moment ago, before its broadcast arrived). Ids are not secrets; the key only
 * protects the nodes from work.
 */
public final class IdMint {
  static final String META_KEY = "id-key";
  /** Characters of MAC at the end of an id: 62^8 is about 2^47 guesses for one id worth a lookup. */
  public static final int MAC_CHARS = 8;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;
  private final ThreadLocal<Mac> macs;

  public IdMint(byte[] key) {
    this.key = key.clone();
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  /** The cluster's mint: its key from the store, made and recorded by the first node that needs it. */
  public static IdMint of(Store store) {
    byte[] fresh = new byte[32];
    RANDOM.nextBytes(fresh);
    store.putMetaIfAbsent(META_KEY, HexFormat.of().formatHex(fresh));
    return new IdMint(HexFormat.of().parseHex(store.meta(META_KEY).orElseThrow()));
  }

  /** A new id: {@code randomChars} random base62 characters and their MAC. */
  public String mint(int randomChars) {
    StringBuilder sb = new StringBuilder(randomChars + MAC_CHARS);
    for (int i = 0; i < randomChars; i++) {
      sb.append(Base62.ALPHABET.charAt(RANDOM.nextInt(62)));
    }
    return sb.append(mac(sb, randomChars)).toString();
  }

  /** Whether {@code id} (from {@code from} on) was made by {@link #mint} under this key. */
  public boolean minted(CharSequence id, int from) {
    int length = id.length() - from;
    if (length <= MAC_CHARS) {
      return false;
    }
    int split = id.length() - MAC_CHARS;
    char[] expected = mac(id.subSequence(from, split), split - from);
    int diff = 0;
    for (int i = 0; i < MAC_CHARS; i++) {
      diff |= expected[i] ^ id.charAt(split + i);
    }
    return diff == 0;
  }

  private char[] mac(CharSequence random, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) random.charAt(i);
    }
    byte[] h = macs.get().doFinal(bytes);
    long n = 0;
    for (int i = 0; i < 6; i++) {
      n = (n << 8) | (h[i] & 0xff);
    }
    char[] out = new char[MAC_CHARS];
    for (int i = MAC_CHARS - 1; i >= 0; i--) {
      out[i] = Base62.ALPHABET.charAt((int) (n % 62));
      n /= 62;
    }
    return out;
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
    }
  }
}
