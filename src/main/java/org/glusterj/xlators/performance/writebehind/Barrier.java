package org.glusterj.xlators.performance.writebehind;

/**
 * A fop that must see earlier writes: it starts once every earlier write it depends on has been
 * answered by the child, and writes queued after it wait until it has finished. A ranged barrier
 * (a read) depends only on the writes that overlap its range; any other barrier depends on
 * everything queued before it.
 */
final class Barrier {
    final String fop;
    final long from;
    final long to;
    private final Runnable start;

    Barrier(String fop, long from, long to, Runnable start) {
        this.fop = fop;
        this.from = from;
        this.to = to;
        this.start = start;
    }

    static Barrier wholeFile(String fop, Runnable start) {
        return new Barrier(fop, 0, Long.MAX_VALUE, start);
    }

    boolean wholeFile() {
        return from == 0 && to == Long.MAX_VALUE;
    }

    void start() {
        start.run();
    }

    @Override
    public String toString() {
        return fop + (wholeFile() ? "" : "[" + from + "," + to + ")");
    }
}
