package org.glusterj.core;

import java.util.List;
import org.glusterj.options.Options;

/**
 * What the graph builder gives an xlator's constructor: its volfile name and type, its validated
 * options, its children (already constructed) and its context slot index.
 */
public record XlatorConfig(String name, String type, Options options, List<Xlator> children, int slot) {
    public XlatorConfig {
        children = List.copyOf(children);
    }

    /** For tests and hand-built graphs. */
    public static XlatorConfig of(String name, String type, Options options, List<Xlator> children) {
        return new XlatorConfig(name, type, options, children, SlotCounter.next());
    }

    /** Hands out slot indexes to xlators built outside a graph, so that they never collide. */
    static final class SlotCounter {
        private static final java.util.concurrent.atomic.AtomicInteger NEXT = new java.util.concurrent.atomic.AtomicInteger(1000);

        static int next() {
            return NEXT.getAndIncrement();
        }
    }
}
