package io.gatehouse.node;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * What this node has finished starting, for {@code /ready}: a node is ready once its admin API
 * and its data plane are bound and its node-local views are loaded (the cluster-membership check is Pekko
 * Management's own).
 */
public final class NodeStatus implements Extension {
  private final AtomicBoolean adminBound = new AtomicBoolean();
  private final AtomicBoolean viewsLoaded = new AtomicBoolean();
  private final AtomicBoolean dataPlaneBound = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();

  public static NodeStatus get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  public void adminBound() {
    adminBound.set(true);
  }

  public void dataPlaneBound() {
    dataPlaneBound.set(true);
  }

  public void viewsLoaded() {
    viewsLoaded.set(true);
  }

  public void stopping() {
    stopping.set(true);
  }

  public boolean ready() {
    return adminBound.get() && dataPlaneBound.get() && viewsLoaded.get() && !stopping.get();
  }

  static final class Id extends AbstractExtensionId<NodeStatus> {
    static final Id INSTANCE = new Id();

    @Override
    public NodeStatus createExtension(ExtendedActorSystem system) {
      return new NodeStatus();
    }
  }
}
