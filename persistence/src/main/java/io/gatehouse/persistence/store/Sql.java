package io.gatehouse.persistence.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Small, blocking JDBC helpers for the read models. Callers run them on the node's JDBC
 * dispatcher, never on an actor's or an event loop's thread.
 */
public final class Sql {
  private final DataSource dataSource;

  public Sql(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  public <T> T inTransaction(Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new StoreException("transaction failed: " + e.getMessage(), e);
    }
  }

  public int update(String statement, Object... params) {
    try (Connection c = dataSource.getConnection()) {
      return update(c, statement, params);
    } catch (SQLException e) {
      throw new StoreException("update failed: " + e.getMessage(), e);
    }
  }

  public <T> List<T> query(String statement, RowMapper<T> mapper, Object... params) {
    try (Connection c = dataSource.getConnection()) {
      return query(c, statement, mapper, params);
    } catch (SQLException e) {
      throw new StoreException("query failed: " + e.getMessage(), e);
    }
  }

  /** A row, taken as it is read. */
  @FunctionalInterface
  public interface RowConsumer {
    void accept(ResultSet rs) throws SQLException;
  }

  /**
   * Reads every row of {@code statement} into {@code each}, a few thousand at a time (PostgreSQL
   * streams only inside a transaction with a fetch size), without a list of them all.
   */
  public void forEach(String statement, RowConsumer each, Object... params) {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(statement)) {
        ps.setFetchSize(2000);
        bind(ps, params);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            each.accept(rs);
          }
        }
      } finally {
        c.rollback();
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new StoreException("query failed: " + e.getMessage(), e);
    }
  }

  public <T> Optional<T> queryOne(String statement, RowMapper<T> mapper, Object... params) {
    List<T> rows = query(statement, mapper, params);
    return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
  }

  public static int update(Connection c, String statement, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  public static <T> List<T> query(Connection c, String statement, RowMapper<T> mapper, Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(statement)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    }
  }

  /** A typed null, for a column that may be empty. */
  public record Null(int sqlType) {
    public static final Null BIGINT = new Null(Types.BIGINT);
    public static final Null VARCHAR = new Null(Types.VARCHAR);
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p instanceof Null n) {
        ps.setNull(i + 1, n.sqlType());
      } else {
        ps.setObject(i + 1, p);
      }
    }
  }

  /** A nullable BIGINT column. */
  public static Long longOrNull(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }
}
