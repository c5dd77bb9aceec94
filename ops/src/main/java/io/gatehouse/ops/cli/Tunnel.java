package io.gatehouse.ops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One TCP connection carried over the gateway's tunnel ({@code /_gatehouse/tunnel/{route}}, a
 * WebSocket with subprotocol {@code gatehouse-tcp}): bytes read from {@code in} go out as binary
 * messages, one at a time (a send completes before the next read: backpressure towards the local
 * side), and what arrives is written to {@code out} before the next message is asked for
 * (backpressure towards the gateway).
 */
final class Tunnel implements WebSocket.Listener {
  private static final int CHUNK = 64 * 1024;

  private final OutputStream out;
  private final CompletableFuture<String> ended = new CompletableFuture<>();
  private WebSocket ws;

  private Tunnel(OutputStream out) {
    this.out = out;
  }

  /** Opens the tunnel to {@code route}; a refused upgrade is a {@link CliFailure} naming why. */
  static Tunnel open(Connection c, String route, OutputStream out) {
    Tunnel t = new Tunnel(out);
    HttpClient client = c.client();
    try {
      t.ws = client.newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .subprotocols("gatehouse-tcp")
          .header("Authorization", "Bearer " + c.token())
          .buildAsync(c.webSocket("/_gatehouse/tunnel/" + route), t)
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw refusal(route, e.getCause());
    } catch (TimeoutException e) {
      throw CliFailure.refused("the gateway did not open the tunnel within 30 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliFailure.refused("interrupted");
    }
    return t;
  }

  private static CliFailure refusal(String route, Throwable cause) {
    if (cause instanceof WebSocketHandshakeException h) {
      int status = h.getResponse().statusCode();
      return CliFailure.refused(switch (status) {
        case 401 -> "401: the token is missing, unknown, expired or revoked";
        case 403 -> "403: this token may not use route '" + route + "'";
        case 404 -> "404: there is no tcp route named '" + route + "'";
        case 502, 503, 504 -> status + ": no instance of route '" + route + "' could be reached";
        default -> "the gateway refused the tunnel: HTTP " + status;
      });
    }
    return CliFailure.refused("cannot reach the gateway: " + cause);
  }

  /**
   * Sends what {@code in} gives until its end (then the tunnel is closed) or until the tunnel
   * ends. Answers how the tunnel ended: null for a normal end, else the gateway's reason.
   */
  String pump(InputStream in) {
    byte[] buf = new byte[CHUNK];
    try {
      int n;
      while (!ended.isDone() && (n = in.read(buf)) >= 0) {
        if (n > 0) {
          // join: the buffer is free again once the message went out.
          ws.sendBinary(ByteBuffer.wrap(buf, 0, n), true).join();
        }
      }
      if (!ended.isDone()) {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
      }
    } catch (IOException | CompletionException e) {
      // The local side or the tunnel went away.
      ws.abort();
    }
    try {
      return ended.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException e) {
      ws.abort();
      return null;
    }
  }

  /** Completes when the gateway closed the tunnel: null for a normal close, else its reason. */
  CompletableFuture<String> ended() {
    return ended;
  }

  void abort() {
    ws.abort();
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    try {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      out.write(b);
      out.flush();
      webSocket.request(1);
    } catch (IOException e) {
      webSocket.abort();
      ended.complete(null);
    }
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    ended.complete(statusCode == WebSocket.NORMAL_CLOSURE ? null : "closed by the gateway (" + statusCode
        + (reason == null || reason.isEmpty() ? "" : ": " + reason) + ")");
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    ended.complete("the tunnel failed: " + error.getMessage());
  }
}
