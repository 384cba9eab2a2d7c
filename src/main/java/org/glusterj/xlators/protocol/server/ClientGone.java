package org.glusterj.xlators.protocol.server;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.glusterj.core.ClientGoneListener;
import org.glusterj.core.Xlator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells every xlator of an exported subgraph that keeps per-client state that a client has gone. */
final class ClientGone {
    private static final Logger log = LoggerFactory.getLogger(ClientGone.class);

    private ClientGone() {
    }

    static void tell(Xlator top, String client) {
        visit(top, client, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static void visit(Xlator x, String client, Set<Xlator> seen) {
        if (!seen.add(x)) return; // a subvolume shared by two parents is told once
        if (x instanceof ClientGoneListener l) {
            try {
                l.clientGone(client);
            } catch (RuntimeException e) {
                log.warn("{}: cleaning up after client {} failed", x, client, e);
            }
        }
        for (Xlator c : x.children()) visit(c, client, seen);
    }
}
