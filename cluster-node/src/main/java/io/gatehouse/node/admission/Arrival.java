package io.gatehouse.node.admission;

import io.gatehouse.node.token.Bearer;
import io.gatehouse.protocol.token.TokenId;
import java.util.List;

/**
 * What arrived at a door, described once, in the door's own terms translated to the gateway's:
 * which door, the credential, the authority, what it is for (a path to resolve, a route by name,
 * or the gateway itself), the method, the {@code Origin}, the declared body length, and the
 * scheme the client used. {@link Admission#decide} answers every door from this value alone, so
 * a rule written there holds on every door.
 *
 * @param origin the {@code Origin} header, or null
 * @param declaredLength the declared length of the body; -1 when unknown (chunked) or none
 * @param scheme {@code http} or {@code https}, as the client reached the gateway
 * @param upgrade a WebSocket upgrade (state-changing, for the origin rule)
 * @param browser a browser navigating (a GET that accepts {@code text/html}): without a
 *     credential on a browser route it is sent to sign in rather than answered 401
 */
public record Arrival(Door door, Credential credential, Authority authority, Target target, String method,
    String origin, long declaredLength, String scheme, boolean upgrade, boolean browser) {

  /** The ways in. */
  public enum Door { HTTP1, HTTP2, TUNNEL, SESSION_PORT, GATEWAY, ADMIN }

  /** What a request presents as who it is. */
  public sealed interface Credential permits None, Several, BearerToken, SessionCookie, Grant {
    /**
     * The one reading of a request's credential: its {@code Authorization} headers (the bearer
     * token; two headers are refused, never chosen between), else the gateway's session cookies.
     */
    static Credential of(Bearer bearer, List<String> sessionCookies) {
      if (bearer.several()) {
        return Several.INSTANCE;
      }
      if (bearer.present()) {
        return new BearerToken(bearer.token());
      }
      return sessionCookies.isEmpty() ? None.INSTANCE : new SessionCookie(List.copyOf(sessionCookies));
    }
  }

  public record None() implements Credential {
    public static final None INSTANCE = new None();
  }

  /** More than one {@code Authorization} header: refused rather than read. */
  public record Several() implements Credential {
    public static final Several INSTANCE = new Several();
  }

  /** The token after {@code Bearer}, not yet validated. Never printed. */
  public record BearerToken(String token) implements Credential {
    @Override
    public String toString() {
      return "BearerToken[***]";
    }
  }

  /** The values of the gateway's session cookie (a browser may hold one per route), not yet checked. */
  public record SessionCookie(List<String> values) implements Credential {
    @Override
    public String toString() {
      return "SessionCookie[" + values.size() + " value(s), ***]";
    }
  }

  /**
   * A connection on a session port: the port was opened with a token, proved then; each new
   * connection is admitted as that token stands now.
   */
  public record Grant(TokenId tokenId) implements Credential {}

  /** What the arrival is for. */
  public sealed interface Target permits Path, Named, Gateway {}

  /** A request target (path and query) that names its route by host and path prefix. */
  public record Path(String uri) implements Target {}

  /** A route named outright: the tunnel's and a session port's (tcp), a browser link's (http). */
  public record Named(String route, boolean tcp) implements Target {}

  /** The gateway itself (the admin API, a gateway endpoint that names no route): who, and nothing more. */
  public record Gateway() implements Target {
    public static final Gateway INSTANCE = new Gateway();
  }

  /** Whether the method changes state (the origin rule applies to it, and to upgrades). */
  public boolean stateChanging() {
    return upgrade || !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
  }
}
