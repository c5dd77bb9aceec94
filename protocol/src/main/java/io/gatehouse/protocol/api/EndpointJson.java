package io.gatehouse.protocol.api;

import java.util.List;

/** Answers of the Endpoints section of API.md (the Model Endpoints dashboard). */
public final class EndpointJson {
  private EndpointJson() {}

  /**
   * One route as the dashboard lists it. {@code status}: up (all instances healthy), degraded
   * (some), down (none). Request figures cover the query's window; latencies are null without
   * requests.
   */
  public record Endpoint(String route, String kind, String url, String status, int healthyInstances, int instances,
      long uptimeSeconds, long totalRequests, double avgRequestsPerMinute, Double avgLatencyMs, Double p95LatencyMs,
      double errorRate) {}

  /** Request volume over time for one token: points are {@code [time, count]}. */
  public record Series(String tokenId, String label, List<List<Object>> points) {}

  public record Requests(String route, String from, String to, int stepSeconds, List<Series> series) {}

  /** Latency over time: points are {@code [time, requests, avgMs, p95Ms]} (nulls without requests). */
  public record Latency(String route, String from, String to, int stepSeconds, List<List<Object>> points) {}
}
