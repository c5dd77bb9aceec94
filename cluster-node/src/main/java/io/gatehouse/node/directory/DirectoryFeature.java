package io.gatehouse.node.directory;

import io.gatehouse.node.NodeRuntime;
import io.gatehouse.node.cluster.JournalFollower;
import io.gatehouse.persistence.directory.DirectoryEntity;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Props;

/**
 * The directory on one node: the event-sourced {@link DirectoryEntity}, this node's
 * {@link DirectoryView} fed by its topic and by the journal, and the service the admin API uses.
 */
public record DirectoryFeature(DirectoryView view, DirectoryService service, CompletableFuture<Done> loaded) {

  public static DirectoryFeature start(NodeRuntime rt) {
    var topic = rt.topic(DirectoryEntity.Published.class, DirectoryEntity.TOPIC);
    DirectoryEntity.init(rt.system(), topic, rt.clock());
    DirectoryView view = new DirectoryView();
    CompletableFuture<Done> loaded = new CompletableFuture<>();
    var updater = rt.system().systemActorOf(DirectoryViewUpdater.create(view, topic,
        () -> loaded.complete(Done.getInstance())), "directory-view", Props.empty());
    // The journal is the view's second feed: a lost broadcast costs one polling interval.
    JournalFollower.follow(rt.system(), DirectoryEntity.TAG, rt.journalEnd(), e -> updater.tell(
        new DirectoryViewUpdater.Event(new DirectoryEntity.Published(e.sequenceNr(), (DirectoryEntity.Event) e.event()))));
    return new DirectoryFeature(view, new DirectoryService(rt.sharding(), view, rt.settings().askTimeout()), loaded);
  }
}
