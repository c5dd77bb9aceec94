package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gatehouse service-accounts}: principals for programs (partners, deployments that register). */
@Command(name = "service-accounts", mixinStandardHelpOptions = true,
    description = "Service accounts: principals for programs, such as a partner or a deployment that registers.",
    subcommands = {ResourceCommands.List.class, ResourceCommands.Get.class, ServiceAccountsCommand.Create.class,
        ServiceAccountsCommand.Update.class, ResourceCommands.Delete.class},
    footer = {"", "Examples:", "  gatehouse service-accounts create partner-acme --description 'ACME Corp'",
        "  gatehouse service-accounts create vllm-deployer --can-register"})
final class ServiceAccountsCommand extends ResourceCommands.Group {
  static final Resource SERVICE_ACCOUNTS = new Resource("/service-accounts", "service account",
      Table.of(column("NAME", "name"), column("CAN-REGISTER", "canRegister"), column("ADMIN", "admin"),
          column("DESCRIPTION", "description")), List.of("description", "canRegister"));

  ServiceAccountsCommand() {
    super(SERVICE_ACCOUNTS);
  }

  abstract static class Fields extends ResourceCommands.Write {
    @Option(names = "--description", paramLabel = "TEXT", description = "What the account is for.")
    String description;

    @Option(names = "--can-register", negatable = true,
        description = "Whether its tokens may register instances (POST /registrations).")
    Boolean canRegister;

    @Override
    void apply(ObjectNode body) {
      Bodies.put(body, "description", description);
      Bodies.put(body, "canRegister", canRegister);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates a service account.",
      footer = {"", "Examples:", "  gatehouse service-accounts create partner-acme --description 'ACME Corp'"})
  static final class Create extends Fields {}

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Changes a service account; what no option names keeps its value.",
      footer = {"", "Examples:", "  gatehouse service-accounts update vllm-deployer --can-register"})
  static final class Update extends Fields {}
}
