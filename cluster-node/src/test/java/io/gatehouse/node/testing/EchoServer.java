package io.gatehouse.node.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP echo server on a free loopback port, for tcp routes: every byte it reads goes back, on a
 * thread per connection. It counts the connections it accepted, so a test can tell that a
 * refused consumer never reached it.
 */
public final class EchoServer implements AutoCloseable {
  private final ServerSocket server;
  private final AtomicInteger accepted = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
  private final CopyOnWriteArrayList<Socket> open = new CopyOnWriteArrayList<>();

  public EchoServer() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread t = new Thread(this::accept, "echo-accept");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far (the gateway's connect health checks count too). */
  public int accepted() {
    return accepted.get();
  }

  /** Bytes read from all connections so far. */
  public long received() {
    return received.get();
  }

  /** Connections open now. */
  public int openConnections() {
    return open.size();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        accepted.incrementAndGet();
        open.add(s);
        Thread t = new Thread(() -> echo(s), "echo-" + s.getPort());
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void echo(Socket s) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[16 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        received.addAndGet(n);
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the peer went away
    } finally {
      open.remove(s);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
  }
}
