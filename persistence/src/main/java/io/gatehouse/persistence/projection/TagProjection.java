package io.gatehouse.persistence.projection;

import io.gatehouse.persistence.store.Sql;
import io.gatehouse.protocol.CborSerializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a read-model table from the journal: reads events by tag from the stored offset and, for
 * each event, runs the handler and saves the new offset in one transaction, so a crash replays at
 * most the event it was on and handlers only need to be idempotent.
 *
 * <p>Each projection runs exactly once across the cluster, as an instance of a sharded daemon
 * process; it restarts with backoff after a failure (the database away, say).
 */
public final class TagProjection {
  private static final Logger log = LoggerFactory.getLogger(TagProjection.class);

  private TagProjection() {}

  /** Applies one event to the read model, inside the projection's transaction. */
  @FunctionalInterface
  public interface Handler {
    void handle(Connection connection, EventEnvelope envelope) throws SQLException;
  }

  public record Definition(String name, String tag, Handler handler) {}

  /** The projection actors take no messages; this is only their message type. */
  public sealed interface Command extends CborSerializable permits Stop {}

  public record Stop() implements Command {}

  public static void init(ActorSystem<?> system, Sql sql, Executor jdbc, List<Definition> definitions) {
    ShardedDaemonProcess.get(system).init(
        Command.class, "gatehouse-projections", definitions.size(),
        i -> run(definitions.get(i), sql, jdbc));
  }

  static Behavior<Command> run(Definition definition, Sql sql, Executor jdbc) {
    return Behaviors.setup(ctx -> {
      ActorSystem<?> system = ctx.getSystem();
      JdbcReadJournal journal = PersistenceQuery.get(system.classicSystem())
          .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
      RestartSettings backoff = RestartSettings.create(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2);
      Source<Done, NotUsed> stream = RestartSource.onFailuresWithBackoff(backoff, () ->
          Source.completionStage(CompletableFuture.supplyAsync(() -> offset(sql, definition.name()), jdbc))
              .flatMapConcat(offset -> journal.eventsByTag(definition.tag(), Offset.sequence(offset)))
              .mapAsync(1, envelope -> CompletableFuture.supplyAsync(() -> apply(sql, definition, envelope), jdbc)));
      UniqueKillSwitch killSwitch = stream
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.ignore(), Keep.left())
          .run(system);
      log.debug("projection {} started", definition.name());
      return Behaviors.receive(Command.class)
          .onMessage(Stop.class, stop -> Behaviors.stopped())
          .onSignal(PostStop.class, signal -> {
            killSwitch.shutdown();
            return Behaviors.same();
          })
          .build();
    });
  }

  /** The journal ordering up to which the projection {@code name} has applied events (0 before any). */
  public static long offset(Sql sql, String name) {
    return sql.queryOne("select offset_value from projection_offset where projection_name = ?",
        rs -> rs.getLong(1), name).orElse(0L);
  }

  private static Done apply(Sql sql, Definition definition, EventEnvelope envelope) {
    long offset = ((Sequence) envelope.offset()).value();
    sql.inTransaction(c -> {
      definition.handler().handle(c, envelope);
      if (Sql.update(c, "update projection_offset set offset_value = ? where projection_name = ?",
          offset, definition.name()) == 0) {
        Sql.update(c, "insert into projection_offset (projection_name, offset_value) values (?, ?)",
            definition.name(), offset);
      }
      return null;
    });
    return Done.getInstance();
  }
}
