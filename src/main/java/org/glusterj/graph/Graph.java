package org.glusterj.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glusterj.core.Event;
import org.glusterj.core.Xlator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A built xlator graph: the xlators reachable from the top volume, already constructed.
 * {@link #activate()} starts it (PARENT_UP travels down, protocol/client connects);
 * {@link #fini()} stops it.
 */
public final class Graph {
    private static final Logger log = LoggerFactory.getLogger(Graph.class);

    private final List<Xlator> topFirst;
    private final Map<String, Xlator> byName = new LinkedHashMap<>();
    private final AtomicBoolean activated = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();

    /** @param topFirst every xlator of the graph, each parent before its children */
    Graph(List<Xlator> topFirst) {
        if (topFirst.isEmpty()) throw new IllegalArgumentException("a graph has at least one xlator");
        this.topFirst = List.copyOf(topFirst);
        for (Xlator x : this.topFirst) byName.put(x.name(), x);
    }

    public Xlator top() {
        return topFirst.get(0);
    }

    /** Every xlator, top first, each parent before its children. */
    public List<Xlator> xlators() {
        return topFirst;
    }

    /** The xlator built for a volume; empty if no such volume or it is not reachable from the top. */
    public Optional<Xlator> find(String volumeName) {
        return Optional.ofNullable(byName.get(volumeName));
    }

    /**
     * Sends PARENT_UP to the top (the source is the top itself, as GlusterFS does); each xlator's
     * notify carries it down. Call once, after the top's listeners are registered.
     */
    public void activate() {
        if (finished.get()) throw new IllegalStateException("graph was shut down (fini); build a new one");
        if (!activated.compareAndSet(false, true)) throw new IllegalStateException("graph is already active");
        Xlator top = top();
        top.notify(Event.PARENT_UP, top);
    }

    /**
     * Calls fini() on every xlator, top first, so that a parent stops using a child before the
     * child goes away. A failing fini() is logged and does not stop the others. Later calls do nothing.
     */
    public void fini() {
        if (!finished.compareAndSet(false, true)) return;
        finiAll(topFirst);
    }

    static void finiAll(List<Xlator> topFirst) {
        for (Xlator x : topFirst) {
            try {
                x.fini();
            } catch (RuntimeException | LinkageError e) {
                log.warn("fini of {} \"{}\" failed; continuing with the others", x.type(), x.name(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "Graph" + byName.keySet();
    }
}
