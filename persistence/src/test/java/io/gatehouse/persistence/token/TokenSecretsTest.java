package io.gatehouse.persistence.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.token.PresentedToken;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenSecretsTest {

  @Test
  void aGeneratedTokenHasTheDocumentedSyntax() {
    TokenSecrets.Generated g = TokenSecrets.generate();

    assertThat(g.token()).matches("^gth_[0-9A-Za-z]{8,}_[0-9A-Za-z]{43,}$");
    PresentedToken parsed = PresentedToken.parse(g.token());
    assertThat(parsed.id()).isEqualTo(g.id());
    assertThat(parsed.secret()).hasSize(TokenSecrets.SECRET_LENGTH);
  }

  @Test
  void theStoredHashMatchesOnlyItsSecret() {
    TokenSecrets.Generated g = TokenSecrets.generate();
    String secret = PresentedToken.parse(g.token()).secret();

    assertThat(g.secretHash()).isNotEqualTo(secret).hasSize(64).doesNotContain(secret);
    assertThat(TokenSecrets.matches(secret, g.secretHash())).isTrue();
    char last = secret.charAt(secret.length() - 1);
    String tampered = secret.substring(0, secret.length() - 1) + (last == 'a' ? 'b' : 'a');
    assertThat(TokenSecrets.matches(tampered, g.secretHash())).isFalse();
  }

  @Test
  void anyChangeToTheStoredHashIsAMismatch() {
    TokenSecrets.Generated g = TokenSecrets.generate();
    String secret = PresentedToken.parse(g.token()).secret();
    String hash = g.secretHash();
    for (int i = 0; i < hash.length(); i++) {
      for (char c : "0123456789abcdefABCDEFg/:`@G \u0000".toCharArray()) {
        if (c != hash.charAt(i)) {
          String changed = hash.substring(0, i) + c + hash.substring(i + 1);
          assertThat(TokenSecrets.matches(secret, changed)).as("hash with %s at %d", c, i).isFalse();
        }
      }
    }
    assertThat(TokenSecrets.matches(secret, hash.toUpperCase())).isEqualTo(hash.equals(hash.toUpperCase()));
    assertThat(TokenSecrets.matches(secret, hash.substring(1))).isFalse();
    assertThat(TokenSecrets.matches(secret, hash + "0")).isFalse();
  }

  @Test
  void secretsDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(TokenSecrets.generate().token())).isTrue();
    }
  }

  @Test
  void everyBitPatternFitsIn43Base62Digits() {
    byte[] max = new byte[TokenSecrets.SECRET_BYTES];
    java.util.Arrays.fill(max, (byte) 0xff);

    assertThat(TokenSecrets.base62(max)).hasSize(43).doesNotStartWith("0");
    assertThat(TokenSecrets.base62(new byte[TokenSecrets.SECRET_BYTES])).isEqualTo("0".repeat(43));
  }

  @Test
  void aGeneratedTokenDoesNotPrintItsSecret() {
    TokenSecrets.Generated g = TokenSecrets.generate();

    assertThat(g.toString()).doesNotContain(PresentedToken.parse(g.token()).secret());
    assertThat(PresentedToken.parse(g.token()).toString()).doesNotContain(PresentedToken.parse(g.token()).secret());
  }
}
