package io.gatehouse.node.testing;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's WebSocket client on {@code /_gatehouse/tunnel/{route}}: what it receives is kept in
 * order, and how it was closed (code, reason, when).
 */
public final class TunnelClient implements WebSocket.Listener {
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  public final CompletableFuture<Integer> closed = new CompletableFuture<>();
  public volatile String closeReason;
  public volatile long closedAtNanos;
  private WebSocket ws;

  /** Opens a tunnel, or answers the HTTP status the upgrade was refused with (as a failed future's {@link Refused}). */
  public static TunnelClient open(String base, String route, String token) {
    TunnelClient c = new TunnelClient();
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .subprotocols("gatehouse-tcp");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      c.ws = b.buildAsync(URI.create(base.replaceFirst("^http", "ws") + "/_gatehouse/tunnel/" + route), c)
          .get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        throw new Refused(h.getResponse().statusCode(), String.valueOf(h.getResponse().body()));
      }
      throw new CompletionException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return c;
  }

  /** The upgrade was answered with {@code status}. */
  public static final class Refused extends RuntimeException {
    public final int status;

    Refused(int status, String body) {
      super("HTTP " + status + ": " + body);
      this.status = status;
    }
  }

  public void send(byte[] bytes) {
    ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  public void close() {
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
  }

  public WebSocket socket() {
    return ws;
  }

  public byte[] received() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  public int receivedCount() {
    synchronized (received) {
      return received.size();
    }
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] b = new byte[data.remaining()];
    data.get(b);
    synchronized (received) {
      received.writeBytes(b);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closedAtNanos = System.nanoTime();
    closeReason = reason;
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closedAtNanos = System.nanoTime();
    closed.complete(-1);
  }
}
