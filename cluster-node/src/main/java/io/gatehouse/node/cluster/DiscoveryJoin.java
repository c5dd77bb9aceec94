package io.gatehouse.node.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a cluster found through contact points instead of a fixed list of seed nodes: the
 * contact points (Pekko Management endpoints) come from configuration, or from the addresses a
 * DNS name resolves to (a Kubernetes headless service). It follows Pekko Cluster Bootstrap's
 * rules, which this stands in for because its discovery module is not available for Pekko 1.7
 * where this is built:
 *
 * <ul>
 *   <li>if any contact point belongs to a cluster, join that cluster;
 *   <li>else, once at least {@code required} contact points answer, all of them outside any
 *       cluster, and that set has not changed for {@code stableMargin}, the contact point with the
 *       lowest address forms a new cluster and the others wait to join it.
 * </ul>
 */
public final class DiscoveryJoin {
  private static final Logger log = LoggerFactory.getLogger(DiscoveryJoin.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How to find the contact points: a fixed list, or a DNS name with every node's management port. */
  public record Settings(String method, List<String> contactPoints, String dnsName, int managementPort,
      int required, Duration stableMargin, String selfContactPoint) {}

  private final Cluster cluster;
  private final Settings settings;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final ScheduledExecutorService timer;
  private Set<String> lastSeen = Set.of();
  private long stableSince;
  private volatile boolean done;

  public DiscoveryJoin(Cluster cluster, Settings settings, ScheduledExecutorService timer) {
    this.cluster = cluster;
    this.settings = settings;
    this.timer = timer;
  }

  public void start() {
    log.info("looking for the cluster through {} contact points ({} required)", settings.method(), settings.required());
    timer.schedule(this::round, 0, TimeUnit.MILLISECONDS);
  }

  private void round() {
    if (done || isMember()) {
      timer.shutdown();
      return;
    }
    try {
      List<String> points = contactPoints();
      List<CompletableFuture<Probe>> probes = points.stream().map(this::probe).toList();
      List<Probe> answers = new ArrayList<>();
      for (CompletableFuture<Probe> p : probes) {
        Probe answer = p.get(3, TimeUnit.SECONDS);
        if (answer != null) {
          answers.add(answer);
        }
      }
      for (Probe p : answers) {
        if (!p.upMembers().isEmpty()) {
          log.info("joining the cluster of {}: {}", p.contactPoint(), p.upMembers());
          cluster.manager().tell(new JoinSeedNodes(p.upMembers().stream()
              .map(AddressFromURIString::parse).map(Address.class::cast).toList()));
          done = true;
          timer.shutdown();
          return;
        }
      }
      Set<String> seen = new TreeSet<>();
      answers.forEach(p -> seen.add(p.contactPoint()));
      long now = System.nanoTime();
      if (!seen.equals(lastSeen)) {
        lastSeen = seen;
        stableSince = now;
      } else if (seen.size() >= settings.required() && now - stableSince >= settings.stableMargin().toNanos()
          && seen.iterator().next().equals(settings.selfContactPoint())) {
        log.info("no cluster among {}; this node has the lowest contact point and forms it", seen);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        done = true;
        timer.shutdown();
        return;
      }
    } catch (Exception e) {
      log.debug("discovery round failed: {}", e.toString());
    }
    timer.schedule(this::round, 1, TimeUnit.SECONDS);
  }

  private boolean isMember() {
    String status = cluster.selfMember().status().toString();
    return status.equals("Up") || status.equals("Joining") || status.equals("WeaklyUp");
  }

  List<String> contactPoints() throws UnknownHostException {
    if (settings.method().equals("dns")) {
      List<String> out = new ArrayList<>();
      for (InetAddress a : InetAddress.getAllByName(settings.dnsName())) {
        out.add(a.getHostAddress() + ":" + settings.managementPort());
      }
      return out;
    }
    return settings.contactPoints();
  }

  /** A contact point's answer: the Up members of the cluster it belongs to (none if it belongs to none). */
  record Probe(String contactPoint, List<String> upMembers) {}

  private CompletableFuture<Probe> probe(String contactPoint) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + contactPoint + "/cluster/members"))
        .timeout(Duration.ofSeconds(2)).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, failure) -> {
      if (failure != null || r.statusCode() != 200) {
        return null;
      }
      try {
        List<String> up = new ArrayList<>();
        for (JsonNode m : JSON.readTree(r.body()).path("members")) {
          if (m.path("status").asText().equals("Up")) {
            up.add(m.path("node").asText());
          }
        }
        return new Probe(contactPoint, up);
      } catch (java.io.IOException e) {
        return null;
      }
    });
  }
}
