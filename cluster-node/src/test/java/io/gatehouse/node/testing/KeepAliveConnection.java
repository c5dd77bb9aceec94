package io.gatehouse.node.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection on a blocking socket that stays open between requests, for tests and
 * harnesses that care which connection a request travels on (keep-alive, idle timeouts, many
 * connections at once). GETs only; answers with a Content-Length or chunked.
 */
public final class KeepAliveConnection implements AutoCloseable {
  /** Status and body of one answer. */
  public record Reply(int status, byte[] body) {}

  /** Told the time ({@link System#nanoTime()}) at which each chunk of a stream began to arrive. */
  public interface ChunkListener {
    void chunk(long atNanos);
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public KeepAliveConnection(int port) throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(30_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    in = new BufferedInputStream(socket.getInputStream(), 4096);
    out = socket.getOutputStream();
  }

  /** GET {@code path} with the bearer {@code token} and {@code header} (one line, or empty). */
  public Reply get(String path, String token, String header) throws IOException {
    send(path, token, header);
    int status = status();
    Map<String, String> headers = headers();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      chunks(body, null);
    } else {
      body.write(in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0"))));
    }
    return new Reply(status, body.toByteArray());
  }

  /** Reads a chunked event stream to its end; the number of events, or -1 when refused. */
  public int stream(String path, String token, String header, ChunkListener listener) throws IOException {
    send(path, token, header);
    if (status() != 200 || !"chunked".equalsIgnoreCase(headers().get("transfer-encoding"))) {
      return -1;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    chunks(body, listener);
    String text = body.toString(StandardCharsets.UTF_8);
    return text.split("\ndata: ", -1).length - 1 + (text.startsWith("data: ") ? 1 : 0);
  }

  /** Blocks until the peer closes the connection (true) or sends a byte (false); at most 30 s. */
  public boolean closedByPeer() throws IOException {
    return in.read() == -1;
  }

  private void send(String path, String token, String header) throws IOException {
    out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n"
        + (header.isEmpty() ? "" : header + "\r\n") + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private int status() throws IOException {
    String line = line();
    if (line == null || !line.startsWith("HTTP/1.1 ")) {
      throw new IOException("no status line: " + line);
    }
    return Integer.parseInt(line.substring(9, 12));
  }

  private Map<String, String> headers() throws IOException {
    Map<String, String> headers = new HashMap<>();
    for (String line = line(); line != null && !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    return headers;
  }

  private void chunks(ByteArrayOutputStream body, ChunkListener listener) throws IOException {
    while (true) {
      String size = line();
      if (size == null) {
        throw new IOException("the stream ended inside the body");
      }
      int n = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (listener != null && n > 0) {
        listener.chunk(System.nanoTime());
      }
      if (n == 0) {
        line();
        return;
      }
      body.write(in.readNBytes(n));
      line();
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int c = in.read(); c != -1; c = in.read()) {
      if (c == '\n') {
        int len = sb.length();
        return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
