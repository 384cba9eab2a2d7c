package org.glusterj.xlators.performance.writebehind;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.glusterj.core.Gfid;

/**
 * The pending work of one inode: writes not yet sent ({@code todo}, in arrival order, with the
 * barriers between them) and what the child is working on ({@code active}). All fields are
 * guarded by the queue's monitor. The queue exists only while it has work; an idle queue is
 * retired from the xlator's map.
 */
final class WriteQueue {
    final Gfid gfid;
    private final WbConfig config;
    private List<Object> todo = new ArrayList<>();      // PendingWrite | Barrier
    private final List<Object> active = new ArrayList<>(); // Batch | Barrier
    /** Writes the application still waits for because the window was full, oldest first. */
    private final ArrayDeque<PendingWrite> unacked = new ArrayDeque<>();
    /** Bytes acknowledged to the application and not yet answered by the child. */
    private long windowCurrent;
    boolean draining;
    boolean retired;

    WriteQueue(Gfid gfid, WbConfig config) {
        this.gfid = gfid;
        this.config = config;
    }

    boolean idle() {
        return todo.isEmpty() && active.isEmpty();
    }

    /** Queues a write; returns true if it may be acknowledged now (it fits in the window). */
    boolean addWrite(PendingWrite w) {
        todo.add(w);
        if (w.sync) return false;
        if (unacked.isEmpty() && (windowCurrent == 0 || windowCurrent + w.size <= config.windowSize())) {
            w.acked = true;
            windowCurrent += w.size;
            return true;
        }
        unacked.add(w);
        return false;
    }

    void addBarrier(Barrier b) {
        todo.add(b);
    }

    /**
     * The child answered a batch. Acknowledged writes leave the window, which may let waiting
     * writers in: each newly acknowledged write is handed to {@code ack}.
     */
    void batchDone(Batch batch, Consumer<PendingWrite> ack) {
        active.remove(batch);
        for (PendingWrite w : batch.writes()) {
            if (w.acked) windowCurrent -= w.size;
            else unacked.remove(w);
        }
        while (!unacked.isEmpty()) {
            PendingWrite next = unacked.peek();
            if (windowCurrent != 0 && windowCurrent + next.size > config.windowSize()) break;
            unacked.poll();
            next.acked = true;
            windowCurrent += next.size;
            ack.accept(next);
        }
    }

    void barrierDone(Barrier b) {
        active.remove(b);
    }

    /** The end of the furthest write not yet answered by the child, or -1 if there is none. */
    long pendingEnd() {
        long end = -1;
        for (Object o : todo) if (o instanceof PendingWrite w) end = Math.max(end, w.end());
        for (Object o : active) if (o instanceof Batch b) end = Math.max(end, b.end());
        return end;
    }

    /**
     * Takes off {@code todo} everything that may go to the child now: barriers whose dependencies
     * are answered, and writes that conflict with nothing earlier, merged into batches of up to
     * aggregate-size. The last batch is held back while it can still grow (see {@link #mayHold}).
     * Returns the batches and barriers to start, in order; they are already counted as active.
     */
    List<Object> pick() {
        List<Object> start = new ArrayList<>();
        List<Object> remaining = new ArrayList<>();
        for (int i = 0; i < todo.size(); i++) {
            Object item = todo.get(i);
            if (item instanceof Barrier b) {
                if (blocked(b, active) || blocked(b, remaining)) {
                    remaining.add(b);
                } else {
                    active.add(b);
                    start.add(b);
                }
                continue;
            }
            PendingWrite w = (PendingWrite) item;
            if (blocked(w, active) || blocked(w, remaining)) {
                remaining.add(w);
                continue;
            }
            int j = i + 1;
            long total = w.size;
            PendingWrite last = w;
            while (j < todo.size() && todo.get(j) instanceof PendingWrite next && last.canBeFollowedBy(next)
                    && total + next.size <= config.aggregateSize() && !blocked(next, active)
                    && !blocked(next, remaining)) {
                total += next.size;
                last = next;
                j++;
            }
            List<PendingWrite> members = new ArrayList<>(j - i);
            for (int k = i; k < j; k++) members.add((PendingWrite) todo.get(k));
            boolean canGrow = j == todo.size() && total < config.aggregateSize();
            if (canGrow && mayHold(members)) {
                remaining.addAll(members);
            } else {
                Batch batch = new Batch(List.copyOf(members));
                active.add(batch);
                start.add(batch);
            }
            i = j - 1;
        }
        todo = remaining;
        return start;
    }

    /**
     * Whether a batch that could still grow may wait for more writes. Never when someone waits
     * for it (a writer outside the window, a sync write); with trickling-writes, only while other
     * writes are in flight, whose answers will bring us back here.
     */
    private boolean mayHold(List<PendingWrite> members) {
        if (!unacked.isEmpty()) return false;
        for (PendingWrite m : members) if (!m.acked) return false;
        if (!config.tricklingWrites()) return true;
        for (Object o : active) if (o instanceof Batch) return true;
        return false;
    }

    /** Whether {@code item} must wait for any element of {@code earlier}. */
    private boolean blocked(Object item, List<Object> earlier) {
        for (Object e : earlier) if (conflicts(item, e)) return true;
        return false;
    }

    private boolean conflicts(Object later, Object earlier) {
        if (later instanceof Barrier b) {
            if (b.wholeFile()) return true;
            if (earlier instanceof Barrier eb) return eb.wholeFile(); // reads need not wait for each other
            return earlier instanceof Batch eb ? eb.append() || overlaps(b.from, b.to, eb.offset(), eb.end())
                    : writeConflicts(b.from, b.to, (PendingWrite) earlier);
        }
        PendingWrite w = (PendingWrite) later;
        if (earlier instanceof Barrier) return true;
        if (config.strictWriteOrdering() || w.append) return true;
        if (earlier instanceof Batch eb) return eb.append() || overlaps(w.offset, w.end(), eb.offset(), eb.end());
        return writeConflicts(w.offset, w.end(), (PendingWrite) earlier);
    }

    private static boolean writeConflicts(long from, long to, PendingWrite earlier) {
        return earlier.append || overlaps(from, to, earlier.offset, earlier.end());
    }

    private static boolean overlaps(long aFrom, long aTo, long bFrom, long bTo) {
        return aFrom < bTo && bFrom < aTo;
    }

    @Override
    public synchronized String toString() {
        return "WriteQueue[" + gfid + ", todo=" + todo.size() + ", active=" + active.size() + ", window="
                + windowCurrent + "]";
    }
}
