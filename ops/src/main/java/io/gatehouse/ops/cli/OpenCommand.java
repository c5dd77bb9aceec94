package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gatehouse open ROUTE}: a browser link to a browser route, made with the caller's token on
 * the data plane ({@code POST /_gatehouse/browser-links}), so any token that may use the route
 * can make one, not only an admin's. The link is good once, for a minute; the token never
 * appears in it.
 */
@Command(name = "open", mixinStandardHelpOptions = true,
    description = {"Makes a browser link to a browser route and prints it.",
        "The link is good once, for a minute; the token never appears in it. With --browser it is also opened "
            + "with xdg-open, when there is one."},
    footer = {"", "Examples:", "  gatehouse open jup", "  gatehouse open jup --next /jup/lab --browser"})
final class OpenCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ROUTE", description = "The browser route.")
  String route;

  @Option(names = "--next", paramLabel = "PATH",
      description = "Where the browser lands, a path on the route (default: the route's own path).")
  String next;

  @Option(names = "--browser", description = "Also open the link in a browser (xdg-open), when there is one.")
  boolean browser;

  @Mixin
  ApiOptions options;

  @Override
  public Integer call() {
    ObjectNode body = Bodies.object().put("route", route);
    Bodies.put(body, "next", next);
    JsonNode link = options.api().gatewayPost("/_gatehouse/browser-links", body);
    String url = link.path("url").asText();
    if (options.out().json) {
      options.out().print(link);
    } else {
      System.out.println(url);
    }
    if (browser) {
      openInBrowser(url);
    }
    return 0;
  }

  /** Hands the link to xdg-open; without one (or a display), says so and still succeeds. */
  private static void openInBrowser(String url) {
    try {
      Process p = new ProcessBuilder("xdg-open", url).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() != 0) {
        System.err.println("gatehouse: xdg-open could not open a browser; open the link above yourself");
      }
    } catch (IOException e) {
      System.err.println("gatehouse: no xdg-open here; open the link above yourself");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
