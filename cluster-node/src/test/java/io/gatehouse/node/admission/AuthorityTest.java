package io.gatehouse.node.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Host a request names: what is read from it, and what is refused. */
class AuthorityTest {
  @ParameterizedTest
  @CsvSource({
      "llm.gw.test, llm.gw.test",
      "LLM.GW.Test:8080, llm.gw.test",
      "127.0.0.1:8080, 127.0.0.1",
      "[::1]:8080, [::1]",
      "[fe80::1], [fe80::1]",
      "my_host, my_host"})
  void aHostIsReadInLowerCaseWithoutItsPort(String value, String host) throws Exception {
    assertThat(Authority.parse(value).host()).isEqualTo(host);
  }

  @ParameterizedTest
  @ValueSource(strings = {"evil.example/x", "a b", "user@llm.gw.test", "llm.gw.test:", "llm.gw.test:123456",
      "llm.gw.test:80x", ":8080", "[::1", "[zz::1]", "llm.gw.test\t", "llm\u0000.gw.test", "llm.gw.test,other"})
  void aHostWithCharactersNoHostHasIsRefused(String value) {
    assertThatThrownBy(() -> Authority.parse(value)).isInstanceOf(RequestPath.Invalid.class);
  }

  @org.junit.jupiter.api.Test
  void anEmptyHostIsNoHost() throws Exception {
    assertThat(Authority.parse("")).isEqualTo(Authority.NONE);
    assertThat(Authority.parse(null)).isEqualTo(Authority.NONE);
  }
}
