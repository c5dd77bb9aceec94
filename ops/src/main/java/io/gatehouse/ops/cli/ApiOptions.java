package io.gatehouse.ops.cli;

import picocli.CommandLine.Mixin;

/**
 * The options of every command that calls the gateway and prints its answer: where and who
 * ({@link Connection}) and how to print ({@link Output}, {@code --json}).
 */
final class ApiOptions {
  @Mixin
  Connection connection;

  @Mixin
  Output output;

  private AdminApi api;

  AdminApi api() {
    if (api == null) {
      api = new AdminApi(connection);
    }
    return api;
  }

  Output out() {
    return output;
  }
}
