package io.gatehouse.node.token;

import io.gatehouse.node.NodeRuntime;
import io.gatehouse.node.cluster.JournalFollower;
import io.gatehouse.node.directory.DirectoryFeature;
import io.gatehouse.persistence.token.TokenEntity;
import io.gatehouse.persistence.token.TokenTable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;

/**
 * Tokens on one node: the event-sourced {@link TokenEntity}, this node's {@link TokenCache} fed by
 * the token topic and by the journal, the token table (the read model the admin API lists), the
 * service that issues and revokes, and the recorder of last uses.
 */
public record TokenFeature(TokenCache cache, TokenService service, TokenTable table, LastUsedRecorder lastUsed,
    ActorRef<TokenCacheUpdater.Message> updater) {

  public static TokenFeature start(NodeRuntime rt, DirectoryFeature directory) {
    var settings = rt.settings().tokens();
    var topic = rt.topic(TokenEntity.Published.class, TokenEntity.TOPIC);
    TokenEntity.init(rt.system(), topic, rt.clock());
    TokenCache cache = new TokenCache(directory.view(), rt.sharding(), rt.clock(), rt.settings().askTimeout(),
        settings.unknownTtl());
    var updater = rt.system().systemActorOf(TokenCacheUpdater.create(cache, topic), "token-cache", Props.empty());
    JournalFollower.follow(rt.system(), TokenEntity.TAG, rt.journalEnd(),
        e -> cache.apply((TokenEntity.Event) e.event(), e.sequenceNr()));
    TokenTable table = new TokenTable(rt.store().sql());
    TokenService service = new TokenService(rt.sharding(), directory.service(), cache, table, rt.jdbc(), rt.clock(),
        rt.settings().askTimeout(), settings.maxExpiryDays());
    return new TokenFeature(cache, service, table, new LastUsedRecorder(table, rt.clock()), updater);
  }
}
