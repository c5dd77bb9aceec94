package io.gatehouse.node.token;

import io.gatehouse.node.NodeRuntime;
import io.gatehouse.node.cluster.JournalFollower;
import io.gatehouse.node.directory.DirectoryFeature;
import io.gatehouse.persistence.projection.Projections;
import io.gatehouse.persistence.projection.TagProjection;
import io.gatehouse.persistence.token.TokenEntity;
import io.gatehouse.persistence.token.TokenSecrets;
import io.gatehouse.persistence.token.TokenTable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tokens on one node: the event-sourced {@link TokenEntity}, this node's {@link TokenCache} fed by
 * the token topic and by the journal, the token table (the read model the admin API lists), the
 * service that issues and revokes, and the recorder of last uses.
 *
 * <p>The cache holds every token before the node says it is ready ({@link #loaded}): the token
 * table's rows, then the journal's token events after the table's projection offset (what the
 * table may not have yet). So the first request after {@code /ready} is answered from memory, and
 * a token the node does not hold is one it may refuse without a lookup.
 *
 * @param loaded completes once every token of the store is in the cache
 */
public record TokenFeature(TokenCache cache, TokenService service, TokenTable table, LastUsedRecorder lastUsed,
    ActorRef<TokenCacheUpdater.Message> updater, CompletableFuture<Done> loaded) {
  private static final Logger log = LoggerFactory.getLogger(TokenFeature.class);
  /** Tokens expired longer ago than this are not loaded (the cache's sweep drops them too). */
  static final Duration KEEP_EXPIRED = Duration.ofMinutes(10);

  public static TokenFeature start(NodeRuntime rt, DirectoryFeature directory) {
    var settings = rt.settings().tokens();
    var topic = rt.topic(TokenEntity.Published.class, TokenEntity.TOPIC);
    TokenEntity.init(rt.system(), topic, rt.clock());
    TokenCache cache = new TokenCache(directory.view(), rt.sharding(), rt.clock(), rt.settings().askTimeout(),
        settings.unknownTtl(), id -> TokenSecrets.minted(rt.mint(), id));
    var updater = rt.system().systemActorOf(TokenCacheUpdater.create(cache, topic), "token-cache", Props.empty());
    JournalFollower.follow(rt.system(), TokenEntity.TAG, rt.journalEnd(),
        e -> cache.apply((TokenEntity.Event) e.event(), e.sequenceNr()));
    TokenTable table = new TokenTable(rt.store().sql());
    TokenService service = new TokenService(rt.sharding(), directory.service(), cache, table, rt.jdbc(), rt.clock(),
        rt.settings().askTimeout(), settings.maxExpiryDays(), rt.mint());
    CompletableFuture<Done> loaded = load(rt, cache, table).toCompletableFuture();
    return new TokenFeature(cache, service, table, new LastUsedRecorder(table, rt.clock()), updater, loaded);
  }

  /** The table's rows, then the journal's token events after the offset the table was projected to. */
  private static CompletionStage<Done> load(NodeRuntime rt, TokenCache cache, TokenTable table) {
    long t0 = System.nanoTime();
    return CompletableFuture.supplyAsync(() -> {
      long offset = TagProjection.offset(rt.store().sql(), Projections.TOKENS);
      table.keys(rt.clock().instant().minus(KEEP_EXPIRED), cache::load);
      return offset;
    }, rt.jdbc()).thenCompose(offset -> PersistenceQuery.get(rt.system().classicSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier())
        .currentEventsByTag(TokenEntity.TAG, Offset.sequence(offset))
        .runForeach(e -> cache.apply((TokenEntity.Event) e.event(), e.sequenceNr()), rt.system()))
        .thenApply(done -> {
          log.info("{} tokens loaded in {} ms", cache.size(), (System.nanoTime() - t0) / 1_000_000);
          return done;
        });
  }
}
