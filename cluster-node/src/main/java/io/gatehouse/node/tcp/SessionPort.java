package io.gatehouse.node.tcp;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.Arrival;
import io.gatehouse.node.admission.Authority;
import io.gatehouse.node.admission.Memos;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.api.TcpSessionJson;
import io.gatehouse.protocol.net.AddressRange;
import io.gatehouse.protocol.token.TokenId;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session port: a listener on a port of {@code GATEHOUSE_TCP_PORTS} that takes connections
 * from {@code allowFrom} only and relays each to an instance of its route, as its token may now
 * (every connection is admitted again by the one admission, with the port's grant, when it
 * opens). It is a grant open under its token and route: when the token's access ends, the
 * listener and every connection close. It also ends at {@code expiresAt}, and when its owner
 * deletes it.
 */
final class SessionPort {
  private static final Logger log = LoggerFactory.getLogger(SessionPort.class);

  final String id;
  final TokenId tokenId;
  final PrincipalRef principal;
  final String route;
  final AddressRange allowFrom;
  final Instant expiresAt;
  final String host;
  private final ChannelGroup connections = new DefaultChannelGroup("session-port", GlobalEventExecutor.INSTANCE);
  private final Runnable onClosed;
  private final Admission.Admitted admitted;
  private Channel listener;
  private OpenExchanges.Open grant;
  private volatile boolean closed;

  SessionPort(String id, Admission.Admitted admitted, AddressRange allowFrom, Instant expiresAt, String host,
      Runnable onClosed) {
    this.id = id;
    this.admitted = admitted;
    this.tokenId = admitted.token().tokenId();
    this.principal = admitted.token().principal();
    this.route = admitted.route().name();
    this.allowFrom = allowFrom;
    this.expiresAt = expiresAt;
    this.host = host;
    this.onClosed = onClosed;
  }

  /** The port is bound: the session is open under its token and route from now on (on the listener's loop). */
  void listening(Channel listener, OpenExchanges open) {
    this.listener = listener;
    listener.eventLoop().execute(() -> {
      this.grant = open.on(listener.eventLoop()).grant(why -> close("access ended: " + why.message()));
      if (!closed) {
        grant.admitted(admitted);
      }
    });
  }

  int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  TcpSessionJson.Session json() {
    return new TcpSessionJson.Session(id, route, host, port(), allowFrom.toString(), expiresAt);
  }

  /** Ends the session: no new connections, and those open close. Any thread. */
  void close(String why) {
    if (closed) {
      return;
    }
    closed = true;
    log.info("session port {} ({}:{} for route '{}') ends: {}", id, host, listener == null ? -1 : port(), route, why);
    if (listener != null) {
      listener.eventLoop().execute(() -> {
        if (grant != null) {
          grant.finish(0);
        }
      });
      listener.close();
    }
    connections.close();
    onClosed.run();
  }

  /** Sets up an accepted connection: refused (reset) unless from {@code allowFrom}, else relayed. */
  void accepted(Channel ch, TcpParts parts) {
    if (closed || !(ch.remoteAddress() instanceof InetSocketAddress from) || !allowFrom.contains(from.getAddress())) {
      log.info("session port {}: connection from {} refused (allowed: {})", id, ch.remoteAddress(), allowFrom);
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
      ch.close();
      return;
    }
    connections.add(ch);
    ch.pipeline().addLast("session-port", new PortClient(parts));
  }

  /** A request id for a connection's access log line, as an HTTP request without one gets. */
  private static String requestId() {
    return io.gatehouse.node.admission.RequestIds.next();
  }

  /** A connection on the session port: the bytes as they are, both ways. */
  private final class PortClient extends ChannelInboundHandlerAdapter implements TcpConnection.Client {
    private final TcpParts parts;
    private Channel ch;
    private OpenExchanges.Open record;
    private TcpConnection connection;

    PortClient(TcpParts parts) {
      this.parts = parts;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ch = ctx.channel();
      record = parts.open().on(ch.eventLoop()).begin(Arrival.Door.SESSION_PORT, requestId(), "TCP",
          "session-port:" + route, why -> ctx.close());
      Arrival arrival = new Arrival(Arrival.Door.SESSION_PORT, new Arrival.Grant(tokenId), Authority.NONE,
          new Arrival.Named(route, true), "CONNECT", null, -1, "tcp", false, false);
      parts.admission().decide(arrival, new Memos(), ch.eventLoop(), d -> {
        if (d instanceof Refusal r) {
          log.info("session port {}: connection refused: {}", id, r.message());
          record.finish(r.status());
          ctx.close();
          return;
        }
        if (!ch.isActive()) {
          record.finish(499);
          return;
        }
        connection = new TcpConnection(parts, (Admission.Admitted) d, ch.eventLoop(), this, record);
        connection.start();
      });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (connection != null) {
        connection.fromClient((ByteBuf) msg);
      } else {
        ((ByteBuf) msg).release();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (connection != null && ctx.channel().isWritable()) {
        connection.clientWritable();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (connection != null) {
        connection.clientClosed();
      } else if (record != null) {
        record.finish(499);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    @Override
    public void connected() {
      ch.config().setAutoRead(true);
    }

    @Override
    public void write(ByteBuf bytes) {
      ch.writeAndFlush(bytes, ch.voidPromise());
    }

    @Override
    public boolean writable() {
      return ch.isWritable();
    }

    @Override
    public void reading(boolean on) {
      ch.config().setAutoRead(on);
    }

    @Override
    public void refuse(Refusal why) {
      log.info("session port {}: {}", id, why.message());
      ch.close();
    }

    @Override
    public void end(Refusal why) {
      ch.close();
    }
  }
}
