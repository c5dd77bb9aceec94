package io.gatehouse.persistence.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Property
  void everyValueFallsInsideItsBucket(@ForAll @LongRange(min = 0, max = (1L << 36) - 1) long micros) {
    int i = LatencyHistogram.index(micros);
    assertThat(i).isBetween(0, LatencyHistogram.COUNT - 1);
    assertThat(LatencyHistogram.lower(i)).isLessThanOrEqualTo(micros);
    assertThat(LatencyHistogram.upper(i)).isGreaterThan(micros);
    // A bucket is at most 1/16 of its lower bound wide: read back from its middle, within 1/32.
    assertThat(LatencyHistogram.upper(i) - LatencyHistogram.lower(i))
        .isLessThanOrEqualTo(Math.max(1, LatencyHistogram.lower(i) / 16));
  }

  @Property
  void aQuantileIsWithinOneThirtySecondOfTheExactOne(
      @ForAll @Size(min = 1, max = 300) long[] raw, @ForAll @LongRange(min = 1, max = 99) long percent) {
    long[] micros = Arrays.stream(raw).map(v -> 100 + Math.floorMod(v, 5_000_000L)).sorted().toArray();
    long[] counts = new long[LatencyHistogram.COUNT];
    for (long m : micros) {
      counts[LatencyHistogram.index(m)]++;
    }
    double q = percent / 100.0;
    long exact = micros[(int) Math.ceil(q * micros.length) - 1];
    assertThat(LatencyHistogram.quantileMillis(counts, q)).isCloseTo(exact / 1000.0, within(exact / 1000.0 / 32));
  }

  @Property
  void theSparseFormRoundTrips(@ForAll @Size(max = 50) long[] raw) {
    long[] counts = new long[LatencyHistogram.COUNT];
    for (long v : raw) {
      counts[LatencyHistogram.index(Math.floorMod(v, 1L << 37))] += 1 + Math.floorMod(v, 1000);
    }
    long[] back = new long[LatencyHistogram.COUNT];
    LatencyHistogram.addEncoded(LatencyHistogram.encode(counts), back);
    assertThat(back).isEqualTo(counts);
  }

  @Test
  void beyondTheRangeAndWithoutSamples() {
    assertThat(LatencyHistogram.index(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.COUNT - 1);
    assertThat(LatencyHistogram.index(-5)).isZero();
    assertThat(LatencyHistogram.quantileMillis(new long[LatencyHistogram.COUNT], 0.95)).isNull();
    assertThat(LatencyHistogram.encode(new long[LatencyHistogram.COUNT])).isEmpty();
    assertThatThrownBy(() -> LatencyHistogram.addEncoded(new byte[] {(byte) 0x80}, new long[LatencyHistogram.COUNT]))
        .isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> LatencyHistogram.addEncoded(new byte[] {(byte) 0x7f, 1, 0x7f, 1, 0x7f, 1, 0x7f, 1, 0x7f, 1},
        new long[LatencyHistogram.COUNT])).isInstanceOf(IllegalArgumentException.class);
  }
}
