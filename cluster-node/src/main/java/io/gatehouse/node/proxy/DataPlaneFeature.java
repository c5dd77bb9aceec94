package io.gatehouse.node.proxy;

import io.gatehouse.node.NodeRuntime;
import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.affinity.InstancePicker;
import io.gatehouse.node.affinity.SessionCache;
import io.gatehouse.node.affinity.ShardedSessions;
import io.gatehouse.node.browser.BrowserFeature;
import io.gatehouse.node.browser.BrowserLinks;
import io.gatehouse.node.directory.DirectoryFeature;
import io.gatehouse.node.metrics.MetricsFeature;
import io.gatehouse.node.route.RouteFeature;
import io.gatehouse.node.token.TokenFeature;
import io.gatehouse.node.tcp.SessionPorts;
import io.gatehouse.node.upstream.Upstreams;
import io.gatehouse.persistence.route.RouteEntity;

/**
 * The data plane on one node: its parts (admission over the node's views, affinity over the
 * session cache and the sharded sessions, the upstream pools and their passive health, the open
 * exchanges, told of every change of access), and the listeners, started last.
 */
public record DataPlaneFeature(DataPlane.Parts parts, SessionCache sessions) {

  /** Builds the parts and wires the views to the open exchanges; nothing listens yet. */
  public static DataPlaneFeature prepare(NodeRuntime rt, DirectoryFeature directory, TokenFeature tokens,
      RouteFeature routes, MetricsFeature metrics, BrowserFeature browser) {
    var settings = rt.settings();
    String publicScheme = java.net.URI.create(settings.publicUrl()).getScheme();
    Admission admission = new Admission(tokens.cache(), routes.table(), directory.view(), browser.sessions(),
        tokens.lastUsed(), metrics.observer(), settings.dataPlane().retryAfterSeconds(), publicScheme,
        Admission.Limits.NONE);
    SessionCache sessions = new SessionCache(settings.affinity().reportActiveEvery());
    Upstreams upstreams = new Upstreams(settings.dataPlane().maxIdleUpstreamConnections(),
        (route, instance, reason) -> RouteEntity.ref(rt.sharding(), route)
            .tell(new RouteEntity.PassiveFailure(instance, reason)),
        Upstreams.clientTls(settings.dataPlane().upstreamCaCert()), routes.addresses());
    InstancePicker picker = new InstancePicker(routes.table(), sessions,
        new ShardedSessions(rt.system(), settings.dataPlane().sessionAskTimeout()), upstreams.load(), rt.clock());
    OpenExchanges open = new OpenExchanges(admission);
    tokens.cache().onRevoked(open::tokenRevoked);
    directory.view().onChange(() -> {
      open.directoryChanged();
      admission.endSessionsWithoutAccess();
    });
    routes.table().onAccessChange(route -> {
      open.routeChanged(route);
      admission.endSessionsWithoutAccess();
    });
    browser.sessions().onEnded(open::sessionEnded);
    BrowserLinks links = new BrowserLinks(rt.sharding(), routes.table(), settings.publicUrl(), rt.clock(),
        settings.askTimeout(), rt.mint());
    SessionPorts ports = new SessionPorts(settings.dataPlane().tcpSessions(), rt.node(), rt.clock());
    ports.join(rt.system(), rt.topic(SessionPorts.EndRequest.class, SessionPorts.TOPIC));
    return new DataPlaneFeature(new DataPlane.Parts(admission, picker, upstreams, open, metrics.observer(), links,
        ports, publicScheme, rt.node()), sessions);
  }

  /** Starts listening. */
  public DataPlane listen(NodeRuntime rt) throws InterruptedException {
    var settings = rt.settings();
    try {
      return DataPlane.start(parts, settings.dataPlane(), settings.host(), settings.ports().http());
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot bind the data plane on " + settings.host() + ":" + settings.ports().http()
          + (settings.dataPlane().tls() != null ? " / " + settings.dataPlane().tls().port() : "") + ": "
          + e.getMessage(), e);
    }
  }
}
