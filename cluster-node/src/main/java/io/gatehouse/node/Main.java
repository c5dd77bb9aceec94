package io.gatehouse.node;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.persistence.store.NamespaceMismatchException;

/** {@code java -jar gatehouse-node.jar}: starts one node; SIGTERM stops it gracefully. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
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
}
