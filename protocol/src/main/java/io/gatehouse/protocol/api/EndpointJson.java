package io.gatehouse.protocol.api;

import java.util.List;

/** Answers of the Endpoints section of API.md (the Model Endpoints dashboard). */
public final class EndpointJson {
  private EndpointJson() {}

  /**
   * One route as the dashboard lists it. {@code status}: up (all instances healthy), degraded
   * (some), down (none). Request figures cover the query's window; latencies are null without
   * requests. Bytes in are what consumers sent (request bodies; for a tcp route, the bytes to the
   * instance), bytes out what they received.
   */
  public record Endpoint(String route, String kind, String url, String status, int healthyInstances, int instances,
      long uptimeSeconds, long totalRequests, double avgRequestsPerMinute, Double avgLatencyMs, Double p95LatencyMs,
      double errorRate, String protocol, long bytesIn, long bytesOut) {}

  /**
   * Request volume over time for one token: points are {@code [time, count]}; the bytes are the
   * window's totals of the token on the route.
   */
  public record Series(String tokenId, String label, List<List<Object>> points, long requests, long bytesIn,
      long bytesOut) {}

  public record Requests(String route, String from, String to, int stepSeconds, List<Series> series) {}

  /** Latency over time: points are {@code [time, requests, avgMs, p95Ms]} (nulls without requests). */
  public record Latency(String route, String from, String to, int stepSeconds, List<List<Object>> points) {}
}
