package io.gatehouse.ops.cli;

/** What a command says when it cannot do its work: the message for stderr and the exit code. */
final class CliFailure extends RuntimeException {
  private final int exitCode;
  private final int status;

  CliFailure(int exitCode, String message) {
    this(exitCode, 0, message);
  }

  private CliFailure(int exitCode, int status, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.status = status;
  }

  /** The gateway refused, or could not be reached: exit 1. */
  static CliFailure refused(String message) {
    return new CliFailure(1, message);
  }

  /** The gateway answered with HTTP {@code status} and refused: exit 1. */
  static CliFailure refused(int status, String message) {
    return new CliFailure(1, status, message);
  }

  /** The command was given what it cannot use: exit 2. */
  static CliFailure usage(String message) {
    return new CliFailure(2, message);
  }

  int exitCode() {
    return exitCode;
  }

  /** The HTTP status of the gateway's refusal; 0 when no answer came (unreachable, interrupted, not a call). */
  int status() {
    return status;
  }
}
