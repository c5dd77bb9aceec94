package io.gatehouse.persistence.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.persistence.store.Store;
import io.gatehouse.persistence.store.StoreSettings;
import io.gatehouse.persistence.testing.EmbeddedPostgresFixture;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The metrics and health-history tables on both stores. */
class MetricsStoreTest {
  private static final long M = 60_000;
  private static final long T0 = 1_790_000_000_000L / M * M;

  @TempDir static Path tmp;
  private static int dirs;

  static Stream<Arguments> stores() {
    return Stream.of(
        Arguments.of("H2", new StoreSettings.H2(tmp.resolve("h2-" + (++dirs)))),
        Arguments.of("PostgreSQL", EmbeddedPostgresFixture.newDatabase()));
  }

  private static MetricsTable.Minute minute(long start, String route, long alpha, long beta, long latencyMicros) {
    List<MetricsTable.Row> rows = new ArrayList<>();
    rows.add(new MetricsTable.Row(start, route, "tok_alpha", "i1", 2, alpha, 0, alpha * latencyMicros, 10, 20));
    rows.add(new MetricsTable.Row(start, route, "tok_beta", "i1", 5, beta, beta, beta * latencyMicros, 10, 20));
    long[] counts = new long[LatencyHistogram.COUNT];
    counts[LatencyHistogram.index(latencyMicros)] = alpha + beta;
    return new MetricsTable.Minute(rows, new ArrayList<>(List.of(new MetricsTable.Latency(start, route, counts))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void nodesRewriteTheirOwnMinutesAndReadersSumAllNodes(String kind, StoreSettings settings) {
    try (Store store = Store.open(settings, "test")) {
      MetricsTable table = new MetricsTable(store.sql());
      table.replace("node-a", Map.of(T0, minute(T0, "llm", 1, 1, 10_000)));
      // A later flush of the same minute replaces node-a's rows; node-b adds its own.
      table.replace("node-a", Map.of(T0, minute(T0, "llm", 3, 1, 10_000), T0 + M, minute(T0 + M, "llm", 2, 0, 40_000)));
      table.replace("node-b", Map.of(T0, minute(T0, "llm", 4, 2, 10_000)));
      table.replace("node-b", Map.of(T0, minute(T0, "embed", 1, 0, 1_000)));

      MetricsTable.Totals llm = table.totalsByRoute(T0, T0 + 2 * M).get("llm");
      assertThat(llm.requests()).isEqualTo(3 + 1 + 2 + 4 + 2 - 4 - 2);
      assertThat(table.totalsByRoute(T0, T0 + 2 * M).get("embed").requests()).isEqualTo(1);
      assertThat(llm.errors()).isEqualTo(1);
      assertThat(llm.averageMillis()).isCloseTo((4 * 10.0 + 2 * 40.0) / 6, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(llm.p95Millis()).isBetween(40.0 * 0.97, 40.0 * 1.03);

      assertThat(table.requestsByToken("llm", T0, T0 + 2 * M)).containsExactlyInAnyOrder(
          new MetricsTable.TokenMinute(T0, "tok_alpha", 3, 10, 20), new MetricsTable.TokenMinute(T0, "tok_beta", 1, 10, 20),
          new MetricsTable.TokenMinute(T0 + M, "tok_alpha", 2, 10, 20),
          new MetricsTable.TokenMinute(T0 + M, "tok_beta", 0, 10, 20));
      // Bytes both ways are summed like requests: node-a's four llm rows of 10 in and 20 out.
      assertThat(llm.bytesIn()).isEqualTo(40);
      assertThat(llm.bytesOut()).isEqualTo(80);
      assertThat(table.totalsByMinute("llm", T0, T0 + 2 * M).keySet()).containsExactly(T0, T0 + M);
      assertThat(table.totalsByMinute("llm", T0 + M, T0 + 2 * M).get(T0 + M).p95Millis()).isBetween(38.8, 41.2);
      assertThat(table.hasRequests("llm", T0, T0 + M)).isTrue();
      assertThat(table.hasRequests("gone", T0, T0 + M)).isFalse();

      assertThat(table.prune(T0 + M)).isPositive();
      assertThat(table.totalsByRoute(T0, T0 + 2 * M).get("llm").requests()).isEqualTo(2);
      assertThat(table.totalsByRoute(T0, T0 + 2 * M)).doesNotContainKey("embed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("stores")
  void uptimeCountsFromTheLastOutageAndSurvivesPruning(String kind, StoreSettings settings) {
    try (Store store = Store.open(settings, "test")) {
      HealthHistory health = new HealthHistory(store.sql());
      assertThat(health.upSince("llm")).isEmpty();
      health.record("llm", Instant.ofEpochMilli(T0), 1, 1);
      health.record("llm", Instant.ofEpochMilli(T0 + M), 2, 2);
      assertThat(health.upSince("llm")).contains(Instant.ofEpochMilli(T0));
      health.record("llm", Instant.ofEpochMilli(T0 + 2 * M), 0, 2);
      assertThat(health.upSince("llm")).isEmpty();
      health.record("llm", Instant.ofEpochMilli(T0 + 3 * M), 1, 2);
      health.record("llm", Instant.ofEpochMilli(T0 + 4 * M), 2, 2);
      health.record("llm", Instant.ofEpochMilli(T0 + 5 * M), 1, 2);
      assertThat(health.upSince("llm")).contains(Instant.ofEpochMilli(T0 + 3 * M));
      health.record("down", Instant.ofEpochMilli(T0), 1, 1);
      health.record("down", Instant.ofEpochMilli(T0 + M), 0, 1);

      // Pruning everything before T0 + 10 min keeps the one row llm's uptime rests on.
      health.prune(Instant.ofEpochMilli(T0 + 10 * M));
      assertThat(health.upSince("llm")).contains(Instant.ofEpochMilli(T0 + 3 * M));
      assertThat(health.upSince("down")).isEmpty();
      assertThat(store.sql().query("select count(*) from route_health", rs -> rs.getLong(1))).containsExactly(1L);
    }
  }
}
