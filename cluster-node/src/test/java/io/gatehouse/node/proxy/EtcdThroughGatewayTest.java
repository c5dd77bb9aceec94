package io.gatehouse.node.proxy;

import static io.gatehouse.node.testing.AdminClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigValueFactory;
import io.gatehouse.node.testing.Gateway;
import io.gatehouse.node.testing.TestNodes;
import io.gatehouse.persistence.testing.FreePorts;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gRPC server no one here wrote, Debian's etcd (grpc-go), behind an {@code h2c} route,
 * called with grpc-java through the gateway's HTTP/2 door. etcd answers errors "trailers-only"
 * (one HEADERS frame with {@code grpc-status} that ends the stream): the client must see etcd's
 * own status (INVALID_ARGUMENT, UNIMPLEMENTED), not a stream that ended without one (UNKNOWN).
 * Requests are written as protobuf bytes by hand, so no generated stubs are needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdThroughGatewayTest {
  @TempDir static Path dir;
  private Process etcd;
  private Gateway gw;
  private ManagedChannel channel;
  private Gateway.Token token;

  @BeforeAll
  void start() throws Exception {
    int[] ports = FreePorts.allocate(2);
    etcd = new ProcessBuilder("etcd", "--name", "gatehouse-test", "--data-dir", dir.resolve("etcd").toString(),
        "--listen-client-urls", "http://127.0.0.1:" + ports[0], "--advertise-client-urls", "http://127.0.0.1:" + ports[0],
        "--listen-peer-urls", "http://127.0.0.1:" + ports[1], "--initial-advertise-peer-urls",
        "http://127.0.0.1:" + ports[1], "--initial-cluster", "gatehouse-test=http://127.0.0.1:" + ports[1])
        .redirectErrorStream(true).redirectOutput(dir.resolve("etcd.log").toFile()).start();
    await().atMost(Duration.ofSeconds(30)).until(() -> listening(ports[0]));

    gw = new Gateway(TestNodes.h2(dir.resolve("data"))
        .withValue("gatehouse.base-domain", ConfigValueFactory.fromAnyRef("gw.test"))
        .withValue("gatehouse.data-plane.h2c", ConfigValueFactory.fromAnyRef(true)));
    String team = gw.group();
    token = gw.userToken(gw.user(team));
    assertThat(gw.admin.post("/api/v1/routes", json("{'name':'etcd','match':{'subdomain':'etcd'},"
        + "'upstreamProtocol':'h2c','allowedGroups':['%s'],'healthCheck':{'intervalSeconds':1}}", team)).status())
        .isEqualTo(201);
    gw.register("etcd", ports[0], gw.project(List.of(team), List.of()));
    gw.awaitHealthy("etcd", 1);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", gw.node.httpPort()).overrideAuthority("etcd.gw.test")
        .usePlaintext().build();
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (gw != null) {
      gw.close();
    }
    etcd.destroy();
    etcd.waitFor(10, TimeUnit.SECONDS);
  }

  /** A unary call of {@code method} with {@code request} as protobuf bytes, without a token. */
  private byte[] call(String method, byte[] request) {
    return ClientCalls.blockingUnaryCall(channel, unary(method),
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request);
  }

  /** The same, with the token. */
  private byte[] callWithToken(String method, byte[] request) {
    Metadata auth = new Metadata();
    auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token.secret());
    var intercepted = io.grpc.ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(auth));
    return ClientCalls.blockingUnaryCall(intercepted, unary(method),
        CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), request);
  }

  private static MethodDescriptor<byte[], byte[]> unary(String method) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(method).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** Protobuf: field {@code number} (length-delimited) holding {@code value}. */
  private static byte[] field(int number, String value) {
    byte[] v = value.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[2 + v.length];
    out[0] = (byte) (number << 3 | 2);
    out[1] = (byte) v.length;
    System.arraycopy(v, 0, out, 2, v.length);
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void callsReachEtcdAndComeBack() {
    callWithToken("etcdserverpb.KV/Put", concat(field(1, "gatehouse"), field(2, "through the gateway")));

    byte[] range = callWithToken("etcdserverpb.KV/Range", field(1, "gatehouse"));

    assertThat(new String(range, StandardCharsets.ISO_8859_1)).contains("through the gateway");
  }

  @Test
  void etcdsOwnErrorStatusesArriveAsItSentThem() {
    assertThatThrownBy(() -> callWithToken("etcdserverpb.KV/Range", new byte[0]))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("key is not provided");
        });
    assertThatThrownBy(() -> callWithToken("etcdserverpb.Nothing/Here", new byte[0]))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void aCallWithoutATokenIsRefusedAsGrpcBeforeEtcdSeesIt() {
    assertThatThrownBy(() -> call("etcdserverpb.KV/Range", field(1, "gatehouse")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
  }
}
