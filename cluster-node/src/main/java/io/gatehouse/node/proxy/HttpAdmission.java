package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.HostName;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.admission.RequestPath;
import io.gatehouse.node.browser.BrowserSessions;
import io.gatehouse.node.browser.SessionCookie;
import io.gatehouse.node.token.Bearer;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.node.upstream.UpstreamLeg;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@link Admission} for an HTTP/1.1 request head: first what HTTP itself forbids (a head the
 * decoder could not read, two {@code Host} headers, a host no host has: 400), then the
 * credential, then the token, then route, RBAC and body limit. Every HTTP/1.1 door asks it.
 *
 * <p>The credential is a bearer token, or, without an {@code Authorization} header, the
 * gateway's session cookie on a browser route: the session stands for its token and is admitted
 * as that token is, on its own host only, and never for a cross-origin request that changes
 * state. A browser ({@code Accept: text/html}) without a credential on a browser route is sent
 * to sign in; every other client gets the 401.
 */
final class HttpAdmission {
  private HttpAdmission() {}

  /** What a request comes with, read once. */
  private record Head(HttpRequest request, String host, String target, long declared, String scheme) {}

  /** Decides on {@code request}; {@code then} runs at once, or on {@code loop} once the cluster answered. */
  static void decide(HttpRequest request, HttpDoor door, FrontendHandler connection, Executor loop,
      Consumer<Admission.Decision> then) {
    Refusal framing = framing(request);
    if (framing != null) {
      then.accept(framing);
      return;
    }
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    Head head;
    try {
      head = new Head(request, HostName.parse(hosts.isEmpty() ? null : hosts.get(0)), request.uri(),
          HttpUtil.getContentLength(request, -1L), connection.scheme());
    } catch (RequestPath.Invalid e) {
      then.accept(Refusal.invalid("Host", e.getMessage()));
      return;
    }
    Admission admission = door.admission();
    Bearer bearer = Bearer.read(request.headers().valueStringIterator(HttpHeaderNames.AUTHORIZATION));
    if (!bearer.present() && !bearer.several()) {
      String cookie = SessionCookie.find(request.headers().getAll(HttpHeaderNames.COOKIE));
      if (cookie != null) {
        bySession(head, cookie, door, connection, loop, then);
      } else {
        then.accept(unauthenticated(head, admission, Refusal.missingToken()));
      }
      return;
    }
    Refusal credential = admission.credentialProblem(bearer);
    if (credential != null) {
      then.accept(credential);
      return;
    }
    TokenValidation known = admission.fromMemory(bearer, connection.tokenMemo());
    if (known != null) {
      then.accept(admission.admit(known, head.host(), head.target(), head.declared()));
      return;
    }
    admission.fromEntity(bearer).whenComplete((v, failure) -> loop.execute(() -> then.accept(failure != null
        ? Refusal.tokenCheckUnavailable() : admission.admit(v, head.host(), head.target(), head.declared()))));
  }

  private static void bySession(Head head, String cookie, HttpDoor door, FrontendHandler connection, Executor loop,
      Consumer<Admission.Decision> then) {
    BrowserSessions sessions = door.sessions();
    BrowserSessions.Check known = sessions.fromMemory(cookie, head.host(), connection.sessionMemo());
    if (known != null) {
      admitSession(head, known, door, loop, then);
      return;
    }
    sessions.fromEntity(cookie, head.host()).whenComplete((c, failure) -> loop.execute(() -> {
      if (failure != null) {
        then.accept(Refusal.tokenCheckUnavailable());
      } else {
        admitSession(head, c, door, loop, then);
      }
    }));
  }

  private static void admitSession(Head head, BrowserSessions.Check check, HttpDoor door, Executor loop,
      Consumer<Admission.Decision> then) {
    Admission admission = door.admission();
    if (check instanceof BrowserSessions.Invalid invalid) {
      then.accept(unauthenticated(head, admission, Refusal.noSession(invalid.why())));
      return;
    }
    BrowserSessions.Valid session = (BrowserSessions.Valid) check;
    CompletionStage<TokenValidation> token = admission.ofSession(session.tokenId());
    var now = token.toCompletableFuture();
    if (now.isDone() && !now.isCompletedExceptionally()) {
      then.accept(inSession(head, session, now.join(), door));
      return;
    }
    token.whenComplete((v, failure) -> loop.execute(() -> then.accept(
        failure != null ? Refusal.tokenCheckUnavailable() : inSession(head, session, v, door))));
  }

  /** A session's request, admitted as its token would be, on a browser route and from its own origin only. */
  private static Admission.Decision inSession(Head head, BrowserSessions.Valid session, TokenValidation token,
      HttpDoor door) {
    Admission admission = door.admission();
    Admission.Decision d = admission.admit(token, head.host(), head.target(), head.declared());
    if (d instanceof Refusal r) {
      return r.code().status() == 401 ? unauthenticated(head, admission, r) : r;
    }
    Admission.Admitted a = (Admission.Admitted) d;
    if (!a.route().definition().isBrowser()) {
      // A session cookie counts on browser routes only; elsewhere it is as if there were none.
      return Refusal.missingToken();
    }
    String origin = head.request().headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !safe(head.request().method()) && !door.sameOrigin(origin, head.scheme(),
        head.request().headers().get(HttpHeaderNames.HOST))) {
      return Refusal.crossOrigin(origin);
    }
    return a.inSession(session.sessionId());
  }

  /** No credential, or no good one: a browser on a browser route is sent to sign in; others get {@code r}. */
  private static Admission.Decision unauthenticated(Head head, Admission admission, Refusal r) {
    String accept = head.request().headers().get(HttpHeaderNames.ACCEPT);
    boolean browser = accept != null && accept.contains("text/html") && head.request().method().equals(HttpMethod.GET);
    return browser && admission.isBrowserRoute(head.host(), head.target()) ? r.toSignIn(head.target()) : r;
  }

  private static boolean safe(HttpMethod m) {
    return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS);
  }

  /** What HTTP itself forbids of a request head, or null. */
  private static Refusal framing(HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      return Refusal.invalid("request", UpstreamLeg.describe(request.decoderResult().cause()));
    }
    int hosts = request.headers().getAll(HttpHeaderNames.HOST).size();
    return hosts > 1 ? Refusal.invalid("Host", "a request has one Host header; this one has " + hosts) : null;
  }
}
