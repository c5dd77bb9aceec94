package io.gatehouse.node.admin;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.gatehouse.node.directory.DirectoryService;
import io.gatehouse.node.token.TokenService;
import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.PrincipalType;
import io.gatehouse.protocol.api.DirectoryJson;
import io.gatehouse.protocol.api.DirectoryRequests;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/users}, {@code /service-accounts}, {@code /groups}, {@code /projects}: reads
 * come from the node's directory view, writes go through the directory entity.
 */
final class DirectoryRoutes extends AdminDirectives {
  private final DirectoryService directory;
  private final TokenService tokens;

  DirectoryRoutes(DirectoryService directory, TokenService tokens) {
    this.directory = directory;
    this.tokens = tokens;
  }

  Route route(AdminCaller caller) {
    return concat(users(caller), serviceAccounts(caller), groups(caller), projects(caller));
  }

  // ---- users -------------------------------------------------------------------------------

  private Route users(AdminCaller caller) {
    return pathPrefix("users", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> complete(Responses.ok(new DirectoryJson.Items<>(
                state().users().values().stream().map(DirectoryRoutes::user).toList())))),
            post(() -> body(DirectoryRequests.CreateUser.class, req -> respond(() ->
                directory.change(r -> new DirectoryEntity.CreateUser(
                        req.name(), req.groups(), req.admin(), caller.actor(), r))
                    .thenApply(s -> Responses.created(user(s.users().get(req.name().value()))))))))),
        path(segment(), name -> named(name, "user", n -> concat(
            get(() -> {
              DirectoryState.User u = state().users().get(n.value());
              return complete(u == null ? Responses.notFound("user '" + n + "' does not exist") : Responses.ok(user(u)));
            }),
            put(() -> body(DirectoryRequests.UpdateUser.class, req -> respond(() ->
                directory.change(r -> new DirectoryEntity.UpdateUser(n, req.groups(), req.admin(), caller.actor(), r))
                    .thenApply(s -> Responses.ok(user(s.users().get(n.value()))))))),
            delete(() -> respond(() ->
                directory.change(r -> new DirectoryEntity.DeleteUser(n, caller.actor(), r))
                    .thenCompose(s -> revokeTokensOf(new PrincipalRef(PrincipalType.USER, n), caller)))))))));
  }

  // ---- service accounts --------------------------------------------------------------------

  private Route serviceAccounts(AdminCaller caller) {
    return pathPrefix("service-accounts", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> complete(Responses.ok(new DirectoryJson.Items<>(
                state().serviceAccounts().values().stream().map(DirectoryRoutes::serviceAccount).toList())))),
            post(() -> body(DirectoryRequests.CreateServiceAccount.class, req -> respond(() ->
                directory.change(r -> new DirectoryEntity.CreateServiceAccount(
                        req.name(), req.description(), req.canRegister(), false, caller.actor(), r))
                    .thenApply(s -> Responses.created(
                        serviceAccount(s.serviceAccounts().get(req.name().value()))))))))),
        path(segment(), name -> named(name, "service account", n -> concat(
            get(() -> {
              DirectoryState.ServiceAccount sa = state().serviceAccounts().get(n.value());
              return complete(sa == null
                  ? Responses.notFound("service account '" + n + "' does not exist")
                  : Responses.ok(serviceAccount(sa)));
            }),
            put(() -> body(DirectoryRequests.UpdateServiceAccount.class, req -> respond(() ->
                directory.change(r -> new DirectoryEntity.UpdateServiceAccount(
                        n, req.description(), req.canRegister(), caller.actor(), r))
                    .thenApply(s -> Responses.ok(serviceAccount(s.serviceAccounts().get(n.value()))))))),
            delete(() -> respond(() ->
                directory.change(r -> new DirectoryEntity.DeleteServiceAccount(n, caller.actor(), r))
                    .thenCompose(s -> revokeTokensOf(new PrincipalRef(PrincipalType.SERVICE_ACCOUNT, n), caller)))))))));
  }

  // ---- groups ------------------------------------------------------------------------------

  private Route groups(AdminCaller caller) {
    return pathPrefix("groups", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> {
              DirectoryState s = state();
              return complete(Responses.ok(new DirectoryJson.Items<>(
                  s.groups().values().stream().map(g -> group(s, g)).toList())));
            }),
            post(() -> body(DirectoryRequests.CreateGroup.class, req -> respond(() ->
                directory.change(r -> new DirectoryEntity.CreateGroup(req.name(), caller.actor(), r))
                    .thenApply(s -> Responses.created(group(s, s.groups().get(req.name().value()))))))))),
        path(segment(), name -> named(name, "group", n -> concat(
            get(() -> {
              DirectoryState s = state();
              DirectoryState.Group g = s.groups().get(n.value());
              return complete(g == null ? Responses.notFound("group '" + n + "' does not exist") : Responses.ok(group(s, g)));
            }),
            delete(() -> respond(() ->
                directory.change(r -> new DirectoryEntity.DeleteGroup(n, caller.actor(), r))
                    .thenApply(s -> Responses.noContent()))))))));
  }

  // ---- projects ----------------------------------------------------------------------------

  private Route projects(AdminCaller caller) {
    return pathPrefix("projects", () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> complete(Responses.ok(new DirectoryJson.Items<>(
                state().projects().values().stream().map(DirectoryRoutes::project).toList())))),
            post(() -> body(DirectoryRequests.CreateProject.class, req -> respond(() ->
                directory.change(r -> new DirectoryEntity.CreateProject(
                        req.name(), req.groups(), req.serviceAccounts(), caller.actor(), r))
                    .thenApply(s -> Responses.created(project(s.projects().get(req.name().value()))))))))),
        path(segment(), name -> named(name, "project", n -> concat(
            get(() -> {
              DirectoryState.Project p = state().projects().get(n.value());
              return complete(p == null ? Responses.notFound("project '" + n + "' does not exist") : Responses.ok(project(p)));
            }),
            put(() -> body(DirectoryRequests.UpdateProject.class, req -> respond(() ->
                directory.change(r -> new DirectoryEntity.UpdateProject(
                        n, req.groups(), req.serviceAccounts(), caller.actor(), r))
                    .thenApply(s -> Responses.ok(project(s.projects().get(n.value()))))))),
            delete(() -> respond(() ->
                directory.change(r -> new DirectoryEntity.DeleteProject(n, caller.actor(), r))
                    .thenApply(s -> Responses.noContent()))))))));
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * The deleted principal's tokens already fail validation (the view has the deletion); revoking
   * them as well makes every listing say why.
   */
  private CompletionStage<HttpResponse> revokeTokensOf(PrincipalRef principal, AdminCaller caller) {
    return tokens.revokeAllOf(principal, caller.principal(), caller.actor()).thenApply(n -> Responses.noContent());
  }

  private DirectoryState state() {
    return directory.view().current();
  }

  static DirectoryJson.User user(DirectoryState.User u) {
    return new DirectoryJson.User(u.name(), u.groups(), u.admin(), u.createdAt(), u.updatedAt());
  }

  static DirectoryJson.ServiceAccount serviceAccount(DirectoryState.ServiceAccount sa) {
    return new DirectoryJson.ServiceAccount(
        sa.name(), sa.description(), sa.canRegister(), sa.admin(), sa.createdAt(), sa.updatedAt());
  }

  static DirectoryJson.Group group(DirectoryState state, DirectoryState.Group g) {
    return new DirectoryJson.Group(g.name(), state.members(g.name()), g.createdAt());
  }

  static DirectoryJson.Project project(DirectoryState.Project p) {
    return new DirectoryJson.Project(p.name(), p.groups(), p.serviceAccounts(), p.createdAt(), p.updatedAt());
  }
}
