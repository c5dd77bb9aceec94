package io.gatehouse.persistence.directory;

import io.gatehouse.persistence.directory.DirectoryEntity.Event;
import io.gatehouse.protocol.CborSerializable;
import io.gatehouse.protocol.PrincipalRef;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Users, groups, service accounts and projects: the whole directory as one immutable value.
 * {@code version} is the sequence number of the last event applied, so two copies of the state
 * on two nodes compare by version alone.
 *
 * <p>Every principal carries an {@code incarnation}: the version at which it was created. Tokens
 * record the incarnation of their principal, so deleting {@code alice} and creating a new
 * {@code alice} never brings the old tokens back to life.
 */
public record DirectoryState(
    long version,
    SortedMap<String, User> users,
    SortedMap<String, ServiceAccount> serviceAccounts,
    SortedMap<String, Group> groups,
    SortedMap<String, Project> projects)
    implements CborSerializable {

  public static final String BOOTSTRAP_ADMIN = "gatehouse-admin";

  public record User(
      String name, List<String> groups, boolean admin, long incarnation, Instant createdAt, Instant updatedAt)
      implements CborSerializable {}

  public record ServiceAccount(
      String name,
      String description,
      boolean canRegister,
      boolean admin,
      long incarnation,
      Instant createdAt,
      Instant updatedAt)
      implements CborSerializable {}

  public record Group(String name, Instant createdAt) implements CborSerializable {}

  public record Project(
      String name, List<String> groups, List<String> serviceAccounts, Instant createdAt, Instant updatedAt)
      implements CborSerializable {}

  /** What authorisation needs to know about a principal. Service accounts have no groups. */
  public record Principal(PrincipalRef ref, long incarnation, List<String> groups, boolean admin, boolean canRegister) {}

  public DirectoryState {
    users = frozen(users);
    serviceAccounts = frozen(serviceAccounts);
    groups = frozen(groups);
    projects = frozen(projects);
  }

  public static DirectoryState empty() {
    return new DirectoryState(0, null, null, null, null);
  }

  public Principal principal(PrincipalRef ref) {
    String name = ref.name().value();
    switch (ref.type()) {
      case USER -> {
        User u = users.get(name);
        return u == null ? null : new Principal(ref, u.incarnation(), u.groups(), u.admin(), false);
      }
      case SERVICE_ACCOUNT -> {
        ServiceAccount sa = serviceAccounts.get(name);
        return sa == null ? null : new Principal(ref, sa.incarnation(), List.of(), sa.admin(), sa.canRegister());
      }
      default -> throw new IllegalStateException();
    }
  }

  public List<String> members(String group) {
    return users.values().stream().filter(u -> u.groups().contains(group)).map(User::name).toList();
  }

  /** The state after {@code event}; pure, shared by the entity and every node's view. */
  public DirectoryState apply(Event event) {
    long v = version + 1;
    Instant at = event.audit().at();
    if (event instanceof DirectoryEntity.UserCreated e) {
      return withUsers(v, m -> put(m, e.name(), new User(e.name(), e.groups(), e.admin(), v, at, at)));
    } else if (event instanceof DirectoryEntity.UserUpdated e) {
      User old = users.get(e.name());
      return withUsers(
          v, m -> put(m, e.name(), new User(e.name(), e.groups(), e.admin(), old.incarnation(), old.createdAt(), at)));
    } else if (event instanceof DirectoryEntity.UserDeleted e) {
      return withUsers(v, m -> remove(m, e.name()));
    } else if (event instanceof DirectoryEntity.ServiceAccountCreated e) {
      return new DirectoryState(
          v,
          users,
          put(serviceAccounts, e.name(),
              new ServiceAccount(e.name(), e.description(), e.canRegister(), e.admin(), v, at, at)),
          groups,
          projects);
    } else if (event instanceof DirectoryEntity.ServiceAccountUpdated e) {
      ServiceAccount old = serviceAccounts.get(e.name());
      return new DirectoryState(
          v,
          users,
          put(serviceAccounts, e.name(),
              new ServiceAccount(e.name(), e.description(), e.canRegister(), old.admin(), old.incarnation(),
                  old.createdAt(), at)),
          groups,
          projects);
    } else if (event instanceof DirectoryEntity.ServiceAccountDeleted e) {
      return new DirectoryState(
          v, users, remove(serviceAccounts, e.name()), groups, withoutMember(projects, null, e.name()));
    } else if (event instanceof DirectoryEntity.GroupCreated e) {
      return new DirectoryState(v, users, serviceAccounts, put(groups, e.name(), new Group(e.name(), at)), projects);
    } else if (event instanceof DirectoryEntity.GroupDeleted e) {
      TreeMap<String, User> newUsers = new TreeMap<>();
      users.forEach((k, u) -> newUsers.put(k, u.groups().contains(e.name())
          ? new User(u.name(), without(u.groups(), e.name()), u.admin(), u.incarnation(), u.createdAt(), at)
          : u));
      return new DirectoryState(
          v, newUsers, serviceAccounts, remove(groups, e.name()), withoutMember(projects, e.name(), null));
    } else if (event instanceof DirectoryEntity.ProjectCreated e) {
      return new DirectoryState(
          v, users, serviceAccounts, groups,
          put(projects, e.name(), new Project(e.name(), e.groups(), e.serviceAccounts(), at, at)));
    } else if (event instanceof DirectoryEntity.ProjectUpdated e) {
      Project old = projects.get(e.name());
      return new DirectoryState(
          v, users, serviceAccounts, groups,
          put(projects, e.name(), new Project(e.name(), e.groups(), e.serviceAccounts(), old.createdAt(), at)));
    } else if (event instanceof DirectoryEntity.ProjectDeleted e) {
      return new DirectoryState(v, users, serviceAccounts, groups, remove(projects, e.name()));
    }
    throw new IllegalArgumentException("unknown directory event " + event.getClass().getName());
  }

  private DirectoryState withUsers(long v, UnaryOperator<SortedMap<String, User>> change) {
    return new DirectoryState(v, change.apply(users), serviceAccounts, groups, projects);
  }

  private static SortedMap<String, Project> withoutMember(
      SortedMap<String, Project> projects, String group, String serviceAccount) {
    TreeMap<String, Project> out = new TreeMap<>();
    projects.forEach((k, p) -> out.put(k, new Project(
        p.name(),
        group == null ? p.groups() : without(p.groups(), group),
        serviceAccount == null ? p.serviceAccounts() : without(p.serviceAccounts(), serviceAccount),
        p.createdAt(),
        p.updatedAt())));
    return out;
  }

  private static List<String> without(List<String> list, String item) {
    return list.stream().filter(x -> !x.equals(item)).toList();
  }

  private static <V> SortedMap<String, V> put(SortedMap<String, V> map, String key, V value) {
    TreeMap<String, V> copy = new TreeMap<>(map);
    copy.put(key, value);
    return copy;
  }

  private static <V> SortedMap<String, V> remove(SortedMap<String, V> map, String key) {
    TreeMap<String, V> copy = new TreeMap<>(map);
    copy.remove(key);
    return copy;
  }

  private static <V> SortedMap<String, V> frozen(SortedMap<String, V> map) {
    return Collections.unmodifiableSortedMap(map == null ? new TreeMap<>() : new TreeMap<>(map));
  }
}
