package io.gatehouse.node.scale;

import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.affinity.SessionCache;
import io.gatehouse.node.testing.KeepAliveConnection;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.persistence.session.ConsumerSessionEntity;
import io.gatehouse.persistence.token.TokenRecord;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.protocol.PrincipalRef;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scale figures, run by {@code ops/bench/scale.sh} (not part of the test suite):
 *
 * <ul>
 *   <li>{@code memory}: bytes per cached token and per pinned consumer in a node's caches, with
 *       1,000,000 of each, measured in this JVM as live heap after full collections;
 *   <li>{@code node <data-port> <admin-port> <admin-token> <node-pid> <probe-port> <sessions>}: against
 *       a running node (its own process, so that each side has its own file-descriptor limit):
 *       the cost of consumer sessions, awake and passivated (session actors, the route's
 *       accounting, the pin cache; read with {@code jcmd GC.class_histogram}), 10,000 idle keep-alive
 *       connections that all answer again after idling, and 1,000 concurrent SSE streams.
 * </ul>
 *
 * Prints one line per figure, {@code figure: value}, and exits non-zero when a check fails.
 */
public final class ScaleFigures {
  private static final int IDLE_CONNECTIONS = Integer.getInteger("scale.idleConnections", 10_000);
  private static final int IDLE_SECONDS = Integer.getInteger("scale.idleSeconds", 20);
  private static final int PASSIVATION_WAIT_SECONDS = Integer.getInteger("scale.passivationWaitSeconds", 200);
  private static final int SSE_STREAMS = Integer.getInteger("scale.sseStreams", 1_000);
  private static final int SSE_EVENTS = 20;
  private static final int SSE_INTERVAL_MS = 250;

  private static int failures;

  public static void main(String[] args) throws Exception {
    switch (args.length == 0 ? "" : args[0]) {
      case "memory" -> {
        tokens(1_000_000);
        pins(1_000_000);
      }
      case "node" -> new NodeRun(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3], Long.parseLong(args[4]),
          Integer.parseInt(args[5])).run(Integer.parseInt(args[6]));
      default -> {
        System.err.println("usage: ScaleFigures memory | node <data-port> <admin-port> <admin-token> <node-pid> "
            + "<probe-port> <sessions>");
        System.exit(2);
      }
    }
    System.exit(failures == 0 ? 0 : 1);
  }

  // ---- in this JVM: the caches ---------------------------------------------------------------

  /** A million tokens of a thousand users in one node's token cache; validation still works. */
  static void tokens(int n) throws Exception {
    Clock clock = Clock.systemUTC();
    Instant now = clock.instant();
    Audit audit = new Audit("scale", now, "scale");
    DirectoryState state = DirectoryState.empty().apply(new DirectoryEntity.GroupCreated("ml", audit));
    int users = 1_000;
    for (int u = 0; u < users; u++) {
      state = state.apply(new DirectoryEntity.UserCreated("user-" + u, List.of("ml"), false, audit));
    }
    DirectoryView directory = new DirectoryView();
    directory.offer(state);
    TokenCache cache = new TokenCache(directory, null, clock, Duration.ofSeconds(3), Duration.ofSeconds(30),
        id -> false);
    List<String> sample = new ArrayList<>();
    long before = liveHeap();
    for (int i = 0; i < n; i++) {
      TokenSecrets.Generated g = TokenSecrets.generate();
      PrincipalRef p = PrincipalRef.user("user-" + (i % users));
      cache.offer(new TokenRecord(g.id(), "token " + i, g.secretHash(), p, state.principal(p).incarnation(),
          PrincipalRef.user("admin"), now, now.plus(Duration.ofDays(90)), null, Map.of("team", "ml"), null, 1));
      if (i % (n / 10) == 0) {
        sample.add(g.token());
      }
    }
    long after = liveHeap();
    for (String t : sample) {
      check(cache.validateCached(t) instanceof TokenValidation.Valid, "a cached token validates");
    }
    check(cache.size() == n, "the cache holds every token");
    report("cached tokens", n);
    report("bytes per cached token", (after - before) / (double) n);
  }

  /** A million consumers' pins in one node's session cache. */
  static void pins(int n) throws Exception {
    SessionCache cache = new SessionCache();
    String[] instances = {"inst-a", "inst-b", "inst-c", "inst-d"};
    long before = liveHeap();
    long now = System.currentTimeMillis();
    for (int i = 0; i < n; i++) {
      String consumer = TokenSecrets.generate().id().value();
      cache.put(ConsumerSessionEntity.entityId("llm", consumer), instances[i & 3], now);
    }
    long after = liveHeap();
    check(cache.size() == n, "the cache holds every pin");
    report("pinned consumers", n);
    report("bytes per pin in the node's session cache", (after - before) / (double) n);
  }

  private static long liveHeap() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  // ---- against a running node ----------------------------------------------------------------

  private record NodeRun(int dataPort, int adminPort, String adminToken, long nodePid, int probePort) {
    void run(int sessions) throws Exception {
      HttpClient http = HttpClient.newHttpClient();
      admin(http, "/groups", "{\"name\":\"scale\"}");
      admin(http, "/projects", "{\"name\":\"scale\",\"groups\":[\"scale\"]}");
      admin(http, "/users", "{\"name\":\"scale-user\",\"groups\":[\"scale\"]}");
      admin(http, "/routes", "{\"name\":\"scale\",\"match\":{\"pathPrefix\":\"/scale\"},\"allowedGroups\":[\"scale\"],"
          + "\"affinity\":\"header:X-Session-Id\"}");
      admin(http, "/registrations", "{\"deployment\":\"scale\",\"project\":\"scale\",\"route\":\"scale\","
          + "\"address\":\"127.0.0.1:" + probePort + "\",\"namespace\":\"default\",\"leaseSeconds\":3600}");
      String tokenJson = admin(http, "/tokens",
          "{\"label\":\"scale\",\"expiresInDays\":1,\"principal\":{\"type\":\"user\",\"name\":\"scale-user\"}}");
      Matcher m = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(tokenJson);
      check(m.find(), "a token was issued");
      String token = m.group(1);

      String parts = System.getProperty("scale.parts", "sessions,idle,sse");
      if (parts.contains("sessions")) {
        liveSessions(token, sessions);
      }
      if (parts.contains("idle")) {
        idleConnections(token);
      }
      if (parts.contains("sse")) {
        sseStreams(token);
      }
    }

    /** Consumer sessions as the whole node holds them: one new session per request. */
    void liveSessions(String token, int n) throws Exception {
      int warm = 2_000;
      sessionsFrom(token, "warm-", warm);
      Map<String, Long> histogramBefore = nodeHistogram();
      long before = histogramBefore.get("Total");
      long t0 = System.nanoTime();
      int errors = sessionsFrom(token, "s-", n);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long after = nodeLiveHeap();
      check(errors == 0, "every new consumer was answered 200 (" + errors + " were not)");
      report("consumer sessions created", n);
      report("new sessions per second", n / seconds);
      report("bytes per consumer session while its actor is awake (actor, route accounting, pin cache)",
          (after - before) / (double) n);
      // Session actors passivate 2 minutes after their last question (sharding checks every
      // minute); what stays is the node's pin cache and the route's count of active consumers.
      Thread.sleep(PASSIVATION_WAIT_SECONDS * 1000L);
      Map<String, Long> histogramPassivated = nodeHistogram();
      long passivated = histogramPassivated.get("Total");
      report("bytes per consumer session after its actor passivated (route accounting, pin cache)",
          (passivated - before) / (double) n);
      System.out.println("  largest growth, bytes per session: " + largestGrowth(histogramBefore, histogramPassivated, n));
    }

    /** {@code n} requests over 32 connections, each with a consumer key of its own; the errors. */
    int sessionsFrom(String token, String prefix, int n) throws Exception {
      AtomicInteger next = new AtomicInteger();
      AtomicInteger errors = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(32);
      for (int c = 0; c < 32; c++) {
        pool.execute(() -> {
          try (KeepAliveConnection conn = new KeepAliveConnection(dataPort)) {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
              KeepAliveConnection.Reply r = conn.get("/scale/", token, "X-Session-Id: " + prefix + i);
              if (r.status() != 200) {
                errors.incrementAndGet();
              }
            }
          } catch (IOException e) {
            errors.incrementAndGet();
          }
        });
      }
      pool.shutdown();
      check(pool.awaitTermination(30, TimeUnit.MINUTES), "the sessions were created in time");
      return errors.get();
    }

    /** Opens the idle connections, each with one request, idles, and asks once more on each. */
    void idleConnections(String token) throws Exception {
      int n = IDLE_CONNECTIONS;
      long heapBefore = nodeLiveHeap();
      List<KeepAliveConnection> conns = new ArrayList<>(n);
      int errors = 0;
      try {
        for (int i = 0; i < n; i++) {
          try {
            KeepAliveConnection c = new KeepAliveConnection(dataPort);
            conns.add(c);
            errors += c.get("/scale/", token, "X-Session-Id: idle").status() == 200 ? 0 : 1;
          } catch (IOException e) {
            errors++;
          }
        }
        long heapOpen = nodeLiveHeap();
        Thread.sleep(IDLE_SECONDS * 1000L);
        int second = 0;
        for (KeepAliveConnection c : conns) {
          try {
            second += c.get("/scale/", token, "X-Session-Id: idle").status() == 200 ? 1 : 0;
          } catch (IOException e) {
            errors++;
          }
        }
        check(errors == 0 && second == n, "all idle connections answered twice (" + errors + " errors, " + second
            + " second answers)");
        report("idle keep-alive connections", conns.size());
        report("answered again after " + IDLE_SECONDS + " s idle", second);
        report("errors", errors);
        report("node heap per idle connection (bytes)", (heapOpen - heapBefore) / (double) n);
      } finally {
        for (KeepAliveConnection c : conns) {
          c.close();
        }
      }
    }

    /** Concurrent SSE streams: all open at once, every event arrives, spread over the stream. */
    void sseStreams(String token) throws Exception {
      int n = SSE_STREAMS;
      // The consumers exist already (one plain request each), so that what is timed is streaming,
      // not the creation of a thousand sessions at once.
      check(sessionsFrom(token, "sse-", n) == 0, "the streaming consumers were created");
      CountDownLatch connected = new CountDownLatch(n);
      AtomicInteger complete = new AtomicInteger();
      AtomicInteger errors = new AtomicInteger();
      AtomicInteger maxOpen = new AtomicInteger();
      AtomicInteger open = new AtomicInteger();
      AtomicLong firstChunkNanos = new AtomicLong();
      ExecutorService pool = Executors.newFixedThreadPool(n);
      String path = "/scale/sse?events=" + SSE_EVENTS + "&intervalMs=" + SSE_INTERVAL_MS;
      for (int s = 0; s < n; s++) {
        int id = s;
        pool.execute(() -> {
          try (KeepAliveConnection conn = new KeepAliveConnection(dataPort)) {
            maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            connected.countDown();
            connected.await();
            long t0 = System.nanoTime();
            long[] first = new long[1];
            long[] last = new long[1];
            int events = conn.stream(path, token, "X-Session-Id: sse-" + id, at -> {
              if (first[0] == 0) {
                first[0] = at;
              }
              last[0] = at;
            });
            firstChunkNanos.addAndGet(first[0] - t0);
            long spreadMs = (last[0] - first[0]) / 1_000_000;
            if (events == SSE_EVENTS && spreadMs >= (SSE_EVENTS - 1) * SSE_INTERVAL_MS * 8L / 10) {
              complete.incrementAndGet();
            } else {
              errors.incrementAndGet();
            }
          } catch (Exception e) {
            errors.incrementAndGet();
          } finally {
            open.decrementAndGet();
          }
        });
      }
      pool.shutdown();
      check(pool.awaitTermination(5, TimeUnit.MINUTES), "the streams ended in time");
      check(complete.get() == n, "every stream got all its events incrementally (" + errors.get() + " did not)");
      report("concurrent SSE streams", n);
      report("streams open at once", maxOpen.get());
      report("streams complete and incremental (" + SSE_EVENTS + " events, " + SSE_INTERVAL_MS + " ms apart)",
          complete.get());
      report("mean time to first event under that load (ms)", firstChunkNanos.get() / 1e6 / n);
    }

    String admin(HttpClient http, String path, String body) throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/api/v1" + path))
          .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException("POST " + path + " answered " + r.statusCode() + ": " + r.body());
      }
      return r.body();
    }

    /** The node's live heap after a full collection, from its class histogram. */
    long nodeLiveHeap() throws Exception {
      Long total = nodeHistogram().get("Total");
      if (total == null) {
        throw new IllegalStateException("no total in jcmd's histogram");
      }
      return total;
    }

    /** Live bytes per class in the node after a full collection ({@code Total} for all). */
    Map<String, Long> nodeHistogram() throws Exception {
      Process p = new ProcessBuilder("jcmd", Long.toString(nodePid), "GC.class_histogram").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      Map<String, Long> bytes = new java.util.HashMap<>();
      Matcher m = Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)").matcher(out);
      while (m.find()) {
        bytes.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
      }
      Matcher total = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)").matcher(out);
      if (total.find()) {
        bytes.put("Total", Long.parseLong(total.group(2)));
      }
      return bytes;
    }

    /** The classes that grew most between two histograms, per {@code n}. */
    static String largestGrowth(Map<String, Long> before, Map<String, Long> after, int n) {
      return after.entrySet().stream().filter(e -> !e.getKey().equals("Total"))
          .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
          .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(8)
          .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / (double) n))
          .collect(java.util.stream.Collectors.joining(", "));
    }
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      failures++;
      System.out.println("FAILED: " + what);
    }
  }

  private static void report(String figure, double value) {
    System.out.println(figure + ": " + (value == Math.rint(value) && Math.abs(value) < 1e15
        ? String.format(Locale.ROOT, "%,d", (long) value) : String.format(Locale.ROOT, "%,.1f", value)));
  }
}
