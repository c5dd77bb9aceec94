package io.gatehouse.node.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Keeps every log line of the test JVM (message, arguments formatted, and any stack trace), so a
 * test can prove that no secret was ever logged. Configured on ROOT in logback-test.xml.
 */
public final class LogRecorder extends AppenderBase<ILoggingEvent> {
  private static final int MAX_LINES = 500_000;
  private static final ConcurrentLinkedDeque<String> LINES = new ConcurrentLinkedDeque<>();

  @Override
  protected void append(ILoggingEvent event) {
    StringBuilder sb = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      sb.append('\n').append(t.getClassName()).append(": ").append(t.getMessage());
      for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
        sb.append("\n  ").append(frame.getSTEAsString());
      }
    }
    LINES.add(sb.toString());
    if (LINES.size() > MAX_LINES) {
      LINES.pollFirst();
    }
  }

  public static List<String> lines() {
    return new ArrayList<>(LINES);
  }
}
