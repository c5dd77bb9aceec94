package io.gatehouse.node.connectivity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.node.cluster.Routers;
import io.gatehouse.node.directory.DirectoryService;
import io.gatehouse.node.probe.ProbeServer;
import io.gatehouse.node.route.RouteService;
import io.gatehouse.node.token.TokenService;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.audit.AuditLog;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.token.RevocationReason;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.PrincipalType;
import io.gatehouse.protocol.Rejection;
import io.gatehouse.protocol.api.RouteRequests;
import io.gatehouse.protocol.token.TokenId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code POST /routers/connectivity-test}: proves, end to end, that this cluster can route to a
 * new deployment. The node starts a probe backend, gives it a service account, a project and a
 * token that lives minutes, registers it on an ephemeral route, sends a request to it through its
 * own data plane and through every other node's (each must answer from the probe), and removes
 * everything it made, also when a step failed. One test at a time per node; the outcome is
 * announced in {@code GET /routers} ({@code lastTest}) and recorded in the audit log.
 */
public final class ConnectivityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STEP = Duration.ofSeconds(10);
  private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(5);
  private static final Set<Integer> NOT_YET = Set.of(401, 403, 404, 503);
  private static final Set<String> SERVING = Set.of("Joining", "WeaklyUp", "Up");

  /** What the test's parts need of the node. */
  public record Services(DirectoryService directory, TokenService tokens, RouteService routes, Routers routers,
      AuditLog audit, String namespace, String host, String node, Clock clock) {}

  /** One step: what was done, whether it worked, how long it took, and what was seen. */
  public record Step(String name, boolean ok, long millis, String detail) {}

  /** The answer: {@code ok} when every step passed. */
  public record Result(boolean ok, Instant time, String node, List<Step> steps) {}

  private final Services s;
  private final AtomicBoolean running = new AtomicBoolean();
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "gatehouse-connectivity-test");
    t.setDaemon(true);
    return t;
  });
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  public ConnectivityTest(Services services) {
    this.s = services;
  }

  /** Runs the test for {@code caller}; a second one while one runs on this node is a 409. */
  public CompletionStage<Result> run(PrincipalRef caller) {
    if (!running.compareAndSet(false, true)) {
      throw Rejection.conflict("a connectivity test is running on this node; try again when it has finished");
    }
    return CompletableFuture.supplyAsync(() -> new Run(caller).all(), thread)
        .whenComplete((r, failure) -> running.set(false));
  }

  /** One run: its names, what it made (for the clean-up), and its steps. */
  private final class Run {
    private final PrincipalRef caller;
    private final Actor actor;
    private final String name = "conntest-" + suffix();
    private final List<Step> steps = new ArrayList<>();
    private ProbeServer probe;
    private boolean madeAccount;
    private boolean madeProject;
    private TokenId tokenId;
    private String token;
    private String instanceId;

    Run(PrincipalRef caller) {
      this.caller = caller;
      this.actor = Actor.of(caller, s.node());
    }

    Result all() {
      Instant started = s.clock().instant();
      boolean ok = step("probe backend", this::startProbe)
          && step("service account and project", this::principal)
          && step("token", this::token)
          && step("ephemeral route", this::register)
          && throughEveryNode();
      cleanUp();
      Result result = new Result(ok && steps.stream().allMatch(Step::ok), started, s.node(), List.copyOf(steps));
      s.routers().tested(new Routers.LastTest(started, result.ok()));
      s.audit().record("connectivity-test|" + name, new ConnectivityTested(actor.at(started), name, result));
      return result;
    }

    private String startProbe() throws Exception {
      probe = ProbeServer.start(s.host(), 0, name);
      return "listening on " + s.host() + ":" + probe.port();
    }

    private String principal() {
      Name n = new Name(name);
      await(s.directory().change(r -> new DirectoryEntity.CreateServiceAccount(n,
          "made by the connectivity test of " + s.node() + "; removed when it ends", false, false, actor, r)));
      madeAccount = true;
      await(s.directory().change(r -> new DirectoryEntity.CreateProject(n, List.of(), List.of(n), actor, r)));
      madeProject = true;
      return "service account and project '" + name + "'";
    }

    private String token() {
      TokenService.Issued issued = await(s.tokens().issue(new PrincipalRef(PrincipalType.SERVICE_ACCOUNT, new Name(name)),
          "connectivity test", TOKEN_LIFETIME, List.of(name), null, caller, actor));
      tokenId = issued.record().id();
      token = issued.token();
      return tokenId.value() + ", for route '" + name + "' only, expires in " + TOKEN_LIFETIME.toMinutes() + " minutes";
    }

    private String register() {
      RouteService.Registration r = await(s.routes().register(new RouteRequests.Register(new Name(name), new Name(name),
          null, s.host() + ":" + probe.port(), RouteRequests.Protocol.HTTP, "/health", s.namespace(), 60, false),
          new RouteService.Registrar(caller, true, actor)));
      instanceId = r.instanceId();
      if (!r.healthy()) {
        throw new IllegalStateException("registered as " + r.instanceId() + " but its first health check failed");
      }
      return r.url() + " (instance " + r.instanceId() + ")";
    }

    /**
     * A request through every node that is up or joining (it may already take traffic behind a load
     * balancer), its own first; a node that is unreachable fails. Leaving and exiting nodes are not asked.
     */
    private boolean throughEveryNode() {
      boolean ok = true;
      List<Routers.Router> nodes = s.routers().list().stream()
          .filter(r -> SERVING.contains(r.status()))
          .sorted((a, b) -> Boolean.compare(b.self(), a.self()))
          .toList();
      for (Routers.Router node : nodes) {
        ok &= step("through " + node.address() + (node.self() ? " (this node)" : ""), () -> request(node));
      }
      return ok;
    }

    private String request(Routers.Router node) throws Exception {
      if (!node.reachable()) {
        throw new IllegalStateException("the cluster sees this node as unreachable");
      }
      long deadline = System.nanoTime() + STEP.toNanos();
      String dataPlane = node.nodeDataPlane();
      // A node that joined a moment ago may not have announced itself yet (every 2 s).
      while (dataPlane == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("this node has not said where its data plane listens (an older version?)");
        }
        Thread.sleep(100);
        dataPlane = s.routers().list().stream().filter(r -> r.address().equals(node.address()))
            .map(Routers.Router::nodeDataPlane).filter(java.util.Objects::nonNull).findFirst().orElse(null);
      }
      String url = dataPlane + "/deployments/" + name + "/connectivity-test";
      HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
          .header("Authorization", "Bearer " + token).GET().build();
      String last;
      while (true) {
        try {
          HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            String from = JSON.readTree(r.body()).path("instance").asText();
            if (!from.equals(name)) {
              throw new IllegalStateException("GET " + url + " answered 200, but not from the probe: " + abbreviated(r.body()));
            }
            return "GET " + url + ": 200 from the probe, through instance "
                + r.headers().firstValue("X-Gatehouse-Instance").orElse("?");
          }
          last = "GET " + url + " answered " + r.statusCode() + " " + errorOf(r.body());
          if (!NOT_YET.contains(r.statusCode())) {
            throw new IllegalStateException(last);
          }
        } catch (java.io.IOException e) {
          last = "GET " + url + ": " + describe(e);
        }
        // The route and the token reach other nodes through the journal: a moment's 404 or 401 is not a failure yet.
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(last + " (for " + STEP.toSeconds() + " s)");
        }
        Thread.sleep(100);
      }
    }

    /** Removes what the run made, in reverse order; each part is tried even when another fails. */
    private void cleanUp() {
      List<String> failed = new ArrayList<>();
      long t0 = System.nanoTime();
      if (instanceId != null) {
        attempt(failed, "deregister " + instanceId, () -> await(s.routes().deregister(instanceId,
            new RouteService.Registrar(caller, true, actor))));
      }
      if (tokenId != null) {
        attempt(failed, "revoke " + tokenId.value(), () -> await(s.tokens().revoke(tokenId, caller,
            RevocationReason.REVOKED, actor)));
      }
      Name n = new Name(name);
      if (madeProject) {
        attempt(failed, "delete project", () -> await(s.directory().change(r -> new DirectoryEntity.DeleteProject(n,
            actor, r))));
      }
      if (madeAccount) {
        attempt(failed, "delete service account", () -> await(s.directory().change(r ->
            new DirectoryEntity.DeleteServiceAccount(n, actor, r))));
      }
      if (probe != null) {
        attempt(failed, "stop probe", () -> {
          probe.close();
          return null;
        });
      }
      steps.add(new Step("clean up", failed.isEmpty(), millisSince(t0), failed.isEmpty()
          ? "removed the registration, the token, the project and the service account; stopped the probe"
          : "could not: " + String.join("; ", failed)));
    }

    private boolean step(String stepName, Work work) {
      long t0 = System.nanoTime();
      try {
        String detail = work.run();
        steps.add(new Step(stepName, true, millisSince(t0), detail));
        return true;
      } catch (Exception e) {
        steps.add(new Step(stepName, false, millisSince(t0), describe(e)));
        return false;
      }
    }
  }

  @FunctionalInterface
  private interface Work {
    String run() throws Exception;
  }

  private static void attempt(List<String> failed, String what, java.util.concurrent.Callable<?> work) {
    try {
      work.call();
    } catch (Exception e) {
      failed.add(what + ": " + describe(e));
    }
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(STEP.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(describe(e.getCause()), e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("no answer within " + STEP.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  private static long millisSince(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static String describe(Throwable e) {
    if (e instanceof Rejection r) {
      return r.code().code() + ": " + r.getMessage();
    }
    if (e instanceof java.net.ConnectException) {
      return "connection refused";
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private static String errorOf(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      return n.path("error").asText("") + (n.has("message") ? " (" + n.path("message").asText() + ")" : "");
    } catch (Exception e) {
      return abbreviated(body);
    }
  }

  private static String abbreviated(String body) {
    return body.length() > 200 ? body.substring(0, 200) + "..." : body;
  }

  private static String suffix() {
    String chars = "abcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sb.append(chars.charAt(ThreadLocalRandom.current().nextInt(chars.length())));
    }
    return sb.toString();
  }
}
