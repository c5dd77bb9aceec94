package io.gatehouse.node.upstream;

import io.gatehouse.protocol.net.AddressRange;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where an instance may be: never one of the gateway's own ports on an address of its own (its
 * loopback, any of its interfaces, the other nodes of its cluster), never a link-local or cloud
 * metadata address ({@code 169.254.0.0/16}, {@code fe80::/10}, {@code fd00:ec2::254}), and,
 * when {@code GATEHOUSE_INSTANCE_NETWORKS} is set, only inside those networks. Whoever registers
 * an instance could otherwise aim the data plane at the node's management port, its
 * {@code /metrics}, or the cloud's credentials endpoint.
 *
 * <p>Checked where a registration names the address (a host name is resolved then) and again on
 * the address every connection actually reached (a name may resolve elsewhere later), for
 * requests and health checks alike.
 */
public final class AddressPolicy {
  private static final InetAddress AWS_METADATA_V6 = literal("fd00:ec2::254");

  private final Set<Integer> ownPorts;
  private final List<AddressRange> networks;
  private final Set<InetAddress> ownAddresses;
  private final Predicate<InetAddress> clusterHost;

  /**
   * @param ownPorts every port this node listens on (data plane, admin, management, remoting, session ports)
   * @param networks the networks instances must be in; empty: anywhere but the refused
   * @param clusterHost whether an address is one of the cluster's nodes (they listen on the same ports)
   */
  public AddressPolicy(Set<Integer> ownPorts, List<AddressRange> networks, Predicate<InetAddress> clusterHost) {
    this.ownPorts = Set.copyOf(ownPorts);
    this.networks = List.copyOf(networks);
    this.ownAddresses = interfaceAddresses();
    this.clusterHost = clusterHost;
  }

  /** A policy that allows any address (tests of parts that do not connect). */
  public static AddressPolicy any() {
    return new AddressPolicy(Set.of(), List.of(), a -> false);
  }

  /** Why an instance at {@code address:port} may not be used, as a sentence; null when it may. */
  public String refusal(InetAddress address, int port) {
    if (address.isLinkLocalAddress() || address.equals(AWS_METADATA_V6)) {
      return address.getHostAddress() + " is a link-local or cloud metadata address";
    }
    boolean own = address.isLoopbackAddress() || address.isAnyLocalAddress() || ownAddresses.contains(address)
        || clusterHost.test(address);
    if (own && ownPorts.contains(port)) {
      return address.getHostAddress() + ":" + port + " is one of the gateway's own ports";
    }
    if (!networks.isEmpty() && networks.stream().noneMatch(n -> n.contains(address))) {
      return address.getHostAddress() + " is outside the networks instances may be on (GATEHOUSE_INSTANCE_NETWORKS)";
    }
    return null;
  }

  /**
   * Why a registration's {@code host:port} may not be used, resolving a host name (a blocking
   * lookup: call it off the event loops); null when every address it names may.
   */
  public String refusal(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return "host '" + host + "' is not known";
    }
    for (InetAddress a : addresses) {
      String why = refusal(a, port);
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  private static Set<InetAddress> interfaceAddresses() {
    Set<InetAddress> out = new HashSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        out.addAll(Collections.list(nif.getInetAddresses()));
      }
    } catch (SocketException e) {
      // Without the list, loopback and the cluster's hosts are still refused.
    }
    return Set.copyOf(out);
  }

  private static InetAddress literal(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A connection reached an address the policy refuses. */
  public static final class Refused extends java.io.IOException {
    public Refused(String why) {
      super(why, null);
    }
  }
}
