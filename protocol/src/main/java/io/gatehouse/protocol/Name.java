package io.gatehouse.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/**
 * The name of a user, group, service account, project or route: {@code ^[a-z0-9][a-z0-9-]{0,62}$}.
 * An invalid name cannot be constructed, so none travels past the edge.
 */
public record Name(String value) implements Comparable<Name> {
  public static final String RULE = "^[a-z0-9][a-z0-9-]{0,62}$";
  private static final Pattern PATTERN = Pattern.compile(RULE);

  public Name {
    if (value == null || !PATTERN.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "must be 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit");
    }
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Name of(String value) {
    return new Name(value);
  }

  public static boolean isValid(String value) {
    return value != null && PATTERN.matcher(value).matches();
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public int compareTo(Name other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
