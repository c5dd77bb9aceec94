package io.gatehouse.ops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command tree itself, in-process: help with examples everywhere, usage errors as exit 2. */
class CommandLineTest {
  private static List<CommandLine> all(CommandLine c) {
    List<CommandLine> out = new ArrayList<>(List.of(c));
    c.getSubcommands().values().stream().distinct().filter(s -> !s.getCommandName().equals("help"))
        .forEach(s -> out.addAll(all(s)));
    return out;
  }

  @Test
  void everyCommandHasHelpWithExamples() {
    for (CommandLine c : all(new CommandLine(new Gatehouse()))) {
      if (c.getParent() == null) {
        continue;
      }
      assertThat(c.getCommandSpec().mixinStandardHelpOptions()).as(c.getCommandSpec().qualifiedName()).isTrue();
      assertThat(c.getUsageMessage()).as(c.getCommandSpec().qualifiedName()).contains("\nExamples:\n  ").contains("gatehouse ");
    }
  }

  @Test
  void aGroupOfCommandsWithoutOneIsAUsageError() {
    assertThat(Gatehouse.run("tokens")).isEqualTo(2);
    assertThat(Gatehouse.run("routes", "list", "--limit", "3")).isEqualTo(2);
  }
}
