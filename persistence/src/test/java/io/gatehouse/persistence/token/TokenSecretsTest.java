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
    byte[] stored = TokenSecrets.hashBytes(g.secretHash());
    assertThat(TokenSecrets.matches(secret, stored, TokenSecrets.sha256())).isTrue();
    char last = secret.charAt(secret.length() - 1);
    String tampered = secret.substring(0, secret.length() - 1) + (last == 'a' ? 'b' : 'a');
    assertThat(TokenSecrets.matches(tampered, stored, TokenSecrets.sha256())).isFalse();
  }

  @Test
  void anyChangeToTheStoredHashIsAMismatch() {
    TokenSecrets.Generated g = TokenSecrets.generate();
    String secret = PresentedToken.parse(g.token()).secret();
    byte[] hash = TokenSecrets.hashBytes(g.secretHash());
    for (int i = 0; i < hash.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] changed = hash.clone();
        changed[i] ^= (byte) (1 << bit);
        assertThat(TokenSecrets.matches(secret, changed, TokenSecrets.sha256())).as("bit %d of byte %d", bit, i)
            .isFalse();
      }
    }
    assertThat(TokenSecrets.matches(secret, java.util.Arrays.copyOf(hash, 31), TokenSecrets.sha256())).isFalse();
    assertThat(TokenSecrets.matches(secret, java.util.Arrays.copyOf(hash, 33), TokenSecrets.sha256())).isFalse();
    assertThat(TokenSecrets.hashBytes(g.secretHash().toUpperCase())).as("hex is read either case").isEqualTo(hash);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenSecrets.hashBytes(g.secretHash().substring(2)))
        .isInstanceOf(IllegalArgumentException.class);
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
