package io.gatehouse.ops.cli;

/** What a command says when it cannot do its work: the message for stderr and the exit code. */
final class CliFailure extends RuntimeException {
  private final int exitCode;

  CliFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  /** The gateway refused, or could not be reached: exit 1. */
  static CliFailure refused(String message) {
    return new CliFailure(1, message);
  }

  /** The command was given what it cannot use: exit 2. */
  static CliFailure usage(String message) {
    return new CliFailure(2, message);
  }

  int exitCode() {
    return exitCode;
  }
}
