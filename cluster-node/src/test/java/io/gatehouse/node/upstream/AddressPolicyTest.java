package io.gatehouse.node.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.node.route.LiveRoute;
import io.gatehouse.protocol.net.AddressRange;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Where instances may be, and that it holds on the address a connection actually reached. */
class AddressPolicyTest {
  private final AddressPolicy policy = new AddressPolicy(Set.of(9090, 7626), List.of(),
      a -> a.getHostAddress().equals("10.0.0.7"));

  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void theGatewaysOwnPortsAreRefusedOnItsOwnAddressesAndItsClusters() throws Exception {
    assertThat(policy.refusal(ip("127.0.0.1"), 9090)).contains("the gateway's own ports");
    assertThat(policy.refusal(ip("127.9.9.9"), 7626)).isNotNull();
    assertThat(policy.refusal(ip("::1"), 7626)).isNotNull();
    assertThat(policy.refusal(ip("0.0.0.0"), 9090)).isNotNull();
    assertThat(policy.refusal(ip("10.0.0.7"), 7626)).as("another node of the cluster").isNotNull();
    assertThat(policy.refusal(ip("127.0.0.1"), 8000)).isNull();
    assertThat(policy.refusal(ip("10.0.0.8"), 7626)).isNull();
  }

  @Test
  void linkLocalAndMetadataAddressesAreRefusedOnEveryPort() throws Exception {
    assertThat(policy.refusal(ip("169.254.169.254"), 80)).contains("link-local or cloud metadata");
    assertThat(policy.refusal(ip("169.254.1.2"), 8000)).isNotNull();
    assertThat(policy.refusal(ip("fe80::1"), 8000)).isNotNull();
    assertThat(policy.refusal(ip("fd00:ec2::254"), 80)).isNotNull();
  }

  @Test
  void withNetworksSetOnlyThoseAreAllowed() throws Exception {
    AddressPolicy only = new AddressPolicy(Set.of(), List.of(AddressRange.parse("10.0.0.0/8")), a -> false);

    assertThat(only.refusal(ip("10.1.2.3"), 8000)).isNull();
    assertThat(only.refusal(ip("192.168.1.1"), 8000)).contains("GATEHOUSE_INSTANCE_NETWORKS");
  }

  @Test
  void aHostNameIsCheckedOnWhatItResolvesTo() {
    assertThat(policy.refusal("localhost:9090")).isNotNull();
    assertThat(policy.refusal("localhost:8000")).isNull();
    assertThat(policy.refusal("no-such-host.invalid:80")).contains("not known");
  }

  @Test
  void aConnectionToARefusedAddressFailsWhateverTheRegistrationSaid() throws Exception {
    try (ServerSocket instance = new ServerSocket(0, 10, ip("127.0.0.1"))) {
      AddressPolicy refusesIt = new AddressPolicy(Set.of(instance.getLocalPort()), List.of(), a -> false);
      Upstreams upstreams = new Upstreams(4, (r, i, why) -> { }, null, refusesIt);
      var group = upstreams.eventLoops(1, "policy-test");
      try {
        EventLoop loop = group.next();
        LiveRoute.Target t = new LiveRoute.Target("r.1", "localhost", instance.getLocalPort(),
            "localhost:" + instance.getLocalPort(), true);
        Future<Channel> f = loop.submit(() -> upstreams.pool(loop).acquire(t, 2000, true)).get().await();
        Future<Channel> raw = loop.submit(() -> upstreams.pool(loop).connectRaw(t, 2000)).get().await();

        assertThat(f.cause()).isInstanceOf(AddressPolicy.Refused.class);
        assertThat(raw.cause()).isInstanceOf(AddressPolicy.Refused.class);
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
  }
}
