package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gatehouse users}: the people who hold tokens, and their groups. */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Users: people, with their groups.",
    subcommands = {ResourceCommands.List.class, ResourceCommands.Get.class, UsersCommand.Create.class,
        UsersCommand.Update.class, ResourceCommands.Delete.class},
    footer = {"", "Examples:", "  gatehouse users create alice --group ml-team", "  gatehouse users list"})
final class UsersCommand extends ResourceCommands.Group {
  static final Resource USERS = new Resource("/users", "user", Table.of(column("NAME", "name"),
      column("GROUPS", "groups"), column("ADMIN", "admin"), column("CREATED", "createdAt")), List.of("groups", "admin"));

  UsersCommand() {
    super(USERS);
  }

  abstract static class Fields extends ResourceCommands.Write {
    @Mixin
    GroupsOption groups;

    @Option(names = "--admin", negatable = true, description = "Whether the user may use the admin API.")
    Boolean admin;

    @Override
    void apply(ObjectNode body) {
      groups.apply(body);
      Bodies.put(body, "admin", admin);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a user.",
      footer = {"", "Examples:", "  gatehouse users create alice --group ml-team", "  gatehouse users create root --admin"})
  static final class Create extends Fields {}

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Changes a user; what no option names keeps its value.",
      footer = {"", "Examples:", "  gatehouse users update alice --group ml-team --group search", "  gatehouse users update alice --no-admin"})
  static final class Update extends Fields {}
}
