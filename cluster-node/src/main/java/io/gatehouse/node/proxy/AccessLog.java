package io.gatehouse.node.proxy;

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

  void log(Exchange x, int status, long nanos) {
    StringBuilder sb = new StringBuilder(320);
    sb.append("{\"time\":\"").append(Instant.now()).append('"');
    field(sb, "requestId", x.requestId);
    field(sb, "method", x.method);
    field(sb, "path", x.logPath());
    field(sb, "tokenId", x.tokenId);
    field(sb, "principal", x.principal);
    field(sb, "route", x.route == null ? null : x.route.name());
    field(sb, "instance", x.target == null ? null : x.target.id());
    sb.append(",\"status\":").append(status);
    long micros = nanos / 1000;
    long fraction = micros % 1000;
    sb.append(",\"latencyMs\":").append(micros / 1000).append('.')
        .append(fraction < 100 ? (fraction < 10 ? "00" : "0") : "").append(fraction);
    sb.append(",\"bytesIn\":").append(x.bytesIn);
    sb.append(",\"bytesOut\":").append(x.bytesOut);
    sb.append('}');
    log.info(sb.toString());
  }

  private static void field(StringBuilder sb, String name, String value) {
    sb.append(",\"").append(name).append("\":");
    if (value == null) {
      sb.append("null");
    } else {
      sb.append('"').append(ProxyErrors.escape(value)).append('"');
    }
  }
}
