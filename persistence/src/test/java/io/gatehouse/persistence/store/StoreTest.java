package io.gatehouse.persistence.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StoreTest {
  @TempDir static Path tmp;
  private static int dirs;

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of("H2", new StoreSettings.H2(tmp.resolve("h2-" + (++dirs)))),
        Arguments.of("PostgreSQL", EmbeddedPostgresFixture.newDatabase()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void theSchemaIsCreatedOnceAndMigrationsDoNotRunTwice(String kind, StoreSettings settings) {
    try (Store first = Store.open(settings, "prod")) {
      assertThat(first.migrationsApplied()).isEqualTo(5);
      List<String> tables = first.sql().query(
          "select lower(table_name) from information_schema.tables where lower(table_name) in "
              + "('event_journal', 'event_tag', 'snapshot', 'token_view', 'audit_log', 'gatehouse_meta')",
          rs -> rs.getString(1));
      assertThat(tables).hasSize(6);
    }
    try (Store second = Store.open(settings, "prod")) {
      assertThat(second.migrationsApplied()).isZero();
      assertThat(second.meta("namespace")).contains("prod");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void aStoreRefusesAnotherNamespace(String kind, StoreSettings settings) {
    Store.open(settings, "prod").close();

    assertThatThrownBy(() -> Store.open(settings, "dev"))
        .isInstanceOf(NamespaceMismatchException.class)
        .hasMessageContaining("belongs to namespace 'prod'")
        .hasMessageContaining("GATEHOUSE_NAMESPACE='dev'");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void metaIsRecordedOnce(String kind, StoreSettings settings) {
    try (Store store = Store.open(settings, "prod")) {
      assertThat(store.putMetaIfAbsent("bootstrap.completed", "a")).isTrue();
      assertThat(store.putMetaIfAbsent("bootstrap.completed", "b")).isFalse();
      assertThat(store.meta("bootstrap.completed")).contains("a");
    }
  }
}
