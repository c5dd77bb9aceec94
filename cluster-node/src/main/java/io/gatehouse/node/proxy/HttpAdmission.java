package io.gatehouse.node.proxy;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.HostName;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.admission.RequestPath;
import io.gatehouse.node.token.Bearer;
import io.gatehouse.node.token.TokenCache;
import io.gatehouse.node.token.TokenValidation;
import io.gatehouse.node.upstream.UpstreamLeg;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@link Admission} for an HTTP/1.1 request head: first what HTTP itself forbids (a head the
 * decoder could not read, two {@code Host} headers, a host no host has: 400), then the bearer
 * credential, then the token (from memory, or its entity on a miss), then route, RBAC and body
 * limit. Every HTTP/1.1 door of the data plane asks it.
 */
final class HttpAdmission {
  private HttpAdmission() {}

  /** Decides on {@code request}; {@code then} runs at once, or on {@code loop} once the cluster answered. */
  static void decide(HttpRequest request, Admission admission, TokenCache.Memo memo, Executor loop,
      Consumer<Admission.Decision> then) {
    Refusal framing = framing(request);
    if (framing != null) {
      then.accept(framing);
      return;
    }
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    String host;
    try {
      host = HostName.parse(hosts.isEmpty() ? null : hosts.get(0));
    } catch (RequestPath.Invalid e) {
      then.accept(Refusal.invalid("Host", e.getMessage()));
      return;
    }
    Bearer bearer = Bearer.read(request.headers().valueStringIterator(HttpHeaderNames.AUTHORIZATION));
    Refusal credential = admission.credentialProblem(bearer);
    if (credential != null) {
      then.accept(credential);
      return;
    }
    String target = request.uri();
    long declared = HttpUtil.getContentLength(request, -1L);
    TokenValidation known = admission.fromMemory(bearer, memo);
    if (known != null) {
      then.accept(admission.admit(known, host, target, declared));
      return;
    }
    admission.fromEntity(bearer).whenComplete((v, failure) -> loop.execute(() -> then.accept(
        failure != null ? Refusal.tokenCheckUnavailable() : admission.admit(v, host, target, declared))));
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
