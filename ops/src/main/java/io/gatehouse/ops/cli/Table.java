package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What the CLI prints for people: the columns chosen for one kind of item and the rendering of
 * items under a header in aligned columns; also one item as a list of its fields. An absent
 * value is {@code -}; times are shown to the second.
 */
record Table(List<Column> columns) {
  static final String NONE = "-";
  private static final String GAP = "  ";

  /** One column: its header and how a cell is read from an item. */
  record Column(String header, Function<JsonNode, String> cell) {}

  static Table of(Column... columns) {
    return new Table(List.of(columns));
  }

  /** A column showing {@code field} as text (a list joined with commas, a time to the second). */
  static Column column(String header, String field) {
    return new Column(header, item -> cell(item.path(field)));
  }

  static Column column(String header, Function<JsonNode, String> cell) {
    return new Column(header, cell);
  }

  /** The items under the header, one line each, every line ending with a newline. */
  String render(Iterable<JsonNode> items) {
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode item : items) {
      rows.add(columns.stream().map(c -> orNone(c.cell().apply(item))).toList());
    }
    return render(columns.stream().map(Column::header).toList(), rows);
  }

  /** Rows in columns as wide as their widest cell, two spaces apart, without trailing blanks. */
  static String render(List<String> headers, List<List<String>> rows) {
    int[] widths = new int[headers.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(headers);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        line.append(i == 0 ? "" : GAP).append(row.get(i)).append(" ".repeat(widths[i] - row.get(i).length()));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  /** One item as {@code field  value} lines: every top-level field, nested objects as compact JSON. */
  static String details(JsonNode item) {
    List<List<String>> rows = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      rows.add(List.of(e.getKey(), cell(e.getValue())));
    }
    String table = render(List.of("FIELD", "VALUE"), rows);
    return table.substring(table.indexOf('\n') + 1);
  }

  /** A value as a cell: text as is, a time to the second, a list joined with commas, null as {@code -}. */
  static String cell(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return NONE;
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(e -> parts.add(e.isValueNode() ? e.asText() : e.toString()));
      return parts.isEmpty() ? NONE : String.join(",", parts);
    }
    if (v.isBoolean()) {
      return yesNo(v.asBoolean());
    }
    if (v.isObject()) {
      return v.toString();
    }
    return time(v.asText());
  }

  static String yesNo(boolean b) {
    return b ? "yes" : "no";
  }

  /** An RFC 3339 time to the second ({@code 2026-01-02T03:04:05Z}); other text as it is. */
  static String time(String text) {
    if (text.length() < 20 || text.charAt(10) != 'T' || !text.endsWith("Z")) {
      return text;
    }
    try {
      return Instant.parse(text).truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (DateTimeParseException e) {
      return text;
    }
  }

  /** A principal reference ({@code {"type","name"}}) as {@code type:name}. */
  static String principal(JsonNode p) {
    return p.isObject() ? p.path("type").asText() + ":" + p.path("name").asText() : NONE;
  }

  /** {@code healthy/total} from two count fields. */
  static String ratio(JsonNode item, String part, String whole) {
    return item.path(part).asText(NONE) + "/" + item.path(whole).asText(NONE);
  }

  /** A number of seconds as {@code 42s}, {@code 5m07s}, {@code 3h05m} or {@code 2d04h}. */
  static String duration(JsonNode seconds) {
    if (!seconds.isNumber()) {
      return NONE;
    }
    long s = seconds.asLong();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
    }
    return String.format("%dd%02dh", s / 86_400, s % 86_400 / 3600);
  }

  private static String orNone(String s) {
    return s == null || s.isEmpty() ? NONE : s;
  }
}
