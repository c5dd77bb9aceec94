package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code gatehouse groups}: the groups routes admit. A group has only its name, so no update. */
@Command(name = "groups", mixinStandardHelpOptions = true,
    description = "Groups of users, which routes admit. A group has only a name: there is no update.",
    subcommands = {ResourceCommands.List.class, ResourceCommands.Get.class, GroupsCommand.Create.class,
        ResourceCommands.Delete.class},
    footer = {"", "Examples:", "  gatehouse groups create ml-team", "  gatehouse groups list"})
final class GroupsCommand extends ResourceCommands.Group {
  static final Resource GROUPS = new Resource("/groups", "group", Table.of(column("NAME", "name"),
      column("MEMBERS", "members"), column("CREATED", "createdAt")), List.of());

  GroupsCommand() {
    super(GROUPS);
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a group.",
      footer = {"", "Examples:", "  gatehouse groups create ml-team"})
  static final class Create extends ResourceCommands.Write {
    @Override
    void apply(ObjectNode body) {
      // A group has no field but its name.
    }
  }
}
