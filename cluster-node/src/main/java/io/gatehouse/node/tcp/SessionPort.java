package io.gatehouse.node.tcp;

import io.gatehouse.node.admission.Admission;
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
 * (every connection is admitted again when it opens). It is open under its token and route: when
 * the token's access ends, the listener and every connection close. It also ends at
 * {@code expiresAt}, and when its owner deletes it.
 */
final class SessionPort extends OpenExchanges.Open {
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
  private Channel listener;
  private OpenExchanges.Loop open;
  private volatile boolean closed;

  SessionPort(String id, TokenId tokenId, PrincipalRef principal, String route, AddressRange allowFrom,
      Instant expiresAt, String host, Runnable onClosed) {
    this.id = id;
    this.tokenId = tokenId;
    this.principal = principal;
    this.route = route;
    this.allowFrom = allowFrom;
    this.expiresAt = expiresAt;
    this.host = host;
    this.onClosed = onClosed;
  }

  /** The port is bound: the session is open under its token and route from now on (on the listener's loop). */
  void listening(Channel listener, OpenExchanges open) {
    this.listener = listener;
    listener.eventLoop().execute(() -> {
      this.open = open.on(listener.eventLoop());
      if (!closed) {
        this.open.open(this, tokenId, route, null);
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
      listener.eventLoop().execute(() -> open.close(this));
      listener.close();
    }
    connections.close();
    onClosed.run();
  }

  @Override
  protected void cut(Refusal why) {
    close("access ended: " + why.message());
  }

  /** Sets up an accepted connection: refused (reset) unless from {@code allowFrom}, else relayed. */
  void accepted(Channel ch, TcpParts parts, TcpConnection.Finished onFinished) {
    if (closed || !(ch.remoteAddress() instanceof InetSocketAddress from) || !allowFrom.contains(from.getAddress())) {
      log.info("session port {}: connection from {} refused (allowed: {})", id, ch.remoteAddress(), allowFrom);
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
      ch.close();
      return;
    }
    connections.add(ch);
    ch.pipeline().addLast("session-port", new PortClient(parts, onFinished));
  }

  /** A connection on the session port: the bytes as they are, both ways. */
  private final class PortClient extends ChannelInboundHandlerAdapter implements TcpConnection.Client {
    private final TcpParts parts;
    private final TcpConnection.Finished onFinished;
    private Channel ch;
    private TcpConnection connection;

    PortClient(TcpParts parts, TcpConnection.Finished onFinished) {
      this.parts = parts;
      this.onFinished = onFinished;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ch = ctx.channel();
      Admission.Decision d = parts.admission().readmitTcp(tokenId, route);
      if (d instanceof Refusal r) {
        log.info("session port {}: connection refused: {}", id, r.message());
        ctx.close();
        return;
      }
      connection = new TcpConnection(parts, (Admission.Admitted) d, ch.eventLoop(), this, onFinished);
      connection.start();
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
