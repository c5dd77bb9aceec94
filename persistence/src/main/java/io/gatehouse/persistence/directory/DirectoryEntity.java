package io.gatehouse.persistence.directory;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.gatehouse.persistence.Actor;
import io.gatehouse.persistence.Audit;
import io.gatehouse.persistence.Audited;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.Rejection;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The directory: users, groups, service accounts and projects, as one event-sourced entity (it is
 * small and changes rarely). It guards referential integrity (a user's groups exist, a project's
 * groups and service accounts exist) and publishes every event on a cluster topic, from which
 * every node's view of the directory is kept current.
 */
public final class DirectoryEntity
    extends EventSourcedBehaviorWithEnforcedReplies<DirectoryEntity.Command, DirectoryEntity.Event, DirectoryState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Directory");
  public static final String ENTITY_ID = "directory";
  public static final String TAG = "directory";
  public static final String TOPIC = "gatehouse-directory";

  // ---- commands ----------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable
      permits CreateUser, UpdateUser, DeleteUser, CreateServiceAccount, UpdateServiceAccount,
          DeleteServiceAccount, CreateGroup, DeleteGroup, CreateProject, UpdateProject, DeleteProject, GetState {}

  /** Every change answers with the whole new state, so the caller's node can show it at once. */
  public interface Change {
    ActorRef<StatusReply<DirectoryState>> replyTo();
  }

  public record CreateUser(Name name, List<Name> groups, boolean admin, Actor actor,
      ActorRef<StatusReply<DirectoryState>> replyTo) implements Command, Change {}

  public record UpdateUser(Name name, List<Name> groups, boolean admin, Actor actor,
      ActorRef<StatusReply<DirectoryState>> replyTo) implements Command, Change {}

  public record DeleteUser(Name name, Actor actor, ActorRef<StatusReply<DirectoryState>> replyTo)
      implements Command, Change {}

  /** {@code admin} is set only by the node's bootstrap; the admin API never sets it. */
  public record CreateServiceAccount(Name name, String description, boolean canRegister, boolean admin,
      Actor actor, ActorRef<StatusReply<DirectoryState>> replyTo) implements Command, Change {}

  public record UpdateServiceAccount(Name name, String description, boolean canRegister, Actor actor,
      ActorRef<StatusReply<DirectoryState>> replyTo) implements Command, Change {}

  public record DeleteServiceAccount(Name name, Actor actor, ActorRef<StatusReply<DirectoryState>> replyTo)
      implements Command, Change {}

  public record CreateGroup(Name name, Actor actor, ActorRef<StatusReply<DirectoryState>> replyTo)
      implements Command, Change {}

  public record DeleteGroup(Name name, Actor actor, ActorRef<StatusReply<DirectoryState>> replyTo)
      implements Command, Change {}

  public record CreateProject(Name name, List<Name> groups, List<Name> serviceAccounts, Actor actor,
      ActorRef<StatusReply<DirectoryState>> replyTo) implements Command, Change {}

  public record UpdateProject(Name name, List<Name> groups, List<Name> serviceAccounts, Actor actor,
      ActorRef<StatusReply<DirectoryState>> replyTo) implements Command, Change {}

  public record DeleteProject(Name name, Actor actor, ActorRef<StatusReply<DirectoryState>> replyTo)
      implements Command, Change {}

  public record GetState(ActorRef<DirectoryState> replyTo) implements Command {}

  // ---- events ------------------------------------------------------------------------------

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = UserCreated.class, name = "user.created"),
    @JsonSubTypes.Type(value = UserUpdated.class, name = "user.updated"),
    @JsonSubTypes.Type(value = UserDeleted.class, name = "user.deleted"),
    @JsonSubTypes.Type(value = ServiceAccountCreated.class, name = "service-account.created"),
    @JsonSubTypes.Type(value = ServiceAccountUpdated.class, name = "service-account.updated"),
    @JsonSubTypes.Type(value = ServiceAccountDeleted.class, name = "service-account.deleted"),
    @JsonSubTypes.Type(value = GroupCreated.class, name = "group.created"),
    @JsonSubTypes.Type(value = GroupDeleted.class, name = "group.deleted"),
    @JsonSubTypes.Type(value = ProjectCreated.class, name = "project.created"),
    @JsonSubTypes.Type(value = ProjectUpdated.class, name = "project.updated"),
    @JsonSubTypes.Type(value = ProjectDeleted.class, name = "project.deleted")
  })
  public sealed interface Event extends CborSerializable, Audited
      permits UserCreated, UserUpdated, UserDeleted, ServiceAccountCreated, ServiceAccountUpdated,
          ServiceAccountDeleted, GroupCreated, GroupDeleted, ProjectCreated, ProjectUpdated, ProjectDeleted {
    @Override
    default Map<String, Object> detail() {
      return Map.of();
    }
  }

  public record UserCreated(String name, List<String> groups, boolean admin, Audit audit) implements Event {
    public String auditType() { return "user.created"; }
    public String subject() { return "user:" + name; }
    public Map<String, Object> detail() { return Map.of("groups", groups, "admin", admin); }
  }

  public record UserUpdated(String name, List<String> groups, boolean admin, Audit audit) implements Event {
    public String auditType() { return "user.updated"; }
    public String subject() { return "user:" + name; }
    public Map<String, Object> detail() { return Map.of("groups", groups, "admin", admin); }
  }

  public record UserDeleted(String name, Audit audit) implements Event {
    public String auditType() { return "user.deleted"; }
    public String subject() { return "user:" + name; }
  }

  public record ServiceAccountCreated(String name, String description, boolean canRegister, boolean admin, Audit audit)
      implements Event {
    public String auditType() { return "service-account.created"; }
    public String subject() { return "service-account:" + name; }
    public Map<String, Object> detail() { return Map.of("canRegister", canRegister, "admin", admin); }
  }

  public record ServiceAccountUpdated(String name, String description, boolean canRegister, Audit audit)
      implements Event {
    public String auditType() { return "service-account.updated"; }
    public String subject() { return "service-account:" + name; }
    public Map<String, Object> detail() { return Map.of("canRegister", canRegister); }
  }

  public record ServiceAccountDeleted(String name, Audit audit) implements Event {
    public String auditType() { return "service-account.deleted"; }
    public String subject() { return "service-account:" + name; }
  }

  public record GroupCreated(String name, Audit audit) implements Event {
    public String auditType() { return "group.created"; }
    public String subject() { return "group:" + name; }
  }

  public record GroupDeleted(String name, Audit audit) implements Event {
    public String auditType() { return "group.deleted"; }
    public String subject() { return "group:" + name; }
  }

  public record ProjectCreated(String name, List<String> groups, List<String> serviceAccounts, Audit audit)
      implements Event {
    public String auditType() { return "project.created"; }
    public String subject() { return "project:" + name; }
    public Map<String, Object> detail() { return Map.of("groups", groups, "serviceAccounts", serviceAccounts); }
  }

  public record ProjectUpdated(String name, List<String> groups, List<String> serviceAccounts, Audit audit)
      implements Event {
    public String auditType() { return "project.updated"; }
    public String subject() { return "project:" + name; }
    public Map<String, Object> detail() { return Map.of("groups", groups, "serviceAccounts", serviceAccounts); }
  }

  public record ProjectDeleted(String name, Audit audit) implements Event {
    public String auditType() { return "project.deleted"; }
    public String subject() { return "project:" + name; }
  }

  /** What the entity publishes on {@link #TOPIC} after each persisted event. */
  public record Published(long version, Event event) implements CborSerializable {}

  // ---- wiring ------------------------------------------------------------------------------

  public static void init(ActorSystem<?> system, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    ClusterSharding.get(system)
        .init(Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), topic, clock)));
  }

  public static EntityRef<Command> ref(ClusterSharding sharding) {
    return sharding.entityRefFor(ENTITY_KEY, ENTITY_ID);
  }

  public static Behavior<Command> create(String entityId, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    return new DirectoryEntity(PersistenceId.of(ENTITY_KEY.name(), entityId), topic, clock);
  }

  private final ActorRef<Topic.Command<Published>> topic;
  private final Clock clock;

  private DirectoryEntity(PersistenceId persistenceId, ActorRef<Topic.Command<Published>> topic, Clock clock) {
    super(persistenceId);
    this.topic = topic;
    this.clock = clock;
  }

  @Override
  public DirectoryState emptyState() {
    return DirectoryState.empty();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, DirectoryState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(CreateUser.class, this::onCreateUser)
        .onCommand(UpdateUser.class, this::onUpdateUser)
        .onCommand(DeleteUser.class, this::onDeleteUser)
        .onCommand(CreateServiceAccount.class, this::onCreateServiceAccount)
        .onCommand(UpdateServiceAccount.class, this::onUpdateServiceAccount)
        .onCommand(DeleteServiceAccount.class, this::onDeleteServiceAccount)
        .onCommand(CreateGroup.class, this::onCreateGroup)
        .onCommand(DeleteGroup.class, this::onDeleteGroup)
        .onCommand(CreateProject.class, this::onCreateProject)
        .onCommand(UpdateProject.class, this::onUpdateProject)
        .onCommand(DeleteProject.class, this::onDeleteProject)
        .onCommand(GetState.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<DirectoryState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(DirectoryState::apply);
  }

  // ---- handlers ----------------------------------------------------------------------------

  private ReplyEffect<Event, DirectoryState> onCreateUser(DirectoryState state, CreateUser cmd) {
    String name = cmd.name().value();
    if (state.users().containsKey(name)) {
      return reject(cmd, Rejection.conflict("user '" + name + "' already exists"));
    }
    Rejection missing = missing(cmd.groups(), state.groups(), "groups", "group");
    if (missing != null) {
      return reject(cmd, missing);
    }
    return persist(cmd, new UserCreated(name, values(cmd.groups()), cmd.admin(), audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onUpdateUser(DirectoryState state, UpdateUser cmd) {
    String name = cmd.name().value();
    if (!state.users().containsKey(name)) {
      return reject(cmd, Rejection.notFound("user '" + name + "' does not exist"));
    }
    Rejection missing = missing(cmd.groups(), state.groups(), "groups", "group");
    if (missing != null) {
      return reject(cmd, missing);
    }
    return persist(cmd, new UserUpdated(name, values(cmd.groups()), cmd.admin(), audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onDeleteUser(DirectoryState state, DeleteUser cmd) {
    String name = cmd.name().value();
    if (!state.users().containsKey(name)) {
      return reject(cmd, Rejection.notFound("user '" + name + "' does not exist"));
    }
    return persist(cmd, new UserDeleted(name, audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onCreateServiceAccount(DirectoryState state, CreateServiceAccount cmd) {
    String name = cmd.name().value();
    if (state.serviceAccounts().containsKey(name)) {
      return reject(cmd, Rejection.conflict("service account '" + name + "' already exists"));
    }
    return persist(cmd, new ServiceAccountCreated(
        name, cmd.description(), cmd.canRegister(), cmd.admin(), audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onUpdateServiceAccount(DirectoryState state, UpdateServiceAccount cmd) {
    String name = cmd.name().value();
    if (!state.serviceAccounts().containsKey(name)) {
      return reject(cmd, Rejection.notFound("service account '" + name + "' does not exist"));
    }
    return persist(cmd, new ServiceAccountUpdated(name, cmd.description(), cmd.canRegister(), audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onDeleteServiceAccount(DirectoryState state, DeleteServiceAccount cmd) {
    String name = cmd.name().value();
    if (!state.serviceAccounts().containsKey(name)) {
      return reject(cmd, Rejection.notFound("service account '" + name + "' does not exist"));
    }
    if (name.equals(DirectoryState.BOOTSTRAP_ADMIN)) {
      return reject(cmd, Rejection.conflict(
          "'" + name + "' is the bootstrap admin and cannot be deleted; revoke its tokens instead"));
    }
    return persist(cmd, new ServiceAccountDeleted(name, audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onCreateGroup(DirectoryState state, CreateGroup cmd) {
    String name = cmd.name().value();
    if (state.groups().containsKey(name)) {
      return reject(cmd, Rejection.conflict("group '" + name + "' already exists"));
    }
    return persist(cmd, new GroupCreated(name, audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onDeleteGroup(DirectoryState state, DeleteGroup cmd) {
    String name = cmd.name().value();
    if (!state.groups().containsKey(name)) {
      return reject(cmd, Rejection.notFound("group '" + name + "' does not exist"));
    }
    return persist(cmd, new GroupDeleted(name, audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onCreateProject(DirectoryState state, CreateProject cmd) {
    String name = cmd.name().value();
    if (state.projects().containsKey(name)) {
      return reject(cmd, Rejection.conflict("project '" + name + "' already exists"));
    }
    Rejection missing = projectMembersMissing(state, cmd.groups(), cmd.serviceAccounts());
    if (missing != null) {
      return reject(cmd, missing);
    }
    return persist(cmd, new ProjectCreated(
        name, values(cmd.groups()), values(cmd.serviceAccounts()), audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onUpdateProject(DirectoryState state, UpdateProject cmd) {
    String name = cmd.name().value();
    if (!state.projects().containsKey(name)) {
      return reject(cmd, Rejection.notFound("project '" + name + "' does not exist"));
    }
    Rejection missing = projectMembersMissing(state, cmd.groups(), cmd.serviceAccounts());
    if (missing != null) {
      return reject(cmd, missing);
    }
    return persist(cmd, new ProjectUpdated(
        name, values(cmd.groups()), values(cmd.serviceAccounts()), audit(cmd.actor())));
  }

  private ReplyEffect<Event, DirectoryState> onDeleteProject(DirectoryState state, DeleteProject cmd) {
    String name = cmd.name().value();
    if (!state.projects().containsKey(name)) {
      return reject(cmd, Rejection.notFound("project '" + name + "' does not exist"));
    }
    return persist(cmd, new ProjectDeleted(name, audit(cmd.actor())));
  }

  // ---- helpers -----------------------------------------------------------------------------

  private ReplyEffect<Event, DirectoryState> persist(Change cmd, Event event) {
    return Effect()
        .persist(event)
        .thenRun(state -> topic.tell(Topic.publish(new Published(state.version(), event))))
        .thenReply(cmd.replyTo(), StatusReply::success);
  }

  private ReplyEffect<Event, DirectoryState> reject(Change cmd, Rejection rejection) {
    return Effect().reply(cmd.replyTo(), StatusReply.error(rejection.wireText()));
  }

  private Audit audit(Actor actor) {
    return actor.at(Instant.now(clock).truncatedTo(ChronoUnit.MILLIS));
  }

  private static Rejection projectMembersMissing(DirectoryState state, List<Name> groups, List<Name> accounts) {
    Rejection missing = missing(groups, state.groups(), "groups", "group");
    return missing != null ? missing : missing(accounts, state.serviceAccounts(), "serviceAccounts", "service account");
  }

  private static Rejection missing(List<Name> names, Map<String, ?> existing, String field, String what) {
    for (Name n : names) {
      if (!existing.containsKey(n.value())) {
        return Rejection.invalid(field, what + " '" + n.value() + "' does not exist");
      }
    }
    return null;
  }

  private static List<String> values(List<Name> names) {
    return names.stream().map(Name::value).distinct().sorted().toList();
  }
}
