package io.gatehouse.persistence.token;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.gatehouse.persistence.store.Sql;
import io.gatehouse.persistence.store.StoreException;
import io.gatehouse.protocol.Name;
import io.gatehouse.protocol.PrincipalRef;
import io.gatehouse.protocol.PrincipalType;
import io.gatehouse.protocol.api.ApiJson;
import io.gatehouse.protocol.token.TokenId;
import io.gatehouse.protocol.token.TokenStatus;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The token table behind {@code GET /tokens}: a read model fed from the journal by the token
 * projection ({@link #apply}), listed newest first with keyset paging. It never holds a secret.
 * It holds what validating a token needs ({@link Key}: the secret's hash, as the journal does),
 * which a starting node loads whole ({@link #keys}) so that it answers every token from memory;
 * the API never returns the hash. {@code last_used_at} is written apart from the projection,
 * coalesced, by the node.
 */
public final class TokenTable {
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> PAIRS = new TypeReference<>() {};
  private static final String COLUMNS =
      "id, label, principal_type, principal_name, created_by_type, created_by_name, created_at, expires_at, "
          + "revoked_at, revoked_by_type, revoked_by_name, revocation_reason, last_used_at, routes, metadata, version";

  private static final String KEY_COLUMNS = ", secret_hash, principal_incarnation";
  private static final String PLACEHOLDERS = "?, ".repeat(17) + "?";

  private final Sql sql;

  public TokenTable(Sql sql) {
    this.sql = sql;
  }

  /** A row of the table. */
  public record Row(
      TokenId id,
      String label,
      PrincipalRef principal,
      PrincipalRef createdBy,
      Instant createdAt,
      Instant expiresAt,
      Instant revokedAt,
      PrincipalRef revokedBy,
      RevocationReason revocationReason,
      Instant lastUsedAt,
      List<String> routes,
      Map<String, String> metadata,
      long version) {
    public TokenStatus status(Instant now) {
      if (revokedAt != null) {
        return TokenStatus.REVOKED;
      }
      return now.isBefore(expiresAt) ? TokenStatus.ACTIVE : TokenStatus.EXPIRED;
    }
  }

  /** Which tokens a listing shows. */
  public enum Filter {
    ACTIVE("active"), REVOKED("revoked"), EXPIRED("expired"), ALL("all");

    private final String wire;

    Filter(String wire) {
      this.wire = wire;
    }

    public static Optional<Filter> fromWire(String wire) {
      for (Filter f : values()) {
        if (f.wire.equals(wire)) {
          return Optional.of(f);
        }
      }
      return Optional.empty();
    }
  }

  /** A page of rows and the cursor of the next page, or null after the last. */
  public record Page(List<Row> rows, String nextCursor) {}

  /**
   * What validating a token needs of its row.
   *
   * @param secretHash hex SHA-256 of the secret; null in rows written before the table held it
   * @param routes null when the token is not limited to routes
   */
  public record Key(TokenId id, String secretHash, PrincipalRef principal, long principalIncarnation,
      Instant expiresAt, List<String> routes, boolean revoked, long version) {}

  /** Every token that expires after {@code expiresAfter}, one at a time (a million fit in memory, not in a list). */
  public void keys(Instant expiresAfter, java.util.function.Consumer<Key> each) {
    sql.forEach("select id, secret_hash, principal_type, principal_name, principal_incarnation, expires_at, routes, "
        + "revoked_at, version from token_view where expires_at > ?", rs -> {
          String routes = rs.getString("routes");
          each.accept(new Key(TokenId.of(rs.getString("id")), rs.getString("secret_hash"),
              principal(rs.getString("principal_type"), rs.getString("principal_name")),
              rs.getLong("principal_incarnation"), Instant.ofEpochMilli(rs.getLong("expires_at")),
              routes == null ? null : parse(routes, STRINGS), Sql.longOrNull(rs, "revoked_at") != null,
              rs.getLong("version")));
        }, expiresAfter.toEpochMilli());
  }

  /** Thrown for a cursor this table did not hand out. */
  public static final class BadCursor extends RuntimeException {
    public BadCursor() {
      super("not a cursor from a previous page", null, false, false);
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  public Optional<Row> get(TokenId id) {
    return sql.queryOne("select " + COLUMNS + " from token_view where id = ?", TokenTable::row, id.value());
  }

  /** The version of the row, or 0 when the projection has not written it yet. */
  public long version(TokenId id) {
    return sql.queryOne("select version from token_view where id = ?", rs -> rs.getLong(1), id.value()).orElse(0L);
  }

  public Page page(Filter filter, int limit, String cursor, Instant now) {
    List<Object> params = new ArrayList<>();
    StringBuilder where = new StringBuilder(" where 1 = 1");
    switch (filter) {
      case ACTIVE -> {
        where.append(" and revoked_at is null and expires_at > ?");
        params.add(now.toEpochMilli());
      }
      case REVOKED -> where.append(" and revoked_at is not null");
      case EXPIRED -> {
        where.append(" and revoked_at is null and expires_at <= ?");
        params.add(now.toEpochMilli());
      }
      case ALL -> { }
    }
    if (cursor != null) {
      Cursor c = Cursor.decode(cursor);
      where.append(" and (created_at < ? or (created_at = ? and id < ?))");
      params.add(c.createdAt());
      params.add(c.createdAt());
      params.add(c.id());
    }
    params.add(limit + 1);
    List<Row> rows = sql.query(
        "select " + COLUMNS + " from token_view" + where + " order by created_at desc, id desc limit ?",
        TokenTable::row, params.toArray());
    if (rows.size() <= limit) {
      return new Page(rows, null);
    }
    List<Row> page = rows.subList(0, limit);
    Row last = page.get(limit - 1);
    return new Page(List.copyOf(page), new Cursor(last.createdAt().toEpochMilli(), last.id().value()).encode());
  }

  /** The labels of the given tokens (ids unknown to the table are left out). */
  public Map<String, String> labels(java.util.Collection<String> ids) {
    Map<String, String> out = new java.util.HashMap<>();
    List<String> list = List.copyOf(ids);
    for (int from = 0; from < list.size(); from += 500) {
      List<String> chunk = list.subList(from, Math.min(list.size(), from + 500));
      sql.query("select id, label from token_view where id in (" + "?, ".repeat(chunk.size()).replaceAll(", $", "")
          + ")", rs -> out.put(rs.getString(1), rs.getString(2)), chunk.toArray());
    }
    return out;
  }

  /** Ids of the tokens of {@code principal} that are not revoked yet. */
  public List<TokenId> unrevokedOf(PrincipalRef principal) {
    return sql.query(
        "select id from token_view where principal_type = ? and principal_name = ? and revoked_at is null",
        rs -> TokenId.of(rs.getString(1)), principal.type().wire(), principal.name().value());
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * Applies one journal event; idempotent, so a replayed event changes nothing. The row's version
   * is the event's sequence number, as in {@link TokenRecord#version()}.
   */
  public static void apply(Connection c, TokenEntity.Event event, long sequenceNr) throws SQLException {
    if (event instanceof TokenEntity.TokenIssued e) {
      if (Sql.query(c, "select 1 from token_view where id = ?", rs -> 1, e.id().value()).isEmpty()) {
        Sql.update(c, "insert into token_view (" + COLUMNS + KEY_COLUMNS + ") values (" + PLACEHOLDERS + ")",
            e.id().value(), e.label(), e.principal().type().wire(), e.principal().name().value(),
            e.createdBy().type().wire(), e.createdBy().name().value(), e.createdAt().toEpochMilli(),
            e.expiresAt().toEpochMilli(), Sql.Null.BIGINT, Sql.Null.VARCHAR, Sql.Null.VARCHAR, Sql.Null.VARCHAR,
            Sql.Null.BIGINT, e.routes() == null ? Sql.Null.VARCHAR : json(e.routes()), json(e.metadata()), sequenceNr,
            e.secretHash(), e.principalIncarnation());
      } else {
        // A row written before the table held keys (or written through without them) gets them now.
        Sql.update(c, "update token_view set secret_hash = ?, principal_incarnation = ? where id = ? "
            + "and secret_hash is null", e.secretHash(), e.principalIncarnation(), e.id().value());
      }
    } else if (event instanceof TokenEntity.TokenRevoked e) {
      Sql.update(c, "update token_view set revoked_at = ?, revoked_by_type = ?, revoked_by_name = ?, "
              + "revocation_reason = ?, version = ? where id = ? and revoked_at is null",
          e.audit().at().toEpochMilli(), e.by().type().wire(), e.by().name().value(), e.reason().wire(), sequenceNr,
          e.id().value());
    }
  }

  /**
   * Writes a token's current state through, from the node that took the write, so that the
   * listing shows it before the caller hears back. Guarded by version like the projection, which
   * stays the source that repairs any row a crashed node did not write.
   */
  public void write(TokenRecord r) {
    sql.inTransaction(c -> {
      if (Sql.query(c, "select 1 from token_view where id = ?", rs -> 1, r.id().value()).isEmpty()) {
        try {
          Sql.update(c, "insert into token_view (" + COLUMNS + KEY_COLUMNS + ") values (" + PLACEHOLDERS + ")",
              r.id().value(), r.label(), r.principal().type().wire(), r.principal().name().value(),
              r.createdBy().type().wire(), r.createdBy().name().value(), r.createdAt().toEpochMilli(),
              r.expiresAt().toEpochMilli(), Sql.Null.BIGINT, Sql.Null.VARCHAR, Sql.Null.VARCHAR, Sql.Null.VARCHAR,
              Sql.Null.BIGINT, r.routes() == null ? Sql.Null.VARCHAR : json(r.routes()), json(r.metadata()),
              r.revoked() ? r.version() - 1 : r.version(), r.secretHash(), r.principalIncarnation());
        } catch (SQLException duplicate) {
          // The projection inserted it in the meantime; the update below still applies.
          c.rollback();
        }
      }
      if (r.revoked()) {
        TokenRecord.Revocation rev = r.revocation();
        Sql.update(c, "update token_view set revoked_at = ?, revoked_by_type = ?, revoked_by_name = ?, "
                + "revocation_reason = ?, version = ? where id = ? and revoked_at is null",
            rev.at().toEpochMilli(), rev.by().type().wire(), rev.by().name().value(), rev.reason().wire(),
            r.version(), r.id().value());
      }
      return null;
    });
  }

  /** Records when tokens were last used: one statement per token, only ever moving forward. */
  public void touch(Map<TokenId, Instant> lastUsed) {
    if (lastUsed.isEmpty()) {
      return;
    }
    sql.inTransaction(c -> {
      for (Map.Entry<TokenId, Instant> e : lastUsed.entrySet()) {
        long at = e.getValue().toEpochMilli();
        Sql.update(c, "update token_view set last_used_at = ? where id = ? and (last_used_at is null or last_used_at < ?)",
            at, e.getKey().value(), at);
      }
      return null;
    });
  }

  // ---- mapping -----------------------------------------------------------------------------

  private static Row row(ResultSet rs) throws SQLException {
    String routes = rs.getString("routes");
    String revokedByType = rs.getString("revoked_by_type");
    String reason = rs.getString("revocation_reason");
    return new Row(
        TokenId.of(rs.getString("id")),
        rs.getString("label"),
        principal(rs.getString("principal_type"), rs.getString("principal_name")),
        principal(rs.getString("created_by_type"), rs.getString("created_by_name")),
        Instant.ofEpochMilli(rs.getLong("created_at")),
        Instant.ofEpochMilli(rs.getLong("expires_at")),
        instant(Sql.longOrNull(rs, "revoked_at")),
        revokedByType == null ? null : principal(revokedByType, rs.getString("revoked_by_name")),
        reason == null ? null : RevocationReason.fromWire(reason),
        instant(Sql.longOrNull(rs, "last_used_at")),
        routes == null ? null : parse(routes, STRINGS),
        parse(rs.getString("metadata"), PAIRS),
        rs.getLong("version"));
  }

  private static PrincipalRef principal(String type, String name) {
    return new PrincipalRef(PrincipalType.fromWire(type), Name.of(name));
  }

  private static Instant instant(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis);
  }

  private static String json(Object value) {
    return new String(ApiJson.write(value), StandardCharsets.UTF_8);
  }

  private static <T> T parse(String json, TypeReference<T> type) {
    try {
      return ApiJson.mapper().readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new StoreException("corrupt JSON column in token_view", e);
    }
  }

  private record Cursor(long createdAt, String id) {
    String encode() {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString((createdAt + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String text) {
      try {
        String plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
        int at = plain.indexOf(':');
        String id = plain.substring(at + 1);
        if (at < 1 || !TokenId.isValid(id)) {
          throw new BadCursor();
        }
        return new Cursor(Long.parseLong(plain.substring(0, at)), id);
      } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
        throw new BadCursor();
      }
    }
  }
}
