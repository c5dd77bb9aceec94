package io.gatehouse.node.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.route.RouteTable;
import io.gatehouse.node.upstream.InstanceLoad;
import io.gatehouse.persistence.route.RouteDefinition;
import io.gatehouse.persistence.route.RouteView;
import io.gatehouse.persistence.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one place an instance is chosen, with the cluster's sessions played by the test: a pin
 * from memory asks nothing; a miss asks the session; a pin this node sees out of rotation is
 * asked again, avoiding it; a session that does not answer falls back to the journal's pin, else
 * to the consumer's own rendezvous choice for that request only.
 */
class InstancePickerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final RouteTable routes = new RouteTable(null);
  private final List<String> asked = new ArrayList<>();
  private final SessionCache cache = new SessionCache();
  private CompletableFuture<String> answer;
  private Optional<String> journal = Optional.empty();
  private InstancePicker picker;

  @BeforeEach
  void setUp() {
    routes.apply(view(true, true, true));
    picker = new InstancePicker(routes, cache, new InstancePicker.Sessions() {
      @Override
      public CompletionStage<String> resolve(String route, String consumer, String avoid) {
        asked.add(consumer + (avoid == null ? "" : " avoiding " + avoid));
        return answer;
      }

      @Override
      public CompletionStage<Optional<String>> persisted(String route, String consumer) {
        return CompletableFuture.completedFuture(journal);
      }

      @Override
      public void stillActive(String route, String consumer, String instanceId) {}
    }, new InstanceLoad(), clock);
  }

  private RouteView view(boolean... healthy) {
    List<RouteView.InstanceView> list = new ArrayList<>();
    for (int i = 0; i < healthy.length; i++) {
      list.add(new RouteView.InstanceView("r." + (i + 1), "10.0.0." + (i + 1) + ":80", healthy[i], 0, clock.instant(),
          clock.instant()));
    }
    return new RouteView("r", RouteDefinition.builder("r").pathPrefix("/r").build(), list, System.nanoTime());
  }

  private String pick(String consumer) {
    List<LiveRoute.Target> out = new ArrayList<>();
    picker.pick(routes.get("r"), consumer, null, Runnable::run, out::add);
    assertThat(out).hasSize(1);
    return out.get(0) == null ? null : out.get(0).id();
  }

  @Test
  void aMissAsksTheSessionOnceAndThePinIsThenReadFromMemory() {
    answer = CompletableFuture.completedFuture("r.2");

    assertThat(pick("tok_a")).isEqualTo("r.2");
    assertThat(pick("tok_a")).isEqualTo("r.2");
    assertThat(asked).containsExactly("tok_a");
  }

  @Test
  void aPinThisNodeSeesOutOfRotationIsAskedAgainAvoidingIt() {
    answer = CompletableFuture.completedFuture("r.2");
    pick("tok_a");
    routes.apply(view(true, false, true));
    answer = CompletableFuture.completedFuture("r.3");

    assertThat(pick("tok_a")).isEqualTo("r.3");
    assertThat(asked).containsExactly("tok_a", "tok_a avoiding r.2");
  }

  @Test
  void aSessionThatDoesNotAnswerGivesThePinTheJournalHolds() {
    answer = CompletableFuture.failedFuture(new TimeoutException("no answer"));
    journal = Optional.of("r.1");

    assertThat(pick("tok_a")).isEqualTo("r.1");
    assertThat(pick("tok_a")).as("remembered").isEqualTo("r.1");
    assertThat(asked).hasSize(1);
  }

  @Test
  void withoutAnAnswerOrAJournalPinTheRendezvousChoiceServesThisRequestOnly() {
    answer = CompletableFuture.failedFuture(new TimeoutException("no answer"));

    String first = pick("tok_a");
    answer = CompletableFuture.completedFuture("r.3");
    String second = pick("tok_a");

    assertThat(first).isNotNull();
    assertThat(second).as("the next request asks again and follows the route's pin").isEqualTo("r.3");
    assertThat(asked).hasSize(2);
  }

  @Test
  void withoutAffinityTheLessLoadedOfTwoIsTakenAndNothingIsAsked() {
    List<LiveRoute.Target> out = new ArrayList<>();
    picker.pick(routes.get("r"), null, null, Runnable::run, out::add);

    assertThat(out).singleElement().isNotNull();
    assertThat(asked).isEmpty();
  }

  @Test
  void noInstanceInRotationIsNull() {
    routes.apply(view(false, false, false));
    answer = CompletableFuture.completedFuture(null);

    assertThat(pick("tok_b")).isNull();
  }
}
