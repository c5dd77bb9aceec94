package io.gatehouse.ops.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * What {@code gatehouse login} keeps: the admin API's URL, the data plane's URL and the token, in
 * {@code $GATEHOUSE_CONFIG}, else {@code $XDG_CONFIG_HOME/gatehouse/config.json}, else
 * {@code ~/.config/gatehouse/config.json}; written with mode 0600 (the token is a secret), atomically.
 */
record CliConfig(String url, String gateway, String token) {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final CliConfig EMPTY = new CliConfig(null, null, null);

  static Path path(Map<String, String> env) {
    String explicit = env.get("GATEHOUSE_CONFIG");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("gatehouse").resolve("config.json");
  }

  /** The saved configuration, or {@link #EMPTY} when there is none. */
  static CliConfig load(Path file) {
    if (!Files.isRegularFile(file)) {
      return EMPTY;
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      return new CliConfig(text(n, "url"), text(n, "gateway"), text(n, "token"));
    } catch (IOException e) {
      throw CliFailure.usage("cannot read " + file + " (written by 'gatehouse login'): " + e.getMessage());
    }
  }

  void save(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".config", ".json",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      ObjectNode n = JSON.createObjectNode().put("url", url).put("gateway", gateway).put("token", token);
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | UnsupportedOperationException e) {
      throw CliFailure.refused("cannot write " + file + ": " + e.getMessage());
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    return v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }
}
