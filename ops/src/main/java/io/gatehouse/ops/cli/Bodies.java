package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/** Request bodies built from typed options: set only what was given, so the rest keeps its value. */
final class Bodies {
  private Bodies() {}

  static ObjectNode object() {
    return AdminApi.JSON.createObjectNode();
  }

  /** {@code value} under {@code field}, when it was given. */
  static void put(ObjectNode body, String field, Object value) {
    if (value != null) {
      body.set(field, AdminApi.JSON.valueToTree(value));
    }
  }

  /** The names given under {@code field}, when any were; an empty one ({@code --group ''}) clears the list. */
  static void names(ObjectNode body, String field, List<String> names) {
    if (names != null) {
      ArrayNode list = body.putArray(field);
      names.stream().filter(n -> !n.isBlank()).forEach(list::add);
    }
  }

  /** {@code value} under {@code object.field}, keeping the object's other members. */
  static void nested(ObjectNode body, String object, String field, Object value) {
    if (value != null) {
      JsonNode current = body.path(object);
      ObjectNode o = current.isObject() ? (ObjectNode) current : body.putObject(object);
      put(o, field, value);
      body.set(object, o);
    }
  }

  /** The {@code fields} of {@code item} that are set: what a PUT must send back to keep them. */
  static ObjectNode pick(JsonNode item, Collection<String> fields) {
    ObjectNode body = object();
    for (String f : fields) {
      JsonNode v = item.path(f);
      if (!v.isMissingNode() && !v.isNull()) {
        body.set(f, v.deepCopy());
      }
    }
    return body;
  }

  /** {@code file}'s JSON object ({@code -}: standard input), or an empty object when there is none. */
  static ObjectNode read(String file) {
    if (file == null) {
      return object();
    }
    try {
      String text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
      JsonNode n = AdminApi.JSON.readTree(text);
      if (n == null || !n.isObject()) {
        throw CliFailure.usage("--from-file " + file + ": expected a JSON object");
      }
      return (ObjectNode) n;
    } catch (IOException e) {
      throw CliFailure.usage("--from-file " + file + ": " + AdminApi.describe(e));
    }
  }
}
