package io.gatehouse.ops.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How a command prints what the gateway answered: for people, a {@link Table} (the default); for
 * scripts, with {@code --json}, the answer's JSON as it is, pretty-printed. Messages about what
 * was done go to stdout in table mode only, so that {@code --json} output is always JSON (or
 * nothing, for an answer without a body such as a delete's 204).
 */
final class Output {
  @Option(names = "--json", description = "Print the gateway's JSON answer as it is (pretty-printed), for scripts.")
  boolean json;

  private final PrintStream out = System.out;

  /** A listing ({@code {"items":[...]}}): its items as a table, or the whole answer. */
  void list(JsonNode answer, Table table) {
    if (json) {
      print(answer);
    } else {
      rows(answer.path("items"), table);
    }
  }

  /** Items as a table, whatever {@code --json} says (for a command that prints its JSON itself). */
  void rows(Iterable<JsonNode> items, Table table) {
    out.print(table.render(items));
  }

  /** One item, as a one-row table (what create and update answer). */
  void row(JsonNode item, Table table) {
    if (json) {
      print(item);
    } else {
      rows(List.of(item), table);
    }
  }

  /** One item with all its fields (what get answers). */
  void details(JsonNode item) {
    if (json) {
      print(item);
    } else {
      out.print(Table.details(item));
    }
  }

  /** What was done: the answer's JSON if it has one, else nothing, with {@code --json}; the message without. */
  void done(JsonNode answer, String message) {
    if (json) {
      if (!answer.isMissingNode()) {
        print(answer);
      }
    } else {
      out.println(message);
    }
  }

  /** A line for people, left out with {@code --json}. */
  void say(String line) {
    if (!json) {
      out.println(line);
    }
  }

  void print(JsonNode answer) {
    out.println(pretty(answer));
  }

  static String pretty(JsonNode node) {
    try {
      return AdminApi.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
