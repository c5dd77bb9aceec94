package io.gatehouse.persistence.directory;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.gatehouse.persistence.Actor;
import io.gatehouse.protocol.ErrorCode;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.Rejection;
import java.time.Clock;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoryEntityTest {
  private static final Actor ADMIN = Actor.of(PrincipalRef.serviceAccount("gatehouse-admin"), "node-a");

  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseResources("serialization.conf"))
      .withFallback(ConfigFactory.load()));

  private EventSourcedBehaviorTestKit<DirectoryEntity.Command, DirectoryEntity.Event, DirectoryState> directory;

  @BeforeEach
  void newDirectory() {
    var topic = testKit.spawn(Topic.create(DirectoryEntity.Published.class, "directory-" + System.nanoTime()));
    directory = EventSourcedBehaviorTestKit.create(
        testKit.system(), DirectoryEntity.create(DirectoryEntity.ENTITY_ID, topic, Clock.systemUTC()));
    directory.clear();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  private static List<Name> names(String... names) {
    return java.util.Arrays.stream(names).map(Name::of).toList();
  }

  private DirectoryState ok(java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<StatusReply<DirectoryState>>,
      DirectoryEntity.Command> command) {
    var result = directory.<StatusReply<DirectoryState>>runCommand(command::apply);
    assertThat(result.reply().isSuccess()).as("%s", result.reply()).isTrue();
    return result.reply().getValue();
  }

  private Rejection refused(java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<StatusReply<DirectoryState>>,
      DirectoryEntity.Command> command) {
    var result = directory.<StatusReply<DirectoryState>>runCommand(command::apply);
    assertThat(result.hasNoEvents()).isTrue();
    return Rejection.fromWireText(result.reply().getError().getMessage());
  }

  @Test
  void aUserJoinsOnlyGroupsThatExist() {
    Rejection r = refused(reply -> new DirectoryEntity.CreateUser(Name.of("alice"), names("ml-team"), false, ADMIN, reply));
    assertThat(r.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
    assertThat(r.getMessage()).isEqualTo("groups: group 'ml-team' does not exist");

    ok(reply -> new DirectoryEntity.CreateGroup(Name.of("ml-team"), ADMIN, reply));
    DirectoryState state = ok(reply -> new DirectoryEntity.CreateUser(
        Name.of("alice"), names("ml-team"), false, ADMIN, reply));

    assertThat(state.users().get("alice").groups()).containsExactly("ml-team");
    assertThat(state.members("ml-team")).containsExactly("alice");
  }

  @Test
  void duplicatesAreConflicts() {
    ok(reply -> new DirectoryEntity.CreateGroup(Name.of("ml-team"), ADMIN, reply));
    assertThat(refused(reply -> new DirectoryEntity.CreateGroup(Name.of("ml-team"), ADMIN, reply)).code())
        .isEqualTo(ErrorCode.CONFLICT);
  }

  @Test
  void aRecreatedPrincipalIsANewIncarnation() {
    DirectoryState first = ok(reply -> new DirectoryEntity.CreateUser(Name.of("alice"), List.of(), false, ADMIN, reply));
    long before = first.principal(PrincipalRef.user("alice")).incarnation();
    ok(reply -> new DirectoryEntity.DeleteUser(Name.of("alice"), ADMIN, reply));
    DirectoryState again = ok(reply -> new DirectoryEntity.CreateUser(Name.of("alice"), List.of(), false, ADMIN, reply));

    assertThat(again.principal(PrincipalRef.user("alice")).incarnation()).isGreaterThan(before);
  }

  @Test
  void deletingAGroupRemovesItFromUsersAndProjects() {
    ok(reply -> new DirectoryEntity.CreateGroup(Name.of("ml-team"), ADMIN, reply));
    ok(reply -> new DirectoryEntity.CreateUser(Name.of("alice"), names("ml-team"), false, ADMIN, reply));
    ok(reply -> new DirectoryEntity.CreateProject(Name.of("llm-prod"), names("ml-team"), List.of(), ADMIN, reply));

    DirectoryState state = ok(reply -> new DirectoryEntity.DeleteGroup(Name.of("ml-team"), ADMIN, reply));

    assertThat(state.users().get("alice").groups()).isEmpty();
    assertThat(state.projects().get("llm-prod").groups()).isEmpty();
  }

  @Test
  void theBootstrapAdminCannotBeDeleted() {
    ok(reply -> new DirectoryEntity.CreateServiceAccount(
        Name.of("gatehouse-admin"), "", false, true, Actor.system("node-a"), reply));

    assertThat(refused(reply -> new DirectoryEntity.DeleteServiceAccount(Name.of("gatehouse-admin"), ADMIN, reply))
        .code()).isEqualTo(ErrorCode.CONFLICT);
  }

  @Test
  void aProjectNamesExistingServiceAccounts() {
    Rejection r = refused(reply -> new DirectoryEntity.CreateProject(
        Name.of("llm-prod"), List.of(), names("partner-acme"), ADMIN, reply));

    assertThat(r.getMessage()).isEqualTo("serviceAccounts: service account 'partner-acme' does not exist");
  }

  @Test
  void theVersionIsTheNumberOfEventsAndSurvivesARestart() {
    ok(reply -> new DirectoryEntity.CreateGroup(Name.of("ml-team"), ADMIN, reply));
    ok(reply -> new DirectoryEntity.CreateUser(Name.of("alice"), names("ml-team"), true, ADMIN, reply));
    DirectoryState before = ok(reply -> new DirectoryEntity.CreateServiceAccount(
        Name.of("partner-acme"), "Acme", true, false, ADMIN, reply));

    var restarted = directory.restart();

    assertThat(before.version()).isEqualTo(3);
    assertThat(restarted.state()).isEqualTo(before);
  }

  @Test
  void everyEventCarriesItsAudit() {
    var result = directory.<StatusReply<DirectoryState>>runCommand(
        reply -> new DirectoryEntity.CreateGroup(Name.of("ml-team"), ADMIN, reply));

    DirectoryEntity.Event event = result.event();
    assertThat(event.auditType()).isEqualTo("group.created");
    assertThat(event.subject()).isEqualTo("group:ml-team");
    assertThat(event.audit().actor()).isEqualTo("service-account:gatehouse-admin");
    assertThat(event.audit().node()).isEqualTo("node-a");
  }
}
