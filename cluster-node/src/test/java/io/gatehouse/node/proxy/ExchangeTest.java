package io.gatehouse.node.proxy;

import static io.gatehouse.node.proxy.EmbeddedDataPlane.send;
import static io.gatehouse.node.proxy.EmbeddedDataPlane.written;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.persistence.token.TokenSecrets;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One request through the HTTP/1.1 door on embedded channels: the client connection and the
 * instances are channels the test holds, so each phase of an exchange is seen byte for byte,
 * without a socket or a node: what reaches the instance, what the client gets, how a pooled
 * connection that died is retried, how the lifecycle records each exchange exactly once, and that
 * no failure leaves the client without an answer.
 */
class ExchangeTest {
  private EmbeddedDataPlane dp;
  private TokenSecrets.Generated alice;
  private EmbeddedChannel client;

  @BeforeEach
  void setUp() {
    dp = new EmbeddedDataPlane();
    dp.route("llm", 1, b -> b);
    alice = dp.token();
    client = dp.client();
  }

  private String get(String path, String extra) {
    return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + alice.token() + "\r\n" + extra
        + "\r\n";
  }

  @Test
  void anAdmittedRequestReachesTheInstanceRewrittenAndItsAnswerTheClient() {
    send(client, get("/llm/v1/models?x=1", "X-Gatehouse-Principal: user:root\r\nX_Forwarded_For: 6.6.6.6\r\n"));

    String sent = written(dp.upstreams.get(0));
    assertThat(sent).startsWith("GET /v1/models?x=1 HTTP/1.1\r\n")
        .contains("host: 10.0.0.1:8000", "X-Forwarded-Host: gw.test", "X-Forwarded-Proto: http",
            "X-Gatehouse-Principal: user:alice", "X-Gatehouse-Token-Id: " + alice.id().value())
        .doesNotContain("authorization", "Authorization", alice.token(), "user:root", "6.6.6.6", "X_Forwarded_For");

    dp.answer(0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", client);

    String answer = written(client);
    assertThat(answer).startsWith("HTTP/1.1 200 OK\r\n").contains("X-Gatehouse-Instance: llm.1", "X-Request-Id: ")
        .endsWith("\r\n\r\nok");
    assertThat(dp.finished).singleElement().satisfies(x -> {
      assertThat(x.status()).isEqualTo(200);
      assertThat(x.instanceId()).isEqualTo("llm.1");
      assertThat(x.admittedAs().route().name()).isEqualTo("llm");
      assertThat(x.bytesOutCount()).isEqualTo(2);
    });
    assertThat(dp.open.active()).isZero();
  }

  @Test
  void aKeptAliveConnectionTakesTheNextRequestOnThePooledInstanceConnection() {
    send(client, get("/llm/a", ""));
    dp.answer(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", client);
    send(client, get("/llm/b", ""));
    dp.answer(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb", client);

    assertThat(dp.upstreams).as("one connection to the instance, reused").hasSize(1);
    assertThat(written(client)).contains("\r\n\r\na").endsWith("\r\n\r\nb");
    assertThat(dp.finished).hasSize(2);
  }

  @Test
  void aRefusedRequestIsAnsweredByTheGatewayAndReachesNoInstance() {
    send(client, "GET /llm/x HTTP/1.1\r\nHost: gw.test\r\n\r\n");

    assertThat(written(client)).startsWith("HTTP/1.1 401 Unauthorized\r\n")
        .contains("www-authenticate: Bearer realm=\"gatehouse\"", "\"error\":\"invalid_token\"");
    assertThat(dp.upstreams).isEmpty();
    assertThat(dp.finished).singleElement().satisfies(x -> {
      assertThat(x.status()).isEqualTo(401);
      assertThat(x.admittedAs()).isNull();
    });
  }

  @Test
  void anAnswerThatStreamsReachesTheClientChunkByChunk() {
    send(client, get("/llm/sse", ""));
    dp.answer(0, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "8\r\ndata: 1\n\r\n", client);
    assertThat(written(client)).contains("text/event-stream").endsWith("8\r\ndata: 1\n\r\n");

    dp.answer(0, "8\r\ndata: 2\n\r\n", client);
    assertThat(written(client)).isEqualTo("8\r\ndata: 2\n\r\n");

    dp.answer(0, "0\r\n\r\n", client);
    assertThat(written(client)).isEqualTo("0\r\n\r\n");
    assertThat(dp.finished).hasSize(1);
  }

  @Test
  void aPooledConnectionTheInstanceClosedIsRetriedOnceOnAFreshOne() {
    send(client, get("/llm/a", ""));
    dp.answer(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na", client);
    written(client);

    send(client, get("/llm/b", ""));
    dp.upstreams.get(0).close();
    EmbeddedDataPlane.settle(client);
    dp.answer(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb", client);

    assertThat(dp.upstreams).hasSize(2);
    assertThat(written(dp.upstreams.get(1))).startsWith("GET /b HTTP/1.1");
    assertThat(written(client)).startsWith("HTTP/1.1 200 OK").endsWith("b");
  }

  @Test
  void anInstanceThatCannotBeReachedIsA502() {
    dp.dialFailure = new IllegalStateException("connection refused");

    send(client, get("/llm/x", ""));

    assertThat(written(client)).startsWith("HTTP/1.1 502 Bad Gateway\r\n").contains("upstream_unavailable");
    assertThat(dp.finished).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(502));
  }

  @Test
  void anInstanceThatClosesMidAnswerCutsTheClientToo() {
    send(client, get("/llm/big", ""));
    dp.answer(0, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", client);
    dp.upstreams.get(0).close();
    EmbeddedDataPlane.settle(client);

    assertThat(client.isActive()).isFalse();
    assertThat(dp.finished).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(200));
  }

  @Test
  void anExchangeWhoseTokenIsRevokedBeforeItsAnswerIsRefusedWithTheReason() {
    send(client, get("/llm/slow", ""));
    revoke();
    EmbeddedDataPlane.settle(client);

    assertThat(written(client)).startsWith("HTTP/1.1 401").contains("has been revoked");
    assertThat(dp.finished).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(401));
  }

  private void revoke() {
    var alice = io.gatehouse.protocol.PrincipalRef.user("alice");
    dp.tokens.apply(new io.gatehouse.persistence.token.TokenEntity.TokenRevoked(this.alice.id(), alice,
        io.gatehouse.persistence.token.RevocationReason.REVOKED,
        new io.gatehouse.persistence.Audit("test", dp.clock.instant(), "node")), 2);
    dp.open.tokenRevoked(this.alice.id());
  }

  @Test
  void aFailureNoRuleForesawStillGetsAnAnswer() {
    client.pipeline().addBefore("frontend", "boom", new io.netty.channel.ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
        ctx.fireChannelRead(msg);
        if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
          ctx.fireExceptionCaught(new IllegalStateException("a bug"));
        }
      }
    });

    send(client, get("/llm/x", ""));

    assertThat(written(client)).startsWith("HTTP/1.1 500 Internal Server Error\r\n").contains("\"error\":\"internal\"");
    assertThat(dp.finished).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(500));
  }

  @Test
  void aBodyOverTheRoutesLimitIsRefusedBeforeAnyOfItIsReadAndTheConnectionEnds() {
    dp.route("small", 1, b -> b.maxRequestBodyBytes(4));
    send(client, "POST /small/x HTTP/1.1\r\nHost: gw.test\r\nAuthorization: Bearer " + alice.token()
        + "\r\nContent-Length: 100\r\n\r\n");

    assertThat(written(client)).startsWith("HTTP/1.1 413").contains("connection: close");
    assertThat(dp.upstreams).isEmpty();
    assertThat(client.isActive()).isFalse();
  }

  @Test
  void everyExchangeIsRecordedExactlyOnceWhateverEndsIt() {
    send(client, get("/llm/a", ""));
    client.close();
    EmbeddedDataPlane.settle(client);

    assertThat(dp.finished).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(499));
    assertThat(dp.open.active()).isZero();
    assertThat(dp.open.count()).isZero();
    OpenExchanges.Open x = dp.finished.get(0);
    assertThat(x.finish(200)).as("a second finish does nothing").isFalse();
    assertThat(dp.finished).hasSize(1);
  }
}
