package io.gatehouse.persistence.route;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Keeps one route's entry in the {@link RouteIndexEntity} in line with its entity: claimed while
 * the route is defined, released when it is not. One operation at a time; a change while one runs
 * makes it run again when it ends, so a route deleted and created again in quick succession ends
 * up claimed.
 */
final class ClaimSync {
  private final RouteEntity.RouteClaims claims;
  private boolean running;
  private boolean again;

  ClaimSync(RouteEntity.RouteClaims claims) {
    this.claims = claims;
  }

  /**
   * The operation that brings the index in line with {@code definition} (null: not defined), or
   * null when one is running already (it will run again).
   */
  CompletionStage<Done> start(String route, RouteDefinition definition) {
    if (running) {
      again = true;
      return null;
    }
    running = true;
    again = false;
    return definition != null ? claims.claim(definition) : claims.release(route);
  }

  /** The running operation ended; answers whether it must run again for a change meanwhile. */
  boolean ended() {
    running = false;
    return again;
  }
}
