package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.metrics.RequestObserver;

/**
 * What the data plane records of every finished exchange, whatever its door: the request metrics
 * (per route and token, so only for an exchange that was admitted to a route) and the access log
 * line (for every one, refusals included).
 */
final class ExchangeRecorder implements OpenExchanges.Recorder {
  private final RequestObserver metrics;
  private final AccessLog accessLog;

  ExchangeRecorder(RequestObserver metrics, AccessLog accessLog) {
    this.metrics = metrics;
    this.accessLog = accessLog;
  }

  @Override
  public void finished(OpenExchanges.Open x) {
    Admission.Admitted a = x.admittedAs();
    if (a != null && a.route() != null) {
      metrics.finished(a.route().name(), a.token().tokenId().value(), x.instanceId(), x.status(), x.nanos(),
          x.bytesInCount(), x.bytesOutCount());
    }
    if (accessLog.enabled()) {
      accessLog.log(x);
    }
  }
}
