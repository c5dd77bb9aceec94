package io.gatehouse.ops.cli;

import static io.gatehouse.ops.cli.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gatehouse test-connectivity}: the gateway checks, step by step, that it can do its work. */
@Command(name = "test-connectivity", mixinStandardHelpOptions = true,
    description = {"Runs the gateway's own connectivity test and shows its steps.",
        "POST /routers/connectivity-test. Exit 0 when every step passed, 1 when one failed."},
    footer = {"", "Examples:", "  gatehouse test-connectivity", "  gatehouse test-connectivity --json"})
final class TestConnectivityCommand implements Callable<Integer> {
  static final Table STEPS = Table.of(column("STEP", "name"), column("OK", "ok"), column("MILLIS", "millis"),
      column("DETAIL", "detail"));

  @Mixin
  ApiOptions options;

  @Override
  public Integer call() {
    JsonNode answer = options.api().post("/routers/connectivity-test", null);
    Output out = options.out();
    if (out.json) {
      out.print(answer);
    } else {
      out.rows(answer.path("steps"), STEPS);
    }
    if (!answer.path("ok").asBoolean()) {
      List<String> failed = new ArrayList<>();
      answer.path("steps").forEach(s -> {
        if (!s.path("ok").asBoolean()) {
          failed.add(s.path("name").asText());
        }
      });
      throw CliFailure.refused("the connectivity test failed" + (failed.isEmpty() ? "" : ": " + String.join(", ", failed)));
    }
    return 0;
  }
}
