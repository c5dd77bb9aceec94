package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keeps one instance registered for routing: registers it, prints the URL it is served on,
 * heartbeats at a third of the lease, registers again at once when the lease is lost (a heartbeat
 * answered 404: a node restarted with the lease gone, a network blip longer than the lease), and
 * deregisters when stopped. A refusal (another 4xx) ends it with a {@link CliFailure}; an admin API
 * that cannot be reached, does not answer in time or fails (5xx) never does: it is tried again
 * after a short backoff, the next of several admin URLs first.
 */
final class RegistrationAgent {
  /** A registration waits for the instance's first health check, which has its own timeout. */
  private static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
  private static final long FIRST_BACKOFF_MILLIS = 250;

  private final List<AdminApi> apis;
  private final JsonNode registration;
  private final PrintWriter out;
  private final PrintWriter err;
  private final long heartbeatMillis;
  private final long maxBackoffMillis;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  /** Calls run here so that each is bounded in time, whatever the HTTP client's own timeouts. */
  private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "gatehouse-register-call");
    t.setDaemon(true);
    return t;
  });
  private int current;
  private long backoffMillis = FIRST_BACKOFF_MILLIS;
  private boolean unreachable;
  private String instanceId;

  /** {@code apis}: one per admin URL, tried in turn; {@code registration}: the body of {@code POST /registrations}. */
  RegistrationAgent(List<AdminApi> apis, JsonNode registration, PrintWriter out, PrintWriter err) {
    this.apis = apis;
    this.registration = registration;
    this.out = out;
    this.err = err;
    this.heartbeatMillis = registration.path("leaseSeconds").asLong() * 1000 / 3;
    this.maxBackoffMillis = Math.min(heartbeatMillis, 5000);
  }

  /** The longest the agent takes to notice {@link #stop()} and deregister: a call in flight, then the deregistration. */
  static Duration stopBound() {
    return REGISTER_TIMEOUT.plus(CALL_TIMEOUT).plusSeconds(1);
  }

  /** Ends {@link #run()}: it deregisters and returns. Safe from any thread, more than once. */
  void stop() {
    stopped.complete(null);
  }

  boolean stopping() {
    return stopped.isDone();
  }

  /** Waits {@code millis}, or less when stopped; answers whether it is still running. */
  boolean pause(long millis) {
    try {
      stopped.get(millis, TimeUnit.MILLISECONDS);
      return false;
    } catch (TimeoutException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  /** Registers, heartbeats until stopped, then deregisters. */
  void run() {
    if (!register()) {
      return;
    }
    long wait = heartbeatMillis;
    while (pause(wait)) {
      wait = heartbeat() ? heartbeatMillis : backoff();
    }
    deregister();
  }

  /** Registers, retrying until it is done; answers false when stopped first. */
  private boolean register() {
    while (!stopping()) {
      Optional<JsonNode> answer = call("POST", "/registrations", registration, REGISTER_TIMEOUT);
      if (answer.isPresent()) {
        registered(answer.get());
        return true;
      }
      pause(backoff());
    }
    return false;
  }

  private void registered(JsonNode answer) {
    boolean again = instanceId != null;
    instanceId = answer.path("instanceId").asText();
    String health = answer.path("healthy").asBoolean() ? "in rotation"
        : "not in rotation yet (its first health check failed; the gateway keeps checking)";
    if (again) {
      say("registered again as instance " + instanceId + ", " + health);
      return;
    }
    out.println(answer.path("url").asText());
    out.flush();
    say("registered instance " + instanceId + " of deployment '" + registration.path("deployment").asText() + "', "
        + health + "; lease " + answer.path("leaseSeconds").asInt() + " s, a heartbeat every "
        + String.format(Locale.ROOT, "%.1f", heartbeatMillis / 1000.0) + " s; SIGTERM or Ctrl-C deregisters it");
  }

  /** One heartbeat; answers false when the admin API did not answer (try again soon). */
  private boolean heartbeat() {
    try {
      return call("PUT", path() + "/heartbeat", null, CALL_TIMEOUT).isPresent();
    } catch (CliFailure f) {
      if (f.status() != 404) {
        throw f;
      }
      say("the lease of instance " + instanceId + " is lost (" + f.getMessage() + "); registering again");
      register();
      return true;
    }
  }

  private void deregister() {
    try {
      call("DELETE", path(), null, CALL_TIMEOUT)
          .ifPresentOrElse(done -> say("deregistered instance " + instanceId),
              () -> say("could not deregister instance " + instanceId + "; its lease ends it"));
    } catch (CliFailure f) {
      say("instance " + instanceId + " was already gone (" + f.getMessage() + ")");
    }
  }

  private String path() {
    return "/registrations/" + AdminApi.segment(instanceId);
  }

  /**
   * One call to the current admin API, bounded by {@code timeout}. Answers its JSON, or empty when
   * it could not be reached, did not answer in time or failed (5xx): then the next admin API is
   * current. Throws the {@link CliFailure} of a refusal (4xx) or of a usage error.
   */
  private Optional<JsonNode> call(String method, String path, JsonNode body, Duration timeout) {
    AdminApi api = apis.get(current);
    Future<JsonNode> answer = calls.submit(() -> api.send(method, path, body));
    try {
      JsonNode json = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      answered(api);
      return Optional.of(json);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CliFailure f && retryable(f)) {
        return failed(api, f.getMessage());
      }
      answered(api);
      throw cause instanceof CliFailure f ? f : CliFailure.refused(String.valueOf(cause));
    } catch (TimeoutException e) {
      answer.cancel(true);
      return failed(api, "the admin API at " + api.connection().url() + " did not answer within "
          + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      return Optional.empty();
    }
  }

  /** No answer (status 0) or a failing gateway (5xx) is worth another try; a refusal or a usage error is not. */
  private static boolean retryable(CliFailure f) {
    return f.exitCode() == 1 && (f.status() == 0 || f.status() >= 500);
  }

  private void answered(AdminApi api) {
    backoffMillis = FIRST_BACKOFF_MILLIS;
    if (unreachable) {
      unreachable = false;
      say("the admin API at " + api.connection().url() + " answers again");
    }
  }

  private Optional<JsonNode> failed(AdminApi api, String why) {
    if (!unreachable) {
      unreachable = true;
      say(why + "; retrying" + (apis.size() > 1 ? ", on the next admin URL first" : "") + " (until stopped)");
    }
    current = (current + 1) % apis.size();
    return Optional.empty();
  }

  private long backoff() {
    long wait = backoffMillis;
    backoffMillis = Math.min(backoffMillis * 2, maxBackoffMillis);
    return wait;
  }

  private void say(String line) {
    err.println("gatehouse: " + line);
    err.flush();
  }
}
