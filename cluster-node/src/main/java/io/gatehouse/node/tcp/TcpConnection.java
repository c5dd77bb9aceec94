package io.gatehouse.node.tcp;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.admission.Refusal;
import io.gatehouse.node.upstream.BackendHandler;
import io.gatehouse.node.upstream.UpstreamLeg;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One consumer connection to a tcp route, from either door (the WebSocket tunnel, a session
 * port), after admission: the instance is picked (consumer affinity, as for HTTP) and connected,
 * then the bytes go through both ways with backpressure (a side stops reading while the other
 * cannot take more), until either side closes, neither moves for the route's idle timeout, or
 * its access ends. Its record (begun by its door) is open under its token and route all the
 * while, and finishes as one request in the metrics, its duration as latency, with its bytes
 * both ways.
 */
public final class TcpConnection implements UpstreamLeg.Owner {
  /** The consumer's side, as its door speaks it (binary WebSocket messages, or the bytes as they are). */
  public interface Client {
    /** The instance is connected: the door starts relaying (the tunnel answers its upgrade now). */
    void connected();

    /** Bytes from the instance, for the client. */
    void write(ByteBuf bytes);

    boolean writable();

    /** Reads from the client stop (false) while the instance cannot take more, and go on (true). */
    void reading(boolean on);

    /** No instance could be reached: the door answers so (nothing was relayed). */
    void refuse(Refusal why);

    /** The connection ends; {@code why} is null for a plain close by either side. */
    void end(Refusal why);
  }

  private final TcpParts parts;
  private final Admission.Admitted admitted;
  private final EventLoop loop;
  private final Client client;
  private final OpenExchanges.Open record;
  private final long idleNanos;
  private UpstreamLeg leg;
  private Channel upstream;
  private boolean relaying;
  private boolean done;
  private long lastActivity = System.nanoTime();
  private ScheduledFuture<?> idleTimer;

  /** @param record the exchange's record, begun by its door and admitted as {@code admitted} */
  public TcpConnection(TcpParts parts, Admission.Admitted admitted, EventLoop loop, Client client,
      OpenExchanges.Open record) {
    this.parts = parts;
    this.admitted = admitted;
    this.loop = loop;
    this.client = client;
    this.record = record;
    this.idleNanos = TimeUnit.SECONDS.toNanos(admitted.route().definition().timeouts().idleSeconds());
  }

  /** Picks and connects to the instance; the client hears {@link Client#connected} or {@link Client#refuse}. */
  public void start() {
    record.onCut(this::end);
    record.admitted(admitted);
    String consumer = admitted.route().affinity().consumer(admitted.token().tokenId().value(), name -> null);
    leg = new UpstreamLeg(parts.upstreams(), parts.picker(), loop, admitted.route(), consumer, true,
        parts.admission().retryAfterSeconds(), this).raw();
    leg.start();
  }

  @Override
  public boolean ended() {
    return done;
  }

  @Override
  public void unreachable(Refusal why) {
    if (!done) {
      client.refuse(why);
      finish(why.status());
    }
  }

  @Override
  public void connected(Channel ch, BackendHandler none) {
    upstream = ch;
    record.instance(leg.target().id());
    ch.pipeline().addLast("tcp", new FromInstance());
    relaying = true;
    client.connected();
    ch.config().setAutoRead(true);
    idleTimer = loop.schedule(this::idleCheck, idleNanos, TimeUnit.NANOSECONDS);
  }

  /** Bytes from the client, for the instance; released here. */
  public void fromClient(ByteBuf bytes) {
    if (!relaying || done) {
      bytes.release();
      return;
    }
    record.bytesIn(bytes.readableBytes());
    lastActivity = System.nanoTime();
    upstream.writeAndFlush(bytes, upstream.voidPromise());
    if (!upstream.isWritable()) {
      client.reading(false);
    }
  }

  /** The client can take more: the instance's bytes flow again. */
  public void clientWritable() {
    if (upstream != null && upstream.isActive()) {
      upstream.config().setAutoRead(true);
    }
  }

  /** The client closed (or its connection failed). */
  public void clientClosed() {
    end(null);
  }

  /** Ends the connection from the gateway's side, for {@code why} (null: a plain close). */
  public void end(Refusal why) {
    if (done) {
      return;
    }
    if (upstream != null) {
      upstream.close();
    }
    client.end(why);
    finish(relaying ? 200 : why == null ? 499 : why.status());
  }

  private void idleCheck() {
    if (done) {
      return;
    }
    long quiet = System.nanoTime() - lastActivity;
    if (quiet >= idleNanos) {
      end(null);
    } else {
      idleTimer = loop.schedule(this::idleCheck, idleNanos - quiet, TimeUnit.NANOSECONDS);
    }
  }

  private void finish(int status) {
    done = true;
    if (idleTimer != null) {
      idleTimer.cancel(false);
    }
    if (leg != null) {
      leg.done();
    }
    record.finish(status);
  }

  /** The instance's end of the relay. */
  private final class FromInstance extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf bytes) || done) {
        ReferenceCountUtil.release(msg);
        return;
      }
      record.bytesOut(bytes.readableBytes());
      lastActivity = System.nanoTime();
      client.write(bytes);
      if (!client.writable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable() && !done) {
        client.reading(true);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      end(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
