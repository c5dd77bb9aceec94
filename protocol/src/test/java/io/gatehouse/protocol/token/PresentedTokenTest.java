package io.gatehouse.protocol.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PresentedTokenTest {
  private static final Pattern SYNTAX = Pattern.compile("^gth_[0-9A-Za-z]{8,}_[0-9A-Za-z]{43,}$");
  private static final String SECRET = "a".repeat(43);

  @Test
  void splitsIdAndSecret() {
    PresentedToken t = PresentedToken.parse("gth_AbCdEf12_" + SECRET);

    assertThat(t.id()).isEqualTo(TokenId.of("tok_AbCdEf12"));
    assertThat(t.secret()).isEqualTo(SECRET);
    assertThat(t.toString()).doesNotContain(SECRET);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "gth_", "gth_AbCdEf12", "gth_AbCdEf12_", "gth_AbCd_" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "gth_AbCdEf12_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "GTH_AbCdEf12_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "gth_AbCdEf12_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-", "gth_AbCd-f12_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "gth_AbCdEf12_aaaaaaaaaaaaaaaaaaaa_aaaaaaaaaaaaaaaaaaaaaaaa", " gth_AbCdEf12_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "tok_AbCdEf12"})
  void refusesWhatIsNotAToken(String raw) {
    assertThat(PresentedToken.parse(raw)).isNull();
  }

  @Property
  void agreesWithTheDocumentedPattern(@ForAll @StringLength(max = 80)
      @Chars({'_', '-', ' '}) @CharRange(from = '0', to = '9') @CharRange(from = 'A', to = 'Z')
      @CharRange(from = 'a', to = 'z') String tail) {
    String raw = "gth_" + tail;
    boolean matches = SYNTAX.matcher(raw).matches() && raw.length() <= PresentedToken.MAX_LENGTH
        && raw.indexOf('_', 4) - 4 <= TokenId.MAX_BODY_LENGTH;
    assertThat(PresentedToken.parse(raw) != null).isEqualTo(matches);
  }

  @Property
  void parsesEveryWellFormedToken(
      @ForAll @StringLength(min = 8, max = 64) @CharRange(from = 'a', to = 'z') @CharRange(from = '0', to = '9') String id,
      @ForAll @StringLength(min = 43, max = 100) @CharRange(from = 'A', to = 'Z') String secret) {
    PresentedToken t = PresentedToken.parse("gth_" + id + "_" + secret);

    assertThat(t).isNotNull();
    assertThat(t.id().body()).isEqualTo(id);
    assertThat(t.secret()).isEqualTo(secret);
  }
}
