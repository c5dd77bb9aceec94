package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestCertificates;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * grpc-java through the gateway (API.md "HTTP/2 and gRPC"): the standard health service (unary
 * {@code Check}, server-streaming {@code Watch}) on subdomain routes, over h2c with prior
 * knowledge and over TLS h2 from the client, to an {@code h2c} and an {@code h2} (TLS) instance.
 * Refusals arrive as gRPC statuses: UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GrpcTest {
  @TempDir static Path dir;
  private Gateway gw;
  private TestCertificates.Pem gatewayCert;
  private final HealthStatusManager health = new HealthStatusManager();
  private final HealthStatusManager tlsHealth = new HealthStatusManager();
  private Server plain;
  private Server tls;
  private String team;
  private Gateway.Token token;

  @BeforeAll
  void start() throws Exception {
    gatewayCert = TestCertificates.write(dir, "gateway", "gateway");
    TestCertificates.Pem upstreamCert = TestCertificates.write(dir, "upstream", "upstream");
    plain = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(health.getHealthService()).build().start();
    tls = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(GrpcSslContexts.forServer(upstreamCert.certificate().toFile(), upstreamCert.key().toFile()).build())
        .addService(tlsHealth.getHealthService()).build().start();
    health.setStatus("", ServingStatus.SERVING);
    tlsHealth.setStatus("", ServingStatus.SERVING);

    Config config = TestNodes.h2(dir.resolve("data"))
        .withValue("gatehouse.base-domain", ConfigValueFactory.fromAnyRef("gw.test"))
        .withValue("gatehouse.https-port", ConfigValueFactory.fromAnyRef(FreePorts.allocate(1)[0]))
        .withValue("gatehouse.tls.cert", ConfigValueFactory.fromAnyRef(gatewayCert.certificate().toString()))
        .withValue("gatehouse.tls.key", ConfigValueFactory.fromAnyRef(gatewayCert.key().toString()))
        .withValue("gatehouse.data-plane.h2c", ConfigValueFactory.fromAnyRef(true))
        .withValue("gatehouse.data-plane.upstream-ca-cert",
            ConfigValueFactory.fromAnyRef(upstreamCert.certificate().toString()));
    gw = new Gateway(config);
    team = gw.group();
    String project = gw.project(List.of(team), List.of());
    token = gw.userToken(gw.user(team));
    route("grpc", "h2c", plain.getPort(), project);
    route("grpc-tls", "h2", tls.getPort(), project);
    assertThat(gw.admin.post("/api/v1/routes", json("{'name':'grpc-down','match':{'subdomain':'grpc-down'},"
        + "'upstreamProtocol':'h2c','allowedGroups':['%s']}", team)).status()).isEqualTo(201);
  }

  private void route(String name, String upstreamProtocol, int port, String project) {
    var made = gw.admin.post("/api/v1/routes", json("{'name':'%s','match':{'subdomain':'%s'},'upstreamProtocol':'%s',"
        + "'allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}}", name, name, upstreamProtocol, team));
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    assertThat(made.json().path("upstreamProtocol").asText()).isEqualTo(upstreamProtocol);
    gw.register(name, port, project);
    gw.awaitHealthy(name, 1);
  }

  @AfterAll
  void stop() throws Exception {
    plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    gw.close();
  }

  private ManagedChannel h2c(String subdomain) {
    return NettyChannelBuilder.forAddress("127.0.0.1", gw.node.httpPort()).usePlaintext()
        .overrideAuthority(subdomain + ".gw.test").build();
  }

  private ManagedChannel overTls(String subdomain) throws Exception {
    return NettyChannelBuilder.forAddress("127.0.0.1", gw.node.httpsPort()).overrideAuthority(subdomain + ".gw.test")
        .sslContext(GrpcSslContexts.forClient().trustManager(gatewayCert.certificate().toFile()).build()).build();
  }

  private static HealthGrpc.HealthBlockingStub stub(ManagedChannel ch, String bearer) {
    HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
    if (bearer == null) {
      return stub;
    }
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearer);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
  }

  @Test
  void unaryAndServerStreamingOverH2cToAnH2cInstance() throws Exception {
    ManagedChannel ch = h2c("grpc");
    try {
      checkAndWatch(ch, health);
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void unaryAndServerStreamingOverTlsToAnH2Instance() throws Exception {
    ManagedChannel ch = overTls("grpc-tls");
    try {
      checkAndWatch(ch, tlsHealth);
      // And the h2c instance over the TLS door too.
      ManagedChannel other = overTls("grpc");
      assertThat(stub(other, token.secret()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.SERVING);
      other.shutdownNow();
    } finally {
      ch.shutdownNow();
    }
  }

  /** A unary Check, then a Watch that streams each change of the instance's status as it happens. */
  private void checkAndWatch(ManagedChannel ch, HealthStatusManager instance) {
    assertThat(stub(ch, token.secret()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
        .isEqualTo(ServingStatus.SERVING);
    Iterator<io.grpc.health.v1.HealthCheckResponse> watch = stub(ch, token.secret())
        .watch(HealthCheckRequest.getDefaultInstance());
    assertThat(watch.next().getStatus()).isEqualTo(ServingStatus.SERVING);
    instance.setStatus("", ServingStatus.NOT_SERVING);
    assertThat(watch.next().getStatus()).isEqualTo(ServingStatus.NOT_SERVING);
    instance.setStatus("", ServingStatus.SERVING);
    assertThat(watch.next().getStatus()).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void refusalsArriveAsGrpcStatuses() throws Exception {
    ManagedChannel ch = h2c("grpc");
    ManagedChannel down = h2c("grpc-down");
    try {
      assertStatus(() -> stub(ch, null).check(HealthCheckRequest.getDefaultInstance()), Status.Code.UNAUTHENTICATED);
      assertStatus(() -> stub(ch, "gth_not-a-real-token").check(HealthCheckRequest.getDefaultInstance()),
          Status.Code.UNAUTHENTICATED);
      String outsider = gw.userToken(gw.user(gw.group())).secret();
      assertStatus(() -> stub(ch, outsider).check(HealthCheckRequest.getDefaultInstance()), Status.Code.PERMISSION_DENIED);
      assertStatus(() -> stub(down, token.secret()).check(HealthCheckRequest.getDefaultInstance()),
          Status.Code.UNAVAILABLE);
      // The stream is refused; the connection (and its other calls) goes on.
      assertThat(stub(ch, token.secret()).check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.SERVING);
    } finally {
      ch.shutdownNow();
      down.shutdownNow();
    }
  }

  private static void assertStatus(Runnable call, Status.Code code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).isNotBlank();
    });
  }
}
