package io.gatehouse.node.upstream;

import io.netty.channel.EventLoop;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import javax.net.ssl.SSLException;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's side of every instance: the keep-alive pools (one per event loop), the load
 * counters, and passive health: a connect failure, or a burst of 5xx answers, is reported to the
 * instance's route, which takes the instance out of rotation for a while. Reports are rate-limited
 * per instance, so a failing instance costs its route one message every few seconds per node.
 */
public final class Upstreams {
  /** This many 5xx in a row from one instance report it to its route as failing. */
  public static final int FIVE_XX_BURST = 5;
  /** A node reports one instance's passive failure at most this often. */
  static final long REPORT_EVERY_MILLIS = 5_000;

  /** Where passive failures go: the instance's route (its entity). */
  @FunctionalInterface
  public interface FailureReporter {
    void failed(String route, String instanceId, String reason);
  }

  private final Transport transport = Transport.best();
  private final Dialer dialer;
  private final int maxIdlePerInstance;
  private final FailureReporter reporter;
  private final SslContext h2Tls;
  private final AddressPolicy addresses;
  private final InstanceLoad load = new InstanceLoad();
  private final ConcurrentHashMap<EventLoop, UpstreamPool> pools = new ConcurrentHashMap<>();

  /**
   * @param h2Tls the TLS client of {@code h2} routes (ALPN h2; see {@link #clientTls})
   * @param addresses where instances may be: checked on the address every connection reached
   */
  public Upstreams(int maxIdlePerInstance, FailureReporter reporter, SslContext h2Tls, AddressPolicy addresses) {
    this(maxIdlePerInstance, reporter, h2Tls, addresses, null);
  }

  /** @param dialer how connections to instances are opened (null: over the network) */
  public Upstreams(int maxIdlePerInstance, FailureReporter reporter, SslContext h2Tls, AddressPolicy addresses,
      Dialer dialer) {
    this.dialer = dialer != null ? dialer : Dialer.network(transport);
    this.maxIdlePerInstance = maxIdlePerInstance;
    this.reporter = reporter;
    this.h2Tls = h2Tls;
    this.addresses = addresses;
  }

  public AddressPolicy addresses() {
    return addresses;
  }

  /**
   * The TLS client for instances of {@code h2} routes: offers {@code h2} by ALPN and trusts the
   * PEM certificates in {@code caCerts} ({@code GATEHOUSE_UPSTREAM_CA_CERT}), or the JDK's CAs
   * when null. Instances are named by address, so the chain is checked and the host name is not.
   */
  public static SslContext clientTls(File caCerts) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient()
          .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2));
      if (caCerts != null) {
        b.trustManager(caCerts);
      }
      return b.build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot use GATEHOUSE_UPSTREAM_CA_CERT " + caCerts + ": " + e.getMessage(), e);
    }
  }

  /** The pool of connections made on {@code loop} (a connection serves clients of its loop only). */
  public UpstreamPool pool(EventLoop loop) {
    UpstreamPool p = pools.get(loop);
    return p != null ? p : pools.computeIfAbsent(loop, l -> new UpstreamPool(l, dialer, maxIdlePerInstance, h2Tls,
        addresses));
  }

  public InstanceLoad load() {
    return load;
  }

  /** {@code epoll} or {@code nio}. */
  public String transport() {
    return transport.name();
  }

  public EventLoopGroup eventLoops(int threads, String name) {
    return transport.group(threads, name);
  }

  public Class<? extends io.netty.channel.ServerChannel> serverChannel() {
    return transport.serverChannel();
  }

  /** An exchange could not connect to the instance. */
  public void connectFailed(String route, String instanceId, String reason) {
    report(route, instanceId, load.of(instanceId), "connect failed: " + reason);
  }

  /** The instance answered with {@code status}: counts toward, or ends, a streak of 5xx. */
  public void answered(String route, String instanceId, int status) {
    InstanceLoad.Counters c = load.of(instanceId);
    if (status < 500) {
      if (c.fiveXxStreak.get() != 0) {
        c.fiveXxStreak.set(0);
      }
    } else if (c.fiveXxStreak.incrementAndGet() >= FIVE_XX_BURST) {
      c.fiveXxStreak.set(0);
      report(route, instanceId, c, FIVE_XX_BURST + " answers 5xx in a row");
    }
  }

  private void report(String route, String instanceId, InstanceLoad.Counters c, String reason) {
    long now = System.currentTimeMillis();
    long last = c.lastReportMillis.get();
    if (now - last >= REPORT_EVERY_MILLIS && c.lastReportMillis.compareAndSet(last, now)) {
      reporter.failed(route, instanceId, reason);
    }
  }
}
