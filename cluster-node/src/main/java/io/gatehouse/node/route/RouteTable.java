package io.gatehouse.node.route;

import io.gatehouse.persistence.route.RouteView;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's copy of every route, read by the event loops without locks and without asking any
 * actor. Updates (from the route entities' publications) replace one route and swap in a new
 * immutable resolution snapshot; they only ever move a route forward by version.
 */
public final class RouteTable {
  private final AtomicReference<Snapshot> current = new AtomicReference<>(new Snapshot(Map.of(), Map.of(), Map.of(), 0));
  private final String baseDomain;
  private volatile java.util.function.Consumer<String> accessChanged = name -> {};

  /** A route found for a request, and the path segments left after its prefix. */
  public record Resolution(LiveRoute route, int prefixSegments) {}

  private record Snapshot(Map<String, LiveRoute> byName, Map<String, LiveRoute> byPrefix,
      Map<String, LiveRoute> bySubdomain, int maxPrefixSegments) {}

  public RouteTable(String baseDomain) {
    this.baseDomain = baseDomain == null || baseDomain.isBlank() ? null : baseDomain.toLowerCase();
  }

  /**
   * Who hears of every route whose access rules changed (definition changed, or the route went):
   * the open exchanges, which recheck theirs on it. Called under this table's lock; must not block.
   */
  public void onAccessChange(java.util.function.Consumer<String> listener) {
    this.accessChanged = listener;
  }

  public String baseDomain() {
    return baseDomain;
  }

  public LiveRoute get(String name) {
    return current.get().byName().get(name);
  }

  public Collection<LiveRoute> all() {
    return current.get().byName().values();
  }

  public long version(String name) {
    LiveRoute r = get(name);
    return r == null ? 0 : r.version();
  }

  /** Takes a route's newer view; a view without definition removes the route. */
  public synchronized void apply(RouteView view) {
    Snapshot s = current.get();
    LiveRoute existing = s.byName().get(view.name());
    if (existing != null && existing.version() >= view.version()) {
      return;
    }
    Map<String, LiveRoute> byName = new HashMap<>(s.byName());
    if (view.definition() == null) {
      byName.remove(view.name());
    } else {
      byName.put(view.name(), new LiveRoute(view));
    }
    current.set(index(byName));
    if (existing != null && !existing.definition().equals(view.definition())) {
      accessChanged.accept(view.name());
    }
  }

  /** Drops routes the route index no longer has (their deletion message may have been lost). */
  public synchronized void retain(Collection<String> names) {
    Snapshot s = current.get();
    if (names.containsAll(s.byName().keySet())) {
      return;
    }
    Map<String, LiveRoute> byName = new HashMap<>(s.byName());
    byName.keySet().retainAll(names);
    current.set(index(byName));
    s.byName().keySet().stream().filter(n -> !names.contains(n)).forEach(accessChanged);
  }

  private static Snapshot index(Map<String, LiveRoute> byName) {
    Map<String, LiveRoute> byPrefix = new HashMap<>();
    Map<String, LiveRoute> bySubdomain = new HashMap<>();
    int max = 0;
    for (LiveRoute r : byName.values()) {
      String prefix = r.definition().match().pathPrefix();
      if (prefix != null) {
        byPrefix.put(prefix, r);
        max = Math.max(max, (int) prefix.chars().filter(c -> c == '/').count());
      }
      if (r.definition().match().subdomain() != null) {
        bySubdomain.put(r.definition().match().subdomain(), r);
      }
    }
    return new Snapshot(Map.copyOf(byName), Map.copyOf(byPrefix), Map.copyOf(bySubdomain), max);
  }

  /**
   * The route for a request: by subdomain of the base domain when the host is one, else by the
   * longest path prefix on whole segments ({@code /llm} never matches {@code /llmx}).
   *
   * @param host the Host header without port, lower case, or null
   * @param segments the decoded, normalised path segments
   */
  public Resolution resolve(String host, String[] segments) {
    Snapshot s = current.get();
    if (host != null && baseDomain != null && host.length() > baseDomain.length() + 1
        && host.endsWith(baseDomain) && host.charAt(host.length() - baseDomain.length() - 1) == '.') {
      String label = host.substring(0, host.length() - baseDomain.length() - 1);
      LiveRoute r = s.bySubdomain().get(label);
      if (r != null) {
        return new Resolution(r, 0);
      }
    }
    StringBuilder prefix = new StringBuilder();
    int depth = Math.min(segments.length, s.maxPrefixSegments());
    String[] candidates = new String[depth];
    for (int i = 0; i < depth; i++) {
      prefix.append('/').append(segments[i]);
      candidates[i] = prefix.toString();
    }
    for (int i = depth - 1; i >= 0; i--) {
      LiveRoute r = s.byPrefix().get(candidates[i]);
      if (r != null) {
        return new Resolution(r, i + 1);
      }
    }
    return null;
  }
}
