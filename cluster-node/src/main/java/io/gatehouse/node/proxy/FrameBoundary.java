package io.gatehouse.node.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Where WebSocket frames begin and end in a byte stream that is relayed, not decoded: the
 * headers (RFC 6455 section 5.2) are read as they pass, payloads are skipped over. The tunnel
 * uses it to end a WebSocket with a close frame of its own without cutting a frame in two.
 */
final class FrameBoundary {
  private final byte[] header = new byte[14];
  private int headerHave;
  private int headerLength;
  private long payloadLeft;

  /** Whether the bytes seen so far end exactly where a frame ends. */
  boolean atBoundary() {
    return headerHave == 0 && payloadLeft == 0;
  }

  /**
   * Reads over {@code buf}'s readable bytes without consuming them. With {@code stopAtBoundary},
   * stops at the first frame end and answers how many bytes lead up to it (all of them when no
   * frame ends in {@code buf}); else answers all.
   */
  int advance(ByteBuf buf, boolean stopAtBoundary) {
    int start = buf.readerIndex();
    int end = buf.writerIndex();
    int i = start;
    while (i < end) {
      if (payloadLeft > 0) {
        long skip = Math.min(payloadLeft, end - i);
        i += (int) skip;
        payloadLeft -= skip;
        if (payloadLeft == 0 && stopAtBoundary) {
          return i - start;
        }
        continue;
      }
      header[headerHave++] = buf.getByte(i++);
      if (headerHave == 2) {
        int len7 = header[1] & 0x7f;
        boolean masked = (header[1] & 0x80) != 0;
        headerLength = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
      }
      if (headerHave >= 2 && headerHave == headerLength) {
        payloadLeft = payloadLength();
        headerHave = 0;
        if (payloadLeft == 0 && stopAtBoundary) {
          return i - start;
        }
      }
    }
    return i - start;
  }

  private long payloadLength() {
    int len7 = header[1] & 0x7f;
    if (len7 < 126) {
      return len7;
    }
    int n = len7 == 126 ? 2 : 8;
    long length = 0;
    for (int k = 0; k < n; k++) {
      length = (length << 8) | (header[2 + k] & 0xff);
    }
    return length & Long.MAX_VALUE;
  }
}
