package org.glusterj.xlators.performance.writebehind;

import java.util.List;

/** Contiguous writes of one fd sent to the child as a single writev. */
record Batch(List<PendingWrite> writes) {
    PendingWrite first() {
        return writes.get(0);
    }

    long offset() {
        return first().offset;
    }

    long end() {
        return writes.get(writes.size() - 1).end();
    }

    int size() {
        return (int) (end() - offset());
    }

    boolean append() {
        return first().append;
    }
}
