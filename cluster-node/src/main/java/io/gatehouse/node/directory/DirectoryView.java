package io.gatehouse.node.directory;

import io.gatehouse.persistence.directory.DirectoryEntity;
import io.gatehouse.persistence.directory.DirectoryState;
import io.gatehouse.protocol.PrincipalRef;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's copy of the directory, read without locks by token validation and the admin API.
 * Copies only move forward: a state or an event older than what the view holds is ignored, so
 * the order in which the entity's reply, pub-sub and the journal deliver them does not matter.
 */
public final class DirectoryView {
  private final AtomicReference<DirectoryState> current = new AtomicReference<>(DirectoryState.empty());
  private volatile Runnable changed = () -> {};

  /**
   * Who hears of every change the view takes (the open exchanges, which recheck their access).
   * Called on the thread that applied the change; must not block.
   */
  public void onChange(Runnable listener) {
    this.changed = listener;
  }

  public DirectoryState current() {
    return current.get();
  }

  public long version() {
    return current.get().version();
  }

  /** The principal as authorisation sees it, or null when it does not exist (any more). */
  public DirectoryState.Principal principal(PrincipalRef ref) {
    return current.get().principal(ref);
  }

  /** Takes {@code state} if it is newer than the view. */
  public void offer(DirectoryState state) {
    DirectoryState before = current.get();
    if (current.accumulateAndGet(state, (mine, theirs) -> theirs.version() > mine.version() ? theirs : mine) != before) {
      changed.run();
    }
  }

  /** Outcome of {@link #apply}. */
  public enum Applied { APPLIED, ALREADY_SEEN, GAP }

  /**
   * Applies the event that made {@code version} if it directly follows the view. A GAP means an
   * earlier event has not arrived yet: the caller fetches the whole state.
   */
  public Applied apply(long version, DirectoryEntity.Event event) {
    while (true) {
      DirectoryState mine = current.get();
      if (version <= mine.version()) {
        return Applied.ALREADY_SEEN;
      }
      if (version != mine.version() + 1) {
        return Applied.GAP;
      }
      if (current.compareAndSet(mine, mine.apply(event))) {
        changed.run();
        return Applied.APPLIED;
      }
    }
  }
}
