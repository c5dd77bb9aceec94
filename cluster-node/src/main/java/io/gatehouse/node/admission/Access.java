package io.gatehouse.node.admission;

import io.gatehouse.node.directory.DirectoryView;
import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.protocol.PrincipalType;
import java.util.List;

/**
 * Route RBAC: who may use a route. A static route admits its allowed groups and service
 * accounts; an ephemeral route admits whoever may use its deployment's project. A token limited
 * to some routes is refused on every other, whatever its principal may reach.
 */
final class Access {
  private Access() {}

  /** Whether the token's own route scope (if it has one) includes the route. */
  static boolean inScope(TokenValidation.Valid token, LiveRoute route) {
    return token.routes() == null || token.routes().contains(route.name());
  }

  /** Whether the token's principal may use the route, by the route's groups or its project's. */
  static boolean allowed(TokenValidation.Valid token, LiveRoute route, DirectoryView directory) {
    boolean serviceAccount = token.principal().type() == PrincipalType.SERVICE_ACCOUNT;
    String principal = token.principal().name().value();
    if (route.definition().isStatic()) {
      return serviceAccount
          ? route.allowedServiceAccounts().contains(principal)
          : anyOf(token.groups(), route.allowedGroups());
    }
    DirectoryState.Project project = directory.current().projects().get(route.definition().project());
    if (project == null) {
      return false;
    }
    return serviceAccount ? project.serviceAccounts().contains(principal) : anyOf(token.groups(), project.groups());
  }

  private static boolean anyOf(List<String> groups, java.util.Collection<String> allowed) {
    for (String g : groups) {
      if (allowed.contains(g)) {
        return true;
      }
    }
    return false;
  }
}
