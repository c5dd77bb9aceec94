package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
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

  /**
   * What one line says.
   *
   * @param target the request target as sent (its path is logged, normalised once admitted; never the query)
   * @param admitted null for a request refused before its route was known (a tcp connection's has no path)
   */
  record Entry(String requestId, String method, String target, Admission.Admitted admitted, String instance,
      int status, long nanos, long bytesIn, long bytesOut) {
    String path() {
      if (admitted != null && admitted.path() != null) {
        return admitted.path().pathOnly();
      }
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }
  }

  private final boolean enabled;

  AccessLog(boolean enabled) {
    this.enabled = enabled && log.isInfoEnabled();
  }

  boolean enabled() {
    return enabled;
  }

  void log(Entry e) {
    StringBuilder sb = new StringBuilder(320);
    sb.append("{\"time\":\"").append(Instant.now()).append('"');
    field(sb, "requestId", e.requestId());
    field(sb, "method", e.method());
    field(sb, "path", e.path());
    field(sb, "tokenId", e.admitted() == null ? null : e.admitted().token().tokenId().value());
    field(sb, "principal", e.admitted() == null ? null : e.admitted().token().principal().display());
    field(sb, "route", e.admitted() == null ? null : e.admitted().route().name());
    field(sb, "instance", e.instance());
    sb.append(",\"status\":").append(e.status());
    long micros = e.nanos() / 1000;
    long fraction = micros % 1000;
    sb.append(",\"latencyMs\":").append(micros / 1000).append('.')
        .append(fraction < 100 ? (fraction < 10 ? "00" : "0") : "").append(fraction);
    sb.append(",\"bytesIn\":").append(e.bytesIn());
    sb.append(",\"bytesOut\":").append(e.bytesOut());
    sb.append('}');
    log.info(sb.toString());
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
