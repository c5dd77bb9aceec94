package io.gatehouse.persistence.route;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** Checks one instance's health path; the node supplies an HTTP client for it. */
@FunctionalInterface
public interface HealthProber {
  /** Completes with the outcome; never fails (a failure is an unhealthy outcome). */
  CompletionStage<Outcome> probe(String address, String path, Duration timeout);

  record Outcome(boolean healthy, String detail) {}
}
