package io.gatehouse.persistence.metrics;

import java.io.ByteArrayOutputStream;

/**
 * A log-linear latency histogram in microseconds, the layout HdrHistogram uses with 16
 * sub-buckets per power of two: exact below 16 us, then every bucket is 1/16 of its octave wide,
 * so a value read back as its bucket's middle is off by at most 1/32 (about 3 %). Up to 2^36 us
 * (19 hours); longer requests land in the last bucket.
 *
 * <p>Counts are plain {@code long[COUNT]} arrays, merged by addition; a histogram travels to the
 * store in a sparse form ({@link #encode}) of a few dozen bytes.
 */
public final class LatencyHistogram {
  private static final int SUB = 16;
  private static final int MAX_OCTAVE = 35;
  public static final int COUNT = SUB + (MAX_OCTAVE - 3) * SUB;

  private LatencyHistogram() {}

  public static int index(long micros) {
    if (micros < SUB) {
      return (int) Math.max(0, micros);
    }
    int octave = 63 - Long.numberOfLeadingZeros(micros);
    if (octave > MAX_OCTAVE) {
      return COUNT - 1;
    }
    int sub = (int) (micros >>> (octave - 4)) - SUB;
    return SUB + (octave - 4) * SUB + sub;
  }

  /** The smallest value of bucket {@code index}. */
  static long lower(int index) {
    if (index < SUB) {
      return index;
    }
    int octave = (index - SUB) / SUB + 4;
    int sub = (index - SUB) % SUB;
    return (long) (SUB + sub) << (octave - 4);
  }

  /** One past the largest value of bucket {@code index}. */
  static long upper(int index) {
    return index < SUB ? index + 1 : lower(index) + (1L << ((index - SUB) / SUB));
  }

  /**
   * The {@code q} quantile (0..1) in milliseconds: the middle of the bucket that holds the sample
   * of that rank, so within 1/32 of it (from 16 us on); null without samples.
   */
  public static Double quantileMillis(long[] counts, double q) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return null;
    }
    double rank = Math.max(1, Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 0) {
        continue;
      }
      if (seen + counts[i] >= rank) {
        return (lower(i) + upper(i)) / 2000.0;
      }
      seen += counts[i];
    }
    return upper(COUNT - 1) / 1000.0;
  }

  /** Sparse form: pairs of (gap to the previous non-empty bucket, count) as unsigned varints. */
  public static byte[] encode(long[] counts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    int previous = -1;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] != 0) {
        varint(out, i - previous);
        varint(out, counts[i]);
        previous = i;
      }
    }
    return out.toByteArray();
  }

  /** Adds the counts of an {@link #encode encoded} histogram to {@code into}. */
  public static void addEncoded(byte[] encoded, long[] into) {
    int[] pos = {0};
    int index = -1;
    while (pos[0] < encoded.length) {
      index += (int) readVarint(encoded, pos);
      long count = readVarint(encoded, pos);
      if (index < 0 || index >= into.length) {
        throw new IllegalArgumentException("latency histogram bucket out of range: " + index);
      }
      into[index] += count;
    }
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static long readVarint(byte[] in, int[] pos) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in[pos[0]++];
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("malformed varint in latency histogram");
  }
}
