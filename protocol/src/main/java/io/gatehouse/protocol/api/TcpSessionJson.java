package io.gatehouse.protocol.api;

import io.gatehouse.protocol.FieldError;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.net.AddressRange;
import java.time.Instant;

/** {@code POST /_gatehouse/tcp-sessions} (data plane): a session port for a tcp route. */
public final class TcpSessionJson {
  private TcpSessionJson() {}

  public static final int DEFAULT_TTL_MINUTES = 60;
  public static final int MAX_TTL_MINUTES = 24 * 60;

  /**
   * @param allowFrom the address or CIDR range connections may come from; the caller's address when omitted
   * @param ttlMinutes how long the port stays open (never past the token's expiry)
   */
  public record Request(Name route, String allowFrom, Integer ttlMinutes) {
    public Request {
      FieldError.required(route, "route");
      if (allowFrom != null) {
        try {
          AddressRange.parse(allowFrom);
        } catch (IllegalArgumentException e) {
          throw new FieldError("allowFrom", e.getMessage());
        }
      }
      ttlMinutes = ttlMinutes == null ? DEFAULT_TTL_MINUTES : ttlMinutes;
      if (ttlMinutes < 1 || ttlMinutes > MAX_TTL_MINUTES) {
        throw new FieldError("ttlMinutes", "must be between 1 and " + MAX_TTL_MINUTES);
      }
    }
  }

  /** An open session port: connect to {@code host:port} from {@code allowFrom} until {@code expiresAt}. */
  public record Session(String id, String route, String host, int port, String allowFrom, Instant expiresAt) {}
}
