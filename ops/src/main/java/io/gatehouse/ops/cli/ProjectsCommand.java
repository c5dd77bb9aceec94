package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gatehouse projects}: what deployments register under, with the groups and accounts it belongs to. */
@Command(name = "projects", mixinStandardHelpOptions = true,
    description = "Projects: what deployments register under, with the groups and service accounts they belong to.",
    subcommands = {ResourceCommands.List.class, ResourceCommands.Get.class, ProjectsCommand.Create.class,
        ProjectsCommand.Update.class, ResourceCommands.Delete.class},
    footer = {"", "Examples:", "  gatehouse projects create llm-prod --group ml-team", "  gatehouse projects list"})
final class ProjectsCommand extends ResourceCommands.Group {
  static final Resource PROJECTS = new Resource("/projects", "project", Table.of(column("NAME", "name"),
      column("GROUPS", "groups"), column("SERVICE-ACCOUNTS", "serviceAccounts"), column("CREATED", "createdAt")),
      List.of("groups", "serviceAccounts"));

  ProjectsCommand() {
    super(PROJECTS);
  }

  abstract static class Fields extends ResourceCommands.Write {
    @Mixin
    GroupsOption groups;

    @Option(names = "--service-account", paramLabel = "NAME", description = "A service account of the project; "
        + "repeat for several. On update it replaces them ('' for none).")
    List<String> serviceAccounts;

    @Override
    void apply(ObjectNode body) {
      groups.apply(body);
      Bodies.names(body, "serviceAccounts", serviceAccounts);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a project.",
      footer = {"", "Examples:", "  gatehouse projects create llm-prod --group ml-team --service-account acme"})
  static final class Create extends Fields {}

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Changes a project; what no option names keeps its value.",
      footer = {"", "Examples:", "  gatehouse projects update llm-prod --service-account ''"})
  static final class Update extends Fields {}
}
