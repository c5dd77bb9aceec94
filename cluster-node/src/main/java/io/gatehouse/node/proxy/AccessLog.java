package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the logger {@code gatehouse.access}, which logback writes through
 * an asynchronous appender, so the event loop never waits for the disk. The line names the token
 * by its id; the token itself never appears. Switched off with {@code GATEHOUSE_ACCESS_LOG=off}.
 */
final class AccessLog {
  private static final Logger log = LoggerFactory.getLogger("gatehouse.access");

  private final boolean enabled;

  AccessLog(boolean enabled) {
    this.enabled = enabled && log.isInfoEnabled();
  }

  boolean enabled() {
    return enabled;
  }

  /** The line of a finished exchange: its path (normalised once admitted; never the query), who, where, how it went. */
  void log(OpenExchanges.Open e) {
    Admission.Admitted a = e.admittedAs();
    StringBuilder sb = new StringBuilder(320);
    sb.append("{\"time\":\"").append(Instant.now()).append('"');
    field(sb, "requestId", e.requestId());
    field(sb, "door", e.door().name().toLowerCase(java.util.Locale.ROOT));
    field(sb, "method", e.method());
    field(sb, "path", path(e));
    field(sb, "tokenId", a == null ? null : a.token().tokenId().value());
    field(sb, "principal", a == null ? null : a.token().principal().display());
    field(sb, "route", a == null || a.route() == null ? null : a.route().name());
    field(sb, "instance", e.instanceId());
    sb.append(",\"status\":").append(e.status());
    long micros = e.nanos() / 1000;
    long fraction = micros % 1000;
    sb.append(",\"latencyMs\":").append(micros / 1000).append('.')
        .append(fraction < 100 ? (fraction < 10 ? "00" : "0") : "").append(fraction);
    sb.append(",\"bytesIn\":").append(e.bytesInCount());
    sb.append(",\"bytesOut\":").append(e.bytesOutCount());
    sb.append('}');
    log.info(sb.toString());
  }

  private static String path(OpenExchanges.Open e) {
    Admission.Admitted a = e.admittedAs();
    if (a != null && a.path() != null) {
      return a.path().pathOnly();
    }
    String target = e.target();
    int q = target == null ? -1 : target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  private static void field(StringBuilder sb, String name, String value) {
    sb.append(",\"").append(name).append("\":");
    if (value == null) {
      sb.append("null");
    } else {
      sb.append('"').append(HttpRefusals.escape(value)).append('"');
    }
  }
}
