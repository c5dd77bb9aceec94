package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.node.browser.SessionCookie;
import io.gatehouse.node.browser.SignInPage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Signing a browser in and out. {@code GET /_gatehouse/signin?code=...} opens a browser link's
 * session; without a code it shows the page where a person pastes a token, which {@code POST
 * /_gatehouse/signin} takes as a form (admitted by the one admission for the path {@code next}
 * names on this host, which must be a browser route's); either answers 303 to {@code next} with
 * the session cookie. {@code POST /_gatehouse/signout} ends the sessions its cookie holds (each
 * only with its own secret). A browser gets the page again with the problem; others the JSON error.
 */
final class SignInEndpoint {
  private SignInEndpoint() {}

  /** {@code GET /_gatehouse/signin}: the page, or a link's code opened. */
  static void page(GatewayCall call) {
    String code = call.param("code");
    if (code == null) {
      call.answer(page(call.param("next"), null, HttpResponseStatus.OK));
      return;
    }
    List<SessionCookie.Value> held = held(call);
    call.later(() -> call.door().links().redeem(code, call.arrival().authority().host(), call.door().node()),
        opened -> signedIn(call, opened, held));
  }

  /** {@code POST /_gatehouse/signin}: a token pasted into the page, and where to go. */
  static void form(GatewayCall call) {
    Arrival at = call.arrival();
    if (at.origin() != null && !at.origin().equalsIgnoreCase(at.authority().origin(at.scheme()))
        && !at.origin().equalsIgnoreCase(at.authority().origin(call.door().publicScheme()))) {
      call.refuse(Refusal.crossOrigin(at.origin()));
      return;
    }
    Map<String, List<String>> form = GatewayCall.fields(new String(call.body(), StandardCharsets.UTF_8));
    if (form == null) {
      call.refuse(Refusal.invalid("form", "has a malformed percent-encoding"));
      return;
    }
    String token = GatewayCall.first(form, "token");
    String next = GatewayCall.first(form, "next");
    if (token == null || token.isBlank()) {
      call.refuse(Refusal.invalid("token", "paste a token to sign in"));
      return;
    }
    if (next == null || !BrowserLinks.isLocalPath(next)) {
      call.refuse(Refusal.invalid("next", "must be a path on a browser route of this host (starting with one '/')"));
      return;
    }
    // The pasted token is admitted exactly as a request for next would be, on this host.
    Arrival pasted = new Arrival(Arrival.Door.GATEWAY, new Arrival.BearerToken(token.trim()), at.authority(),
        new Arrival.Path(next), "GET", null, -1, at.scheme(), false, false);
    List<SessionCookie.Value> held = held(call);
    call.decide(pasted, admitted -> call.later(
        () -> call.door().links().signIn(admitted, at.authority().host(), next, call.door().node()),
        opened -> signedIn(call, opened, held)));
  }

  /** {@code POST /_gatehouse/signout}: the cookie's sessions end (those whose secret it has), and the cookie goes. */
  static void signOut(GatewayCall call) {
    List<SessionCookie.Value> held = held(call);
    call.later(() -> call.door().links().signOut(held, call.door().node()), done -> {
      boolean html = call.accepts("text/html");
      FullHttpResponse r = GatewayCall.response(html ? HttpResponseStatus.SEE_OTHER : HttpResponseStatus.NO_CONTENT,
          null, null);
      if (html) {
        r.headers().set(HttpHeaderNames.LOCATION, GatewayRequest.PREFIX + "signin");
      }
      r.headers().add(HttpHeaderNames.SET_COOKIE, SessionCookie.clear(call.secure()));
      call.answer(r);
    });
  }

  /** The sessions the browser already holds on this host: signing in to one more route keeps them. */
  private static List<SessionCookie.Value> held(GatewayCall call) {
    return SessionCookie.sessions(SessionCookie.find(call.request().headers().getAll(HttpHeaderNames.COOKIE)));
  }

  private static void signedIn(GatewayCall call, BrowserLinks.Opened opened, List<SessionCookie.Value> held) {
    FullHttpResponse r = GatewayCall.response(HttpResponseStatus.SEE_OTHER, null, null);
    r.headers().set(HttpHeaderNames.LOCATION, opened.next());
    r.headers().add(HttpHeaderNames.SET_COOKIE, SessionCookie.set(opened.cookie(), held, call.secure()));
    call.answer(r);
  }

  /** Whether a refusal of {@code request} is answered with the page (a browser at the sign-in endpoint). */
  static boolean showsPage(HttpRequest request) {
    String accept = request.headers().get(HttpHeaderNames.ACCEPT);
    String uri = request.uri();
    return accept != null && accept.contains("text/html") && !request.method().equals(HttpMethod.DELETE)
        && (uri.equals(GatewayRequest.PREFIX + "signin") || uri.startsWith(GatewayRequest.PREFIX + "signin?"));
  }

  /** The page again, with the problem. */
  static FullHttpResponse page(HttpRequest request, Refusal why) {
    int q = request.uri().indexOf('?');
    Map<String, List<String>> query = q < 0 ? null : GatewayCall.fields(request.uri().substring(q + 1));
    String next = query == null ? null : GatewayCall.first(query, "next");
    return page(next, why.message(), HttpResponseStatus.valueOf(why.status()));
  }

  private static FullHttpResponse page(String next, String problem, HttpResponseStatus status) {
    FullHttpResponse r = GatewayCall.response(status, "text/html; charset=utf-8", SignInPage.render(next, problem));
    r.headers().set("Content-Security-Policy", SignInPage.POLICY);
    r.headers().set("X-Frame-Options", "DENY");
    r.headers().set("Referrer-Policy", "no-referrer");
    return r;
  }
}
