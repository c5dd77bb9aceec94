package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 that breaks the protocol, written frame by frame on the h2c port: a broken preface, more
 * streams than the node allows, a header block past the limit, a flood of resets (CVE-2023-44487,
 * "Rapid Reset"). Each gets its connection closed (or its excess streams refused), and the node
 * goes on serving everyone else.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Http2AbuseTest {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADERS = 1;
  private static final int RST_STREAM = 3;
  private static final int SETTINGS = 4;
  private static final int GOAWAY = 7;
  private static final int CONTINUATION = 9;

  @TempDir static Path dir;
  private Gateway gw;
  private String route;
  private Gateway.Token token;

  @BeforeAll
  void start() {
    gw = new Gateway(TestNodes.h2(dir).withValue("gatehouse.data-plane.h2c", ConfigValueFactory.fromAnyRef(true)));
    ProbeServer probe = gw.probe("abuse-probe");
    String team = gw.group();
    token = gw.userToken(gw.user(team));
    route = gw.route(json("'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}", team));
    gw.register(route, probe.port(), gw.project(List.of(team), List.of()));
    gw.awaitHealthy(route, 1);
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  /** A well-behaved HTTP/2 client is served (after each abuse). */
  private void othersAreServed() throws Exception {
    HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build().send(HttpRequest
        .newBuilder(URI.create("http://127.0.0.1:" + gw.node.httpPort() + "/" + route + "/ok"))
        .header("Authorization", "Bearer " + token.secret()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void aBrokenPrefaceEndsTheConnection() throws Exception {
    try (Socket s = socket()) {
      OutputStream out = s.getOutputStream();
      out.write(PREFACE);
      out.write(new byte[] {0, 0, 4, 77, 0, 0, 0, 0, 0, 1, 2, 3, 4}); // a frame of an unknown kind where SETTINGS must be
      out.flush();
      assertThat(framesUntilClosed(s)).contains(GOAWAY);
    }
    try (Socket s = socket()) {
      s.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(closes(s)).isTrue();
    }
    othersAreServed();
  }

  @Test
  void streamsPastTheLimitAreRefused() throws Exception {
    try (Socket s = handshaken()) {
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      for (int i = 0; i < 300; i++) {
        // HEADERS without END_STREAM: each stream stays open, waiting for a body.
        burst.write(frame(HEADERS, 0x4, 1 + 2 * i, requestBlock("/" + route + "/wait", 0)));
      }
      s.getOutputStream().write(burst.toByteArray());
      List<long[]> frames = frames(s, 3000);
      assertThat(frames).anySatisfy(f -> {
        // RST_STREAM REFUSED_STREAM (7), or GOAWAY for the whole connection.
        assertThat((f[0] == RST_STREAM && f[2] == 7) || f[0] == GOAWAY).isTrue();
      });
    }
    othersAreServed();
  }

  @Test
  void aHeaderBlockPastTheLimitEndsTheConnection() throws Exception {
    try (Socket s = handshaken()) {
      byte[] block = requestBlock("/" + route + "/big", 40_000);
      OutputStream out = s.getOutputStream();
      int chunk = 16_000;
      for (int off = 0, type = HEADERS; off < block.length; off += chunk, type = CONTINUATION) {
        int n = Math.min(chunk, block.length - off);
        boolean last = off + n == block.length;
        byte[] part = java.util.Arrays.copyOfRange(block, off, off + n);
        out.write(frame(type, (last ? 0x4 : 0) | (type == HEADERS ? 0x1 : 0), 1, part));
      }
      out.flush();
      List<Integer> types = framesUntilClosed(s);
      assertThat(types).contains(GOAWAY);
    }
    othersAreServed();
  }

  @Test
  void aFloodOfResetsEndsTheConnection() throws Exception {
    try (Socket s = handshaken()) {
      ByteArrayOutputStream flood = new ByteArrayOutputStream();
      for (int i = 0; i < 1000; i++) {
        int stream = 1 + 2 * i;
        flood.write(frame(HEADERS, 0x5, stream, requestBlock("/" + route + "/reset", 0)));
        flood.write(frame(RST_STREAM, 0, stream, new byte[] {0, 0, 0, 8}));
      }
      try {
        s.getOutputStream().write(flood.toByteArray());
      } catch (SocketException e) {
        // closed while we were still writing: what we wanted
      }
      List<long[]> frames = frames(s, 5000);
      // GOAWAY with ENHANCE_YOUR_CALM (0xb), then the connection closes.
      assertThat(frames).anySatisfy(f -> assertThat(f[0] == GOAWAY && f[2] == 0xb).isTrue());
    }
    othersAreServed();
  }

  // ---- frames by hand -----------------------------------------------------------------------

  private Socket socket() throws IOException {
    Socket s = new Socket("127.0.0.1", gw.node.httpPort());
    s.setSoTimeout(5000);
    return s;
  }

  /** Preface and an empty SETTINGS sent. */
  private Socket handshaken() throws IOException {
    Socket s = socket();
    s.getOutputStream().write(PREFACE);
    s.getOutputStream().write(frame(SETTINGS, 0, 0, new byte[0]));
    return s;
  }

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    return f;
  }

  /** HPACK without Huffman or dynamic table: GET, http, the path, an authority, the token, and {@code padBytes} of filler. */
  private byte[] requestBlock(String path, int padBytes) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x82); // :method GET
    b.write(0x86); // :scheme http
    literal(b, 4, null, path); // :path
    literal(b, 1, null, "127.0.0.1"); // :authority
    literal(b, 0, "authorization", "Bearer " + token.secret());
    if (padBytes > 0) {
      literal(b, 0, "x-filler", "a".repeat(padBytes));
    }
    return b.toByteArray();
  }

  /** A literal header field without indexing (0000xxxx), by static-table name index or literal name. */
  private static void literal(ByteArrayOutputStream b, int nameIndex, String name, String value) {
    integer(b, 0x00, 4, nameIndex);
    if (nameIndex == 0) {
      string(b, name);
    }
    string(b, value);
  }

  private static void string(ByteArrayOutputStream b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    integer(b, 0x00, 7, bytes.length);
    b.writeBytes(bytes);
  }

  /** An HPACK integer with an {@code prefixBits}-bit prefix. */
  private static void integer(ByteArrayOutputStream b, int firstBits, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      b.write(firstBits | value);
      return;
    }
    b.write(firstBits | max);
    value -= max;
    while (value >= 128) {
      b.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    b.write(value);
  }

  /** The types of the frames the node sends until it closes (within 5 s). */
  private static List<Integer> framesUntilClosed(Socket s) throws IOException {
    List<Integer> types = new ArrayList<>();
    for (long[] f : frames(s, 5000)) {
      types.add((int) f[0]);
    }
    assertThat(closes(s)).as("closed").isTrue();
    return types;
  }

  /** Frames read for up to {@code millis} or until the end: {type, stream, first 4 payload bytes of RST/GOAWAY's code}. */
  private static List<long[]> frames(Socket s, int millis) throws IOException {
    List<long[]> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + millis;
    DataInputStream in = new DataInputStream(s.getInputStream());
    try {
      while (System.currentTimeMillis() < deadline) {
        s.setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = in.readNBytes(length);
        long code = -1;
        if (type == RST_STREAM && length >= 4) {
          code = ((payload[0] & 0xffL) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
        } else if (type == GOAWAY && length >= 8) {
          code = ((payload[4] & 0xffL) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8) | (payload[7] & 0xff);
        }
        out.add(new long[] {type, stream, code});
        if (type == GOAWAY) {
          break;
        }
      }
    } catch (EOFException | SocketTimeoutException | SocketException e) {
      // the end, or nothing more in time
    }
    return out;
  }

  /** Whether the node closes the connection within 5 s (reading what is left). */
  private static boolean closes(Socket s) {
    try {
      s.setSoTimeout(5000);
      byte[] buf = new byte[8192];
      while (s.getInputStream().read(buf) >= 0) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
