package io.gatehouse.node.admin;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Authority;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.token.Bearer;
import io.gatehouse.protocol.ErrorCode;
import java.util.List;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Authentication of the admin API, by the one admission (door {@link Arrival.Door#ADMIN}): a
 * bearer token, never a cookie (the admin API ignores the browser session cookie). Missing or
 * invalid: 401 with the challenge, before anything else about the request is looked at. Most
 * calls then need an admin principal (else 403); registrations also admit a service account with
 * {@code canRegister}. A call that names a route (a browser link with the caller's own token) is
 * admitted again for that route, from the same arrival.
 */
final class AdminAuth extends AdminDirectives {
  private final Admission admission;
  private final String node;

  AdminAuth(Admission admission, String node) {
    this.admission = admission;
    this.node = node;
  }

  /** Any valid token; {@code inner} decides what the caller may do. */
  Route caller(Function<AdminCaller, Route> inner) {
    return extractRequest(request -> {
      Bearer bearer = Bearer.read(StreamSupport.stream(request.getHeaders().spliterator(), false)
          .filter(h -> h.is("authorization"))
          .map(HttpHeader::value)
          .iterator());
      Arrival arrival = new Arrival(Arrival.Door.ADMIN, Arrival.Credential.of(bearer, List.of()), Authority.NONE,
          Arrival.Gateway.INSTANCE, request.method().value(), null, -1, "http", false, false);
      return onSuccess(admission.decide(arrival), d -> {
        if (d instanceof Refusal r) {
          return complete(Responses.refusal(r));
        }
        Admission.Admitted a = (Admission.Admitted) d;
        return inner.apply(new AdminCaller(a.token(), node, arrival));
      });
    });
  }

  /** Only an admin principal gets past this: anyone else gets 403. */
  Route admin(AdminCaller caller, java.util.function.Supplier<Route> inner) {
    if (!caller.admin()) {
      return complete(Responses.error(ErrorCode.FORBIDDEN,
          caller.principal().display() + " is not an admin; the admin API needs an admin principal"));
    }
    return inner.get();
  }
}
