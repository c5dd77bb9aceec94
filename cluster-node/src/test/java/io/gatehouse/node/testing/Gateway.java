package io.gatehouse.node.testing;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.gatehouse.node.GatehouseNode;
import io.gatehouse.node.probe.ProbeServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node with its data plane, probe upstreams, and the admin calls a test needs to set up
 * principals, tokens, routes and registrations. Everything over real sockets.
 */
public final class Gateway implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NAMES = new AtomicInteger();

  public final GatehouseNode node;
  public final AdminClient admin;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final List<ProbeServer> probes = new ArrayList<>();

  public Gateway(Config store) {
    this(store, Clock.systemUTC());
  }

  public Gateway(Config store, Clock clock) {
    this.node = TestNodes.start(store, System.out, clock);
    this.admin = new AdminClient(node.adminPort(), TestNodes.ADMIN_TOKEN);
  }

  public static String unique(String prefix) {
    return prefix + "-" + NAMES.incrementAndGet();
  }

  public String base() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  // ---- set-up through the admin API ---------------------------------------------------------

  public String group() {
    String g = unique("team");
    expect(201, admin.post("/api/v1/groups", json("{'name':'%s'}", g)));
    return g;
  }

  public String user(String... groups) {
    String u = unique("user");
    String list = String.join(",", java.util.Arrays.stream(groups).map(g -> "'" + g + "'").toList());
    expect(201, admin.post("/api/v1/users", json("{'name':'%s','groups':[%s]}", u, list)));
    return u;
  }

  public String serviceAccount() {
    String sa = unique("partner");
    expect(201, admin.post("/api/v1/service-accounts", json("{'name':'%s'}", sa)));
    return sa;
  }

  public String project(List<String> groups, List<String> serviceAccounts) {
    String p = unique("proj");
    expect(201, admin.post("/api/v1/projects", json("{'name':'%s','groups':%s,'serviceAccounts':%s}", p,
        quoted(groups), quoted(serviceAccounts))));
    return p;
  }

  /** A token for a user; {@code extra} is appended to the request body (e.g. a routes scope). */
  public Token token(String type, String name, String extra) {
    AdminClient.Reply r = admin.post("/api/v1/tokens", json(
        "{'label':'%s','expiresInDays':30,'principal':{'type':'%s','name':'%s'}%s}", unique("t"), type, name, extra));
    expect(201, r);
    return new Token(r.json().path("id").asText(), r.json().path("token").asText());
  }

  public Token userToken(String user) {
    return token("user", user, "");
  }

  public record Token(String id, String secret) {}

  /** Creates a static route; {@code fields} are JSON members after name and match. */
  public String route(String fields) {
    String name = unique("route");
    expect(201, admin.post("/api/v1/routes", json("{'name':'%s','match':{'pathPrefix':'/%s'}%s}", name, name,
        fields.isEmpty() ? "" : "," + fields)));
    return name;
  }

  public ProbeServer probe(String id) {
    try {
      ProbeServer p = ProbeServer.start("127.0.0.1", 0, id);
      probes.add(p);
      return p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Registers an upstream with a long lease for a static route; returns the instance id. */
  public String register(String route, int port, String project) {
    AdminClient.Reply r = admin.post("/api/v1/registrations", json("{'deployment':'dep-%s','project':'%s',"
        + "'route':'%s','address':'127.0.0.1:%d','namespace':'test','leaseSeconds':3600}", route, project, route, port));
    expect(201, r);
    return r.json().path("instanceId").asText();
  }

  /** Waits until the route has {@code n} healthy instances on this node. */
  public void awaitHealthy(String route, int n) {
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      JsonNode items = admin.get("/api/v1/routes/" + route + "/instances").json().path("items");
      int healthy = 0;
      for (JsonNode i : items) {
        healthy += i.path("healthy").asBoolean() ? 1 : 0;
      }
      assertThat(healthy).isEqualTo(n);
    });
  }

  // ---- the data plane -----------------------------------------------------------------------

  public HttpResponse<String> get(String path, String token, String... headers) {
    return send("GET", path, token, null, headers);
  }

  public HttpResponse<String> send(String method, String path, String token, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpClient http() {
    return http;
  }

  public static JsonNode body(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  /** The probe instance that answered (from its JSON body). */
  public static String answeredBy(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return body(r).path("instance").asText();
  }

  private static String quoted(List<String> names) {
    return "[" + String.join(",", names.stream().map(n -> "'" + n + "'").toList()) + "]";
  }

  private static void expect(int status, AdminClient.Reply r) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
  }

  @Override
  public void close() {
    probes.forEach(ProbeServer::close);
    node.close();
  }
}
