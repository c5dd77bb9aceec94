package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** {@code --from-file}: a request body's fields from a JSON file, for what no option covers. */
final class FromFile {
  @Option(names = "--from-file", paramLabel = "FILE",
      description = "A JSON object with fields of the request body (see API.md), for what no option covers; "
          + "the options override it. '-' reads standard input.")
  String file;

  ObjectNode read() {
    return Bodies.read(file);
  }
}
