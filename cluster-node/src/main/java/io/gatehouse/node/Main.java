package io.gatehouse.node;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.persistence.store.NamespaceMismatchException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar gatehouse-node.jar}: starts one node; SIGTERM stops it gracefully.
 * {@code java -jar gatehouse-node.jar probe --port 9001 --id probe-a}: starts the built-in probe
 * upstream instead, to try routes out with.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    // Netty's buffer leak detector samples and wraps buffers on the request path: the tests run
    // with it (Netty's default), a node does not unless asked (-Dio.netty.leakDetection.level=simple).
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    if (args.length > 0 && args[0].equals("probe")) {
      probe(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0) {
      System.err.println("usage: java -jar gatehouse-node.jar [probe --port PORT [--id ID] [--host HOST]]");
      System.exit(2);
    }
    try {
      GatehouseNode.start(ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on"));
    } catch (NamespaceMismatchException | IllegalArgumentException e) {
      System.err.println("gatehouse: refusing to start: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("gatehouse: could not start: " + e.getMessage());
      System.exit(1);
    }
  }

  private static void probe(String[] args) throws InterruptedException {
    String host = "127.0.0.1";
    String id = null;
    int port = -1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--id" -> id = args[i + 1];
        case "--host" -> host = args[i + 1];
        default -> {
          System.err.println("probe: unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    if (port < 0 || args.length % 2 != 0) {
      System.err.println("usage: java -jar gatehouse-node.jar probe --port PORT [--id ID] [--host HOST]");
      System.exit(2);
    }
    ProbeServer probe = ProbeServer.start(host, port, id == null ? "probe-" + port : id);
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      probe.close();
      stop.countDown();
    }, "probe-stop"));
    System.out.println("probe " + probe.id() + " listening on http://" + host + ":" + probe.port());
    stop.await();
  }
}
