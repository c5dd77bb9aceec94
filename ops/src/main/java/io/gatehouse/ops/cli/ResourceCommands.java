package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The subcommands every {@link Resource} has ({@code list}, {@code get}, {@code delete}), written
 * once: each finds its resource in its parent command, a {@link Group}. {@link Write} is the base
 * of each resource's own {@code create} and {@code update}, which add the typed options.
 */
final class ResourceCommands {
  private ResourceCommands() {}

  /** A resource's command ({@code gatehouse users}): it names the resource its subcommands act on. */
  abstract static class Group extends CommandGroup {
    private final Resource resource;

    Group(Resource resource) {
      this.resource = resource;
    }

    Resource resource() {
      return resource;
    }
  }

  /** What every subcommand of a resource has: the gateway's options, and its resource. */
  abstract static class Sub implements Callable<Integer> {
    @Mixin
    ApiOptions options;

    @Spec
    CommandSpec spec;

    Resource resource() {
      return ((Group) spec.parent().userObject()).resource();
    }
  }

  /** A subcommand on one item, named by the first parameter. */
  abstract static class Named extends Sub {
    @Parameters(index = "0", paramLabel = "NAME", description = "The name.")
    String name;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the ${PARENT-COMMAND-NAME}.",
      footer = {"", "Examples:", "  ${PARENT-COMMAND-FULL-NAME} list", "  ${PARENT-COMMAND-FULL-NAME} list --json"})
  static final class List extends Sub {
    @Override
    public Integer call() {
      resource().list(options);
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Shows one of the ${PARENT-COMMAND-NAME}, "
      + "with all its fields.", footer = {"", "Examples:", "  ${PARENT-COMMAND-FULL-NAME} get NAME",
          "  ${PARENT-COMMAND-FULL-NAME} get NAME --json"})
  static final class Get extends Named {
    @Override
    public Integer call() {
      resource().show(options, name);
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes one of the ${PARENT-COMMAND-NAME}.",
      footer = {"", "Examples:", "  ${PARENT-COMMAND-FULL-NAME} delete NAME"})
  static final class Delete extends Named {
    @Override
    public Integer call() {
      resource().delete(options, name);
      return 0;
    }
  }

  /**
   * The base of a resource's {@code create} and {@code update} (which one: the command's name):
   * the body is {@code --from-file}'s (for an update: over the item's current fields), then the
   * typed options of {@link #apply}.
   */
  abstract static class Write extends Named {
    @Mixin
    FromFile fromFile;

    @Override
    public Integer call() {
      return spec.name().equals("update") ? update() : create();
    }

    /** Sets what the typed options give. */
    abstract void apply(ObjectNode body);

    /** The body of an update before the changes: the item's current editable fields. */
    ObjectNode current() {
      return resource().current(options, name);
    }

    Integer create() {
      ObjectNode body = fromFile.read();
      body.put("name", name);
      apply(body);
      resource().create(options, body);
      return 0;
    }

    Integer update() {
      ObjectNode body = current();
      body.setAll(fromFile.read());
      apply(body);
      resource().update(options, name, body);
      return 0;
    }
  }
}
