package io.gatehouse.node.admin;

import io.gatehouse.node.metrics.GatewayMetrics;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The admin port's pages outside the API: the dashboard at {@code /ui/} (static files; it signs
 * in with an admin token that it keeps in the tab's session storage and sends as a bearer token
 * to the API), and Prometheus' {@code /metrics}. The charts library comes from its WebJar inside
 * the jar: no CDN, works offline.
 */
final class UiRoutes extends AdminDirectives {
  private static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  /** Only the dashboard's own files may run in it; nothing may frame it. */
  private static final List<HttpHeader> PAGE_HEADERS = List.of(
      RawHeader.create("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
              + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      RawHeader.create("Cache-Control", "no-store"));

  private final GatewayMetrics metrics;

  UiRoutes(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  Route route() {
    return concat(
        path("metrics", () -> get(() -> complete(HttpResponse.create().withStatus(StatusCodes.OK)
            .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape()))))),
        path("ui", () -> redirect(org.apache.pekko.http.javadsl.model.Uri.create("/ui/"), StatusCodes.FOUND)),
        pathPrefix("ui", () -> respondWithHeaders(PAGE_HEADERS, () -> concat(
            pathSingleSlash(() -> getFromResource("ui/index.html", ContentTypes.TEXT_HTML_UTF8)),
            pathPrefix("vendor", () -> path("echarts.min.js", () -> getFromResource(ECHARTS))),
            getFromResourceDirectory("ui")))));
  }
}
