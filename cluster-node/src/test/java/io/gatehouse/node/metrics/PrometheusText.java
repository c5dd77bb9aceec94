package io.gatehouse.node.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, written from its specification:
 * it fails on anything a Prometheus server would refuse or that the format forbids (bad names,
 * bad escapes, samples of an undeclared or mistyped family, duplicate series, TYPE after samples,
 * histogram buckets that are not cumulative or do not end in +Inf matching _count).
 */
record PrometheusText(List<Sample> samples, Map<String, String> types) {
  record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Set<String> SUFFIXES = Set.of("_bucket", "_count", "_sum", "_created", "_total", "_info");

  static PrometheusText parse(String text) {
    if (!text.endsWith("\n")) {
      throw new AssertionError("the exposition must end with a line feed");
    }
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    Set<String> sampled = new HashSet<>();
    Set<String> series = new HashSet<>();
    int n = 0;
    for (String line : text.split("\n", -1)) {
      n++;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        Matcher t = TYPE.matcher(line);
        if (t.matches()) {
          if (types.put(t.group(1), t.group(2)) != null) {
            throw new AssertionError("line " + n + ": second TYPE for " + t.group(1));
          }
          if (sampled.contains(t.group(1))) {
            throw new AssertionError("line " + n + ": TYPE after samples of " + t.group(1));
          }
        } else if (line.startsWith("# HELP") && !HELP.matcher(line).matches()) {
          throw new AssertionError("line " + n + ": bad HELP: " + line);
        }
        continue;
      }
      Sample s = sample(line, n);
      String family = family(s.name(), types);
      if (family == null) {
        throw new AssertionError("line " + n + ": sample of an undeclared family: " + s.name());
      }
      sampled.add(family);
      if (!series.add(s.name() + s.labels())) {
        throw new AssertionError("line " + n + ": duplicate series " + s.name() + s.labels());
      }
      samples.add(s);
    }
    PrometheusText parsed = new PrometheusText(samples, types);
    parsed.checkHistograms();
    return parsed;
  }

  private static String family(String name, Map<String, String> types) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : SUFFIXES) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String type = types.get(base);
        if (type != null && (type.equals("histogram") || type.equals("summary") || type.equals("counter"))) {
          return base;
        }
      }
    }
    return null;
  }

  private static Sample sample(String line, int n) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    if (!NAME.matcher(name).matches()) {
      throw new AssertionError("line " + n + ": bad metric name " + name);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq);
        if (!LABEL_NAME.matcher(label).matches() || line.charAt(eq + 1) != '"') {
          throw new AssertionError("line " + n + ": bad label near " + line.substring(i));
        }
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char e = line.charAt(++j);
            value.append(switch (e) {
              case '\\' -> '\\';
              case '"' -> '"';
              case 'n' -> '\n';
              default -> throw new AssertionError("line " + n + ": bad escape \\" + e);
            });
          } else {
            value.append(c);
          }
        }
        if (labels.put(label, value.toString()) != null) {
          throw new AssertionError("line " + n + ": label " + label + " twice");
        }
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        } else if (line.charAt(i) != '}') {
          throw new AssertionError("line " + n + ": expected , or } at " + line.substring(i));
        }
      }
      i++;
    }
    String[] rest = line.substring(i).trim().split(" ");
    if (rest.length < 1 || rest.length > 2 || !line.substring(i).startsWith(" ")) {
      throw new AssertionError("line " + n + ": expected a value (and an optional timestamp): " + line);
    }
    double value = switch (rest[0]) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(rest[0]);
    };
    if (rest.length == 2) {
      Long.parseLong(rest[1]);
    }
    return new Sample(name, labels, value);
  }

  /** Buckets cumulative, ending at +Inf, and equal to _count, for every histogram series. */
  private void checkHistograms() {
    types.forEach((family, type) -> {
      if (!type.equals("histogram")) {
        return;
      }
      Map<Map<String, String>, List<Sample>> buckets = new HashMap<>();
      for (Sample s : samples) {
        if (s.name().equals(family + "_bucket")) {
          Map<String, String> rest = new LinkedHashMap<>(s.labels());
          rest.remove("le");
          buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
        }
      }
      buckets.forEach((labels, list) -> {
        double previousLe = Double.NEGATIVE_INFINITY;
        double previous = 0;
        for (Sample b : list) {
          double le = b.labels().get("le").equals("+Inf") ? Double.POSITIVE_INFINITY
              : Double.parseDouble(b.labels().get("le"));
          if (le <= previousLe || b.value() < previous) {
            throw new AssertionError(family + labels + ": buckets not cumulative at le=" + b.labels().get("le"));
          }
          previousLe = le;
          previous = b.value();
        }
        if (previousLe != Double.POSITIVE_INFINITY) {
          throw new AssertionError(family + labels + ": no +Inf bucket");
        }
        Optional<Sample> count = samples.stream()
            .filter(s -> s.name().equals(family + "_count") && s.labels().equals(labels)).findFirst();
        if (count.isEmpty() || count.get().value() != previous) {
          throw new AssertionError(family + labels + ": _count does not match the +Inf bucket");
        }
      });
    });
  }

  /** Samples of {@code name} whose labels include the given pairs. */
  List<Sample> find(String name, String... labelPairs) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean match = true;
      for (int i = 0; i + 1 < labelPairs.length; i += 2) {
        match &= labelPairs[i + 1].equals(s.labels().get(labelPairs[i]));
      }
      if (match) {
        out.add(s);
      }
    }
    return out;
  }

  /** The value of the one sample of {@code name} with these labels; fails when there is not exactly one. */
  double value(String name, String... labelPairs) {
    List<Sample> found = find(name, labelPairs);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " samples of " + name + " " + List.of(labelPairs));
    }
    return found.get(0).value();
  }
}
