package io.gatehouse.protocol.api;

import java.time.Instant;
import java.util.List;

/** Answers of the Directory section of API.md. */
public final class DirectoryJson {
  private DirectoryJson() {}

  public record User(String name, List<String> groups, boolean admin, Instant createdAt, Instant updatedAt) {}

  public record ServiceAccount(
      String name, String description, boolean canRegister, boolean admin, Instant createdAt, Instant updatedAt) {}

  public record Group(String name, List<String> members, Instant createdAt) {}

  public record Project(
      String name, List<String> groups, List<String> serviceAccounts, Instant createdAt, Instant updatedAt) {}

  /** A complete listing (the directory is small and read from memory): {@code {"items": [...]}}. */
  public record Items<T>(List<T> items) {}
}
