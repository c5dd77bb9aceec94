package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --group}, as users and projects take it: the groups they are in. */
final class GroupsOption {
  @Option(names = "--group", paramLabel = "GROUP",
      description = "A group it is in; repeat for several. On update it replaces the groups ('' for none).")
  List<String> groups;

  void apply(ObjectNode body) {
    Bodies.names(body, "groups", groups);
  }
}
