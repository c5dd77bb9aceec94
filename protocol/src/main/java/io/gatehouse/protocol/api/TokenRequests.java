package io.gatehouse.protocol.api;

import io.gatehouse.protocol.FieldError;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.PrincipalRef;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Request bodies of the Tokens section of API.md. */
public final class TokenRequests {
  private TokenRequests() {}

  public static final int MAX_LABEL = 200;
  public static final int MAX_METADATA_PAIRS = 20;
  public static final int MAX_METADATA_KEY = 64;
  public static final int MAX_METADATA_VALUE = 256;
  public static final int MAX_ROUTES = 100;

  /**
   * {@code POST /tokens}. The lifetime bounds depend on policy ({@code max-expiry-days}), so they
   * are checked by {@link #lifetimeHours(int)}, not here.
   */
  public record Issue(
      String label,
      Integer expiresInDays,
      Integer expiresInHours,
      PrincipalRef principal,
      List<Name> routes,
      Map<String, String> metadata) {
    public Issue {
      FieldError.required(label, "label");
      if (label.isBlank()) {
        throw new FieldError("label", "must not be blank");
      }
      if (label.length() > MAX_LABEL) {
        throw new FieldError("label", "is longer than " + MAX_LABEL + " characters");
      }
      if (expiresInDays == null && expiresInHours == null) {
        throw new FieldError("expiresInDays", "is required (an integer number of days)");
      }
      if (expiresInDays != null && expiresInHours != null) {
        throw new FieldError("expiresInHours", "cannot be given together with expiresInDays");
      }
      FieldError.required(principal, "principal");
      if (routes != null) {
        if (routes.isEmpty()) {
          throw new FieldError("routes", "must name at least one route when present");
        }
        if (routes.size() > MAX_ROUTES) {
          throw new FieldError("routes", "has more than " + MAX_ROUTES + " entries");
        }
        routes = DirectoryRequests.distinct(routes, "routes");
      }
      metadata = checkedMetadata(metadata);
    }

    /** The requested lifetime in hours, checked against the policy maximum in days. */
    public long lifetimeHours(int maxExpiryDays) {
      if (expiresInDays != null) {
        if (expiresInDays < 1 || expiresInDays > maxExpiryDays) {
          throw new FieldError("expiresInDays", "must be an integer from 1 to " + maxExpiryDays);
        }
        return expiresInDays * 24L;
      }
      long maxHours = maxExpiryDays * 24L;
      if (expiresInHours < 1 || expiresInHours > maxHours) {
        throw new FieldError("expiresInHours", "must be an integer from 1 to " + maxHours);
      }
      return expiresInHours;
    }
  }

  static Map<String, String> checkedMetadata(Map<String, String> metadata) {
    if (metadata == null) {
      return Map.of();
    }
    if (metadata.size() > MAX_METADATA_PAIRS) {
      throw new FieldError("metadata", "has more than " + MAX_METADATA_PAIRS + " pairs");
    }
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_METADATA_KEY) {
        throw new FieldError("metadata", "keys must be 1 to " + MAX_METADATA_KEY + " characters");
      }
      if (e.getValue() == null) {
        throw new FieldError("metadata." + e.getKey(), "must be a string, not null");
      }
      if (e.getValue().length() > MAX_METADATA_VALUE) {
        throw new FieldError("metadata." + e.getKey(), "is longer than " + MAX_METADATA_VALUE + " characters");
      }
    }
    return new TreeMap<>(metadata);
  }
}
