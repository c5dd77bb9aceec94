package io.gatehouse.persistence.store;

import java.util.List;

/**
 * The nodes of the cluster as they report themselves in the shared store ({@code host:port} of
 * their remoting, and when they last said they were up). Blocking: run on the JDBC dispatcher.
 */
public final class ClusterMembers {
  private final Sql sql;

  public ClusterMembers(Sql sql) {
    this.sql = sql;
  }

  /** Records that {@code address} is up at {@code nowMillis}. */
  public void seen(String address, long nowMillis) {
    sql.inTransaction(c -> {
      if (Sql.update(c, "update cluster_members set seen_at = ? where address = ?", nowMillis, address) == 0) {
        Sql.update(c, "insert into cluster_members (address, seen_at) values (?, ?)", address, nowMillis);
      }
      return null;
    });
  }

  /** The node left: its row goes. */
  public void gone(String address) {
    sql.update("delete from cluster_members where address = ?", address);
  }

  /** The addresses seen up since {@code sinceMillis}, oldest report first. */
  public List<String> seenSince(long sinceMillis) {
    return sql.query("select address from cluster_members where seen_at >= ? order by seen_at", rs -> rs.getString(1),
        sinceMillis);
  }
}
