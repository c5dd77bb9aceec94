package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One kind of thing the admin API keeps by name ({@code /users}, {@code /routes}, ...): where it
 * lives, what it is called in messages, the columns it is listed with, and the fields a
 * {@code PUT} takes (a PUT replaces the whole definition, so an update sends back the current
 * values of the fields it does not change).
 */
record Resource(String path, String noun, Table table, List<String> editable) {
  String item(String name) {
    return path + "/" + AdminApi.segment(name);
  }

  void list(ApiOptions o) {
    o.out().list(o.api().get(path), table);
  }

  void show(ApiOptions o, String name) {
    o.out().details(o.api().get(item(name)));
  }

  void create(ApiOptions o, ObjectNode body) {
    o.out().row(o.api().post(path, body), table);
  }

  /** The current values of the editable fields: the body of an update before its changes. */
  ObjectNode current(ApiOptions o, String name) {
    return Bodies.pick(o.api().get(item(name)), editable);
  }

  void update(ApiOptions o, String name, ObjectNode body) {
    o.out().row(o.api().put(item(name), body), table);
  }

  void delete(ApiOptions o, String name) {
    JsonNode answer = o.api().delete(item(name));
    o.out().done(answer, "Deleted " + noun + " '" + name + "'.");
  }
}
