package io.gatehouse.ops.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gatehouse tunnel ROUTE}: a tcp route's connection through the gateway's WebSocket tunnel. */
@Command(name = "tunnel", mixinStandardHelpOptions = true,
    description = {"Connects to a tcp route through the gateway's tunnel: either on a local port (every connection "
        + "to it is one tunnel) or on stdin/stdout (for ssh's ProxyCommand)."},
    footer = {"", "Examples:",
        "  gatehouse tunnel pg --local-port 15432 &   psql -h 127.0.0.1 -p 15432 -U app",
        "  ssh -o ProxyCommand='gatehouse tunnel ssh-box --stdio' user@ssh-box"})
final class TunnelCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ROUTE", description = "The tcp route.")
  String route;

  @ArgGroup(multiplicity = "1")
  Mode mode;

  static final class Mode {
    @Option(names = "--local-port", paramLabel = "PORT", description = "Listen on this local port (0: any free one).")
    Integer localPort;

    @Option(names = "--stdio", description = "Carry stdin and stdout (one connection, then exit).")
    boolean stdio;
  }

  @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "The local address to listen on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Mixin
  Connection connection;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    connection.gateway();
    connection.token();
    if (mode.stdio) {
      return stdio();
    }
    if (mode.localPort < 0 || mode.localPort > 65535) {
      throw CliFailure.usage("--local-port is 0 to 65535, got " + mode.localPort);
    }
    return listen();
  }

  /**
   * One tunnel on stdin and stdout. When the gateway ends it first (the instance closed, or the
   * token's access ended) the process exits at once: whoever reads stdout (ssh) sees the end.
   */
  private int stdio() {
    Tunnel t = Tunnel.open(connection, route, System.out);
    t.ended().thenAccept(why -> {
      System.out.flush();
      if (why != null) {
        System.err.println("gatehouse: " + why);
      }
      System.exit(why == null ? 0 : 1);
    });
    String why = t.pump(System.in);
    if (why != null) {
      throw CliFailure.refused(why);
    }
    return 0;
  }

  private int listen() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getByName(bind), mode.localPort));
      err.println("gatehouse: route '" + route + "' on " + bind + ":" + server.getLocalPort()
          + " (each connection is a tunnel through " + connection.gateway() + "); Ctrl-C to stop");
      err.flush();
      while (true) {
        Socket s = server.accept();
        Thread t = new Thread(() -> carry(s, err), "tunnel-" + s.getPort());
        t.setDaemon(true);
        t.start();
      }
    }
  }

  /** One local connection over one tunnel; a refused tunnel closes the local connection and says why. */
  private void carry(Socket s, PrintWriter err) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      s.setTcpNoDelay(true);
      Tunnel t = Tunnel.open(connection, route, out);
      t.ended().thenRun(() -> {
        try {
          s.shutdownOutput();
        } catch (IOException e) {
          // already closed
        }
      });
      String why = t.pump(in);
      if (why != null) {
        synchronized (err) {
          err.println("gatehouse: " + why);
          err.flush();
        }
      }
    } catch (CliFailure f) {
      synchronized (err) {
        err.println("gatehouse: " + f.getMessage());
        err.flush();
      }
    } catch (IOException e) {
      // the local client went away
    }
  }
}
