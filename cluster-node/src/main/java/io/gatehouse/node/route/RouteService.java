package io.gatehouse.node.route;

import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.upstream.AddressPolicy;
import java.util.concurrent.Executor;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.route.HealthProber;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteEntity;
import io.gatehouse.persistence.route.RouteIndexEntity;
import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.RouteRequests;
import io.gatehouse.protocol.token.Base62;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Creates, changes and deletes routes, and registers instances, for the admin API. A route's name
 * and match are claimed in the route index before its entity defines it, so two routes can never
 * answer the same requests. A registration checks the instance's health once before it goes to
 * the route's entity, so its answer says whether the instance is in rotation. Every answer is
 * offered to this node's route table first, so the next request through this node already sees
 * the change.
 */
public final class RouteService {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ClusterSharding sharding;
  private final RouteTable table;
  private final DirectoryView directory;
  private final HealthProber prober;
  private final Duration askTimeout;
  private final String namespace;
  private final String publicUrl;
  private final AddressPolicy addresses;
  private final Executor blocking;

  /**
   * @param addresses where instances may be (a registration's address is checked, a name resolved)
   * @param blocking where name lookups for that run
   */
  public RouteService(ClusterSharding sharding, RouteTable table, DirectoryView directory, HealthProber prober,
      Duration askTimeout, String namespace, String publicUrl, AddressPolicy addresses, Executor blocking) {
    this.addresses = addresses;
    this.blocking = blocking;
    this.sharding = sharding;
    this.table = table;
    this.directory = directory;
    this.prober = prober;
    this.askTimeout = askTimeout;
    this.namespace = namespace;
    this.publicUrl = publicUrl;
  }

  public RouteTable table() {
    return table;
  }

  /** A registered instance: its id, its lease, the URL its route answers on, and whether it is in rotation. */
  public record Registration(String instanceId, int leaseSeconds, String url, boolean healthy) {}

  /**
   * Who registers: an admin (anything), or a service account with {@code canRegister}, which
   * registers only into projects that list it, onto static routes whose
   * {@code registrationProjects} name the project, and renews and removes only its own instances.
   */
  public record Registrar(PrincipalRef principal, boolean admin, Actor actor) {}

  // ---- routes ------------------------------------------------------------------------------

  public CompletionStage<RouteView> create(RouteRequests.RouteBody body, Actor actor) {
    if (body.name() == null) {
      throw Rejection.invalid("name", "is required");
    }
    RouteDefinition def = definition(body.name().value(), body);
    return claim(def, false)
        .thenCompose(done -> RouteEntity.ref(sharding, def.name())
            .<RouteView>askWithStatus(r -> new RouteEntity.Define(def, actor, r), askTimeout))
        .thenApply(this::show);
  }

  public CompletionStage<RouteView> update(Name name, RouteRequests.RouteBody body, Actor actor) {
    if (body.name() != null && !body.name().equals(name)) {
      throw Rejection.invalid("name", "cannot change; a route is renamed by creating the new one and deleting the old");
    }
    LiveRoute existing = table.get(name.value());
    if (existing != null && !existing.definition().isStatic()) {
      throw Rejection.conflict("route '" + name + "' is ephemeral: it follows its deployment and cannot be edited");
    }
    RouteDefinition def = definition(name.value(), body);
    return claim(def, true)
        .thenCompose(done -> RouteEntity.ref(sharding, def.name())
            .<RouteView>askWithStatus(r -> new RouteEntity.Update(def, actor, r), askTimeout))
        .thenApply(this::show);
  }

  /** Deletes the route; its instances lose their leases and new requests get 404 at once. */
  public CompletionStage<Done> delete(Name name, Actor actor) {
    return RouteEntity.ref(sharding, name.value())
        .<RouteView>askWithStatus(r -> new RouteEntity.Delete(actor, r), askTimeout)
        .thenCompose(gone -> {
          table.apply(gone);
          return RouteIndexEntity.ref(sharding)
              .<Done>askWithStatus(r -> new RouteIndexEntity.Release(name.value(), r), askTimeout);
        });
  }

  private RouteDefinition definition(String name, RouteRequests.RouteBody body) {
    DirectoryState state = directory.current();
    for (int i = 0; i < body.allowedGroups().size(); i++) {
      if (!state.groups().containsKey(body.allowedGroups().get(i).value())) {
        throw Rejection.invalid("allowedGroups", "group '" + body.allowedGroups().get(i) + "' does not exist");
      }
    }
    for (Name sa : body.allowedServiceAccounts()) {
      if (!state.serviceAccounts().containsKey(sa.value())) {
        throw Rejection.invalid("allowedServiceAccounts", "service account '" + sa + "' does not exist");
      }
    }
    boolean tcp = body.protocol() == RouteRequests.Protocol.TCP;
    if (!tcp && body.match().subdomain() != null && table.baseDomain() == null) {
      throw Rejection.invalid("match.subdomain",
          "subdomain routes need a base domain; start the nodes with GATEHOUSE_BASE_DOMAIN");
    }
    for (Name p : body.registrationProjects()) {
      if (!state.projects().containsKey(p.value())) {
        throw Rejection.invalid("registrationProjects", "project '" + p + "' does not exist");
      }
    }
    Instant now = Instant.now();
    RouteDefinition.Builder b = RouteDefinition.builder(name)
        .groups(body.allowedGroups().stream().map(Name::value).toList())
        .serviceAccounts(body.allowedServiceAccounts().stream().map(Name::value).toList())
        .registrationProjects(body.registrationProjects().stream().map(Name::value).toList())
        .affinity(body.affinity())
        .health(body.healthCheck().path(), body.healthCheck().intervalSeconds())
        .timeouts(body.timeouts().connectSeconds(), body.timeouts().idleSeconds())
        .enabled(body.enabled())
        .times(now, now);
    if (tcp) {
      return b.tcp().build();
    }
    return b.match(new RouteDefinition.Match(body.match().pathPrefix(), body.match().subdomain()))
        .stripPrefix(body.stripPrefix()).maxRequestBodyBytes(body.maxRequestBodyBytes()).browser(body.browser())
        .upstreamProtocol(body.upstreamProtocol()).build();
  }

  private CompletionStage<Done> claim(RouteDefinition def, boolean replace) {
    RouteIndexEntity.Claim claim = RouteIndexEntity.Claim.of(def);
    return RouteIndexEntity.ref(sharding)
        .askWithStatus(r -> new RouteIndexEntity.ClaimMatch(claim, replace, r), askTimeout);
  }

  private RouteView show(RouteView view) {
    table.apply(view);
    return view;
  }

  // ---- registrations -----------------------------------------------------------------------

  public CompletionStage<Registration> register(RouteRequests.Register body, Registrar registrar) {
    if (body.namespace() != null && !body.namespace().equals(namespace)) {
      throw Rejection.invalid("namespace", "this cluster serves namespace '" + namespace + "', not '"
          + body.namespace() + "'");
    }
    DirectoryState.Project project = directory.current().projects().get(body.project().value());
    if (project == null) {
      throw Rejection.invalid("project", "project '" + body.project() + "' does not exist");
    }
    if (!registrar.admin() && !project.serviceAccounts().contains(registrar.principal().name().value())) {
      throw Rejection.forbidden(registrar.principal().display() + " may not register into project '"
          + body.project() + "': the project does not list it");
    }
    return CompletableFuture.supplyAsync(() -> addresses.refusal(body.address()), blocking).thenCompose(refused -> {
      if (refused != null) {
        throw Rejection.invalid("address", refused);
      }
      return registerChecked(body, registrar);
    });
  }

  private CompletionStage<Registration> registerChecked(RouteRequests.Register body, Registrar registrar) {
    Actor actor = registrar.actor();
    String routeName = body.route() != null ? body.route() : body.deployment().value();
    RouteEntity.Instance instance = new RouteEntity.Instance(instanceId(routeName), body.address(),
        body.deployment().value(), body.project().value(), body.healthPath(), body.leaseSeconds(), Instant.now(),
        actor.who());
    RouteDefinition ephemeral = body.route() != null ? null
        : RouteDefinition.ephemeral(routeName, body.project().value(), body.browser(),
            body.protocol() == RouteRequests.Protocol.TCP, Instant.now());
    CompletionStage<Done> claimed = ephemeral == null
        ? CompletableFuture.completedFuture(Done.getInstance())
        : claim(ephemeral, false);
    return claimed
        .thenCompose(done -> firstCheck(routeName, instance, ephemeral, body.protocol()))
        .thenCompose(check -> RouteEntity.ref(sharding, routeName)
            .<RouteView>askWithStatus(r -> new RouteEntity.Register(instance, ephemeral, check, actor,
                registrar.admin(), r), askTimeout))
        .thenApply(view -> {
          show(view);
          boolean healthy = view.instances().stream().anyMatch(i -> i.id().equals(instance.id()) && i.healthy());
          return new Registration(instance.id(), instance.leaseSeconds(), url(view.definition()), healthy);
        });
  }

  /**
   * The instance's first health check, on the route's (or the instance's own) health path, with
   * the route's timeout: made here, before the registration is persisted, so that the answer says
   * whether the instance is in rotation and no caller waits on the route's entity for it.
   */
  private CompletionStage<HealthProber.Outcome> firstCheck(String route, RouteEntity.Instance instance,
      RouteDefinition ephemeral, RouteRequests.Protocol protocol) {
    if (ephemeral != null) {
      return check(instance, ephemeral, protocol);
    }
    LiveRoute live = table.get(route);
    if (live != null) {
      return check(instance, live.definition(), protocol);
    }
    // A route this node has not heard of yet (created on another node a moment ago): ask it.
    return RouteEntity.ref(sharding, route).<RouteView>ask(RouteEntity.GetView::new, askTimeout)
        .thenCompose(view -> view.exists() ? check(instance, view.definition(), protocol)
            : CompletableFuture.completedFuture(new HealthProber.Outcome(false, "no such route")));
  }

  private CompletionStage<HealthProber.Outcome> check(RouteEntity.Instance instance, RouteDefinition def,
      RouteRequests.Protocol protocol) {
    if (def.isTcp() != (protocol == RouteRequests.Protocol.TCP)) {
      throw Rejection.invalid("protocol", "route '" + def.name() + "' is a " + def.protocol().wire()
          + " route; register a " + def.protocol().wire() + " instance on it");
    }
    // A tcp or HTTP/2 instance has no health path: it is checked by connecting to it.
    String path = def.checkedByConnecting() ? null
        : instance.healthPath() != null ? instance.healthPath() : def.upstream().health().path();
    return prober.probe(instance.address(), path, def.checkTimeout());
  }

  /** Renews an instance's lease: its registrar's, or any for an admin (another's is not found). */
  public CompletionStage<Done> heartbeat(String instanceId, Registrar registrar) {
    return RouteEntity.ref(sharding, routeOf(instanceId)).askWithStatus(r ->
        new RouteEntity.Heartbeat(instanceId, registrar.actor().who(), registrar.admin(), r), askTimeout);
  }

  /** Removes an instance: its registrar's, or any for an admin (another's is not found). */
  public CompletionStage<Done> deregister(String instanceId, Registrar registrar) {
    return RouteEntity.ref(sharding, routeOf(instanceId))
        .<RouteView>askWithStatus(r -> new RouteEntity.Deregister(instanceId, registrar.actor(), registrar.admin(), r),
            askTimeout)
        .thenApply(view -> {
          show(view);
          return Done.getInstance();
        });
  }

  /** Instance ids are {@code <route>.<random>}: the route is found without any lookup. */
  static String routeOf(String instanceId) {
    int dot = instanceId.lastIndexOf('.');
    String route = dot > 0 ? instanceId.substring(0, dot) : "";
    if (!Name.isValid(route) || instanceId.length() - dot - 1 != 10) {
      throw Rejection.notFound("instance '" + instanceId + "' is not registered");
    }
    return route;
  }

  private static String instanceId(String route) {
    StringBuilder sb = new StringBuilder(route).append('.');
    for (int i = 0; i < 10; i++) {
      sb.append(Base62.ALPHABET.charAt(RANDOM.nextInt(62)));
    }
    return sb.toString();
  }

  /** The stable external URL of a route: for a tcp route, its tunnel's. */
  public String url(RouteDefinition def) {
    if (def.isTcp()) {
      return publicUrl.replaceFirst("^http", "ws") + "/_gatehouse/tunnel/" + def.name();
    }
    if (def.isStatic() && def.match().subdomain() != null) {
      return subdomainUrl(def.match().subdomain());
    }
    return publicUrl + def.match().pathPrefix() + "/";
  }

  private String subdomainUrl(String label) {
    int scheme = publicUrl.indexOf("://");
    String rest = publicUrl.substring(scheme + 3);
    int colon = rest.indexOf(':');
    String port = colon >= 0 ? rest.substring(colon) : "";
    return publicUrl.substring(0, scheme + 3) + label + "." + table.baseDomain() + port + "/";
  }
}
