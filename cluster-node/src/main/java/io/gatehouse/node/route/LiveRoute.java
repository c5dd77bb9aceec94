package io.gatehouse.node.route;

import io.gatehouse.node.affinity.Affinity;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A route as the data plane reads it: its definition, and its instances indexed for the per-request
 * choice. Immutable; the route table swaps in a new one when the route's entity publishes.
 */
public final class LiveRoute {
  /** An instance of the route, with what connecting to it needs. */
  public record Target(String id, String host, int port, String address, boolean healthy) {}

  private final RouteDefinition definition;
  private final RouteView view;
  private final Map<String, Target> byId;
  private final Target[] healthy;
  private final Set<String> allowedGroups;
  private final Set<String> allowedServiceAccounts;
  private final Affinity affinity;

  LiveRoute(RouteView view) {
    this.view = view;
    this.definition = view.definition();
    Map<String, Target> ids = new HashMap<>();
    List<Target> up = new ArrayList<>();
    for (RouteView.InstanceView i : view.instances()) {
      int colon = i.address().lastIndexOf(':');
      String host = i.address().substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      Target t = new Target(i.id(), host, Integer.parseInt(i.address().substring(colon + 1)), i.address(), i.healthy());
      ids.put(i.id(), t);
      if (i.healthy()) {
        up.add(t);
      }
    }
    this.byId = Map.copyOf(ids);
    this.healthy = up.toArray(new Target[0]);
    this.allowedGroups = Set.copyOf(new HashSet<>(definition.access().groups()));
    this.allowedServiceAccounts = Set.copyOf(new HashSet<>(definition.access().serviceAccounts()));
    this.affinity = Affinity.parse(definition.upstream().affinity());
  }

  public Affinity affinity() {
    return affinity;
  }

  public String name() {
    return definition.name();
  }

  public RouteDefinition definition() {
    return definition;
  }

  public RouteView view() {
    return view;
  }

  public long version() {
    return view.version();
  }

  /** The instance with this id if it is in rotation, else null. */
  public Target healthyTarget(String id) {
    Target t = byId.get(id);
    return t != null && t.healthy() ? t : null;
  }

  public Target target(String id) {
    return byId.get(id);
  }

  /** The instances in rotation; do not modify. */
  public Target[] healthyTargets() {
    return healthy;
  }

  public Set<String> allowedGroups() {
    return allowedGroups;
  }

  public Set<String> allowedServiceAccounts() {
    return allowedServiceAccounts;
  }
}
