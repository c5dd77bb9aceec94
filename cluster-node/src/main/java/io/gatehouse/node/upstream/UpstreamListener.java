package io.gatehouse.node.upstream;

/** Whoever uses a connection to an instance right now (an exchange), told what the connection does. */
public interface UpstreamListener {
  /** A decoded message from the instance (the listener owns it and must release it). */
  void fromUpstream(Object msg);

  /** The instance's last read of this turn ended: a moment to flush what went to the client. */
  void upstreamReadComplete();

  /** The connection can take more writes again. */
  void upstreamWritable();

  /** The instance closed or reset the connection, or a write to it failed ({@code cause} may be null). */
  void upstreamClosed(Throwable cause);
}
