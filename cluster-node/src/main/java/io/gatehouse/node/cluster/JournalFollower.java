package io.gatehouse.node.cluster;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows one journal tag on this node, from where the journal ends when the node starts. Pub-sub
 * is at most once; this is the second path by which every node learns every change (a
 * revocation, a deletion), so a lost message delays it by the journal polling interval
 * ({@code jdbc-read-journal.refresh-interval}) and never forever.
 */
public final class JournalFollower {
  private static final Logger log = LoggerFactory.getLogger(JournalFollower.class);

  private JournalFollower() {}

  public static void follow(ActorSystem<?> system, String tag, long fromOffset, Consumer<EventEnvelope> handler) {
    JdbcReadJournal journal = PersistenceQuery.get(system.classicSystem())
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    AtomicLong offset = new AtomicLong(fromOffset);
    RestartSource.withBackoff(RestartSettings.create(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2), () ->
            journal.eventsByTag(tag, Offset.sequence(offset.get())).map(envelope -> {
              try {
                handler.accept(envelope);
              } catch (RuntimeException e) {
                log.warn("could not apply {} event {} from the journal: {}", tag, envelope.persistenceId(), e.toString());
              }
              offset.set(((Sequence) envelope.offset()).value());
              return envelope;
            }))
        .runWith(Sink.ignore(), system);
  }
}
