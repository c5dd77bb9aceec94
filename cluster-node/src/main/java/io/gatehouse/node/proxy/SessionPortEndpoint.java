package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.tcp.SessionPorts;
import io.gatehouse.protocol.api.TcpSessionJson;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetAddress;

/**
 * Session ports: {@code POST /_gatehouse/tcp-sessions} with a bearer token and
 * {@code {"route","allowFrom","ttlMinutes"}} opens one for a tcp route the token may use (admitted
 * for that route by the one admission); {@code DELETE /_gatehouse/tcp-sessions/{id}} ends one of
 * the caller's (an admin's: anyone's), on whichever node holds it, and only within the token's
 * route scope.
 */
final class SessionPortEndpoint {
  private SessionPortEndpoint() {}

  static void open(GatewayCall call) {
    TcpSessionJson.Request req = call.json(TcpSessionJson.Request.class);
    if (req == null) {
      return;
    }
    InetAddress caller = call.clientAddress();
    call.admit(new Arrival.Named(req.route().value(), true), admitted -> call.later(
        () -> call.door().sessionPorts().open(admitted, req.allowFrom(), caller, req.ttlMinutes()), call::created));
  }

  static void end(GatewayCall call) {
    String id = call.path().substring((GatewayRequest.PREFIX + "tcp-sessions/").length());
    call.admit(Arrival.Gateway.INSTANCE, admitted -> call.later(
        () -> call.door().sessionPorts().end(id, admitted.token()), outcome -> {
          if (outcome == SessionPorts.Outcome.DELETED) {
            call.answer(GatewayCall.response(HttpResponseStatus.NO_CONTENT, null, null));
          } else if (outcome == SessionPorts.Outcome.OUT_OF_SCOPE) {
            call.refuse(Refusal.of(io.gatehouse.protocol.ErrorCode.FORBIDDEN,
                "this token is limited to other routes than the session port's"));
          } else {
            call.notFound("no session port '" + id + "' of yours is open");
          }
        }));
  }
}
