package io.gatehouse.node.tcp;

import io.gatehouse.node.admission.Admission;
import io.gatehouse.node.admission.OpenExchanges;
import io.gatehouse.node.affinity.InstancePicker;
import io.gatehouse.node.upstream.Upstreams;

/** What a tcp connection works with: the data plane's admission, affinity, upstreams and open exchanges. */
public record TcpParts(Admission admission, InstancePicker picker, Upstreams upstreams, OpenExchanges open) {}
