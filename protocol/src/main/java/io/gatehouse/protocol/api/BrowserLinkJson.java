package io.gatehouse.protocol.api;

import io.gatehouse.protocol.FieldError;
import io.gatehouse.protocol.Name;
import java.time.Instant;

/** {@code POST /_gatehouse/browser-links} (data plane) and {@code POST /api/v1/routes/{name}/browser-link}. */
public final class BrowserLinkJson {
  private BrowserLinkJson() {}

  /**
   * A browser link for a route, to a path on it.
   *
   * @param next where the browser lands once signed in: a path on the route (its own URL's path
   *     when omitted)
   */
  public record Request(Name route, String next) {
    public Request {
      FieldError.required(route, "route");
    }
  }

  /** The admin API's form: the route is in the path. */
  public record ForRoute(String next) {}

  /** The link: open it within {@code expiresAt}, once. */
  public record Link(String url, Instant expiresAt) {}
}
