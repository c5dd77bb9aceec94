package io.gatehouse.protocol.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IP address or a CIDR range ({@code 10.0.0.7}, {@code 10.0.0.0/24}, {@code fd00::/64}), as
 * literals only: a host name is refused, never resolved.
 */
public record AddressRange(byte[] network, int prefixBits) {
  private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");
  private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]+$");

  public static AddressRange parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = literal(address);
    int max = bytes.length * 8;
    int bits = max;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > max) {
        throw new IllegalArgumentException("a CIDR prefix length is 0 to " + max + ", got '" + s.substring(slash + 1) + "'");
      }
    }
    return new AddressRange(mask(bytes, bits), bits);
  }

  /** A single address's range. */
  public static AddressRange of(InetAddress address) {
    byte[] b = address.getAddress();
    return new AddressRange(b, b.length * 8);
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      return false;
    }
    byte[] masked = mask(a, prefixBits);
    return java.util.Arrays.equals(masked, network);
  }

  @Override
  public String toString() {
    try {
      String host = InetAddress.getByAddress(network).getHostAddress();
      return prefixBits == network.length * 8 ? host : host + "/" + prefixBits;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressRange r && r.prefixBits == prefixBits && java.util.Arrays.equals(r.network, network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefixBits;
  }

  private static byte[] literal(String address) {
    var v4 = IPV4.matcher(address);
    if (v4.matches()) {
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(v4.group(i + 1));
        if (octet > 255) {
          throw new IllegalArgumentException("'" + address + "' is not an IPv4 address");
        }
        b[i] = (byte) octet;
      }
      return b;
    }
    if (address.contains(":") && IPV6.matcher(address).matches()) {
      try {
        // A string with a colon is taken as an IPv6 literal: no name lookup happens.
        byte[] b = InetAddress.getByName("[" + address + "]").getAddress();
        if (b.length == 16) {
          return b;
        }
      } catch (UnknownHostException e) {
        // falls through
      }
    }
    throw new IllegalArgumentException("must be an IP address or a CIDR range (10.0.0.0/24, fd00::/64), got '"
        + address + "'");
  }

  private static byte[] mask(byte[] bytes, int bits) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }
}
