package org.glusterj.xlators.performance.nlcache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.glusterj.core.Gfid;

/**
 * nl-cache's memory, per directory: names known to be absent (each until it expires) and, when
 * the whole content of the directory is known, the set of names present, so that any other name
 * is absent.
 *
 * <p>Replies race with changes exactly as in md-cache: every change to a directory's entries is
 * bracketed ({@link #changing} at wind, {@link #changed} at unwind) and stamped with a global
 * sequence number; a negative reply or a listing is kept only if no change to that directory was
 * in flight or finished since it was wound ({@link #stamp}). Dropping a directory (an upcall, an
 * eviction) moves {@link #droppedAt}, which makes every reply wound before it unusable.
 *
 * <p>Memory is bounded by {@code limitBytes}, estimated per name; over the limit the directories
 * used least recently are dropped whole.
 */
final class NameCache {
    /** Rough cost of one cached name beyond its characters (map entry, boxed expiry). */
    static final int NAME_OVERHEAD = 64;
    /** Rough cost of one directory's state. */
    static final int DIR_OVERHEAD = 160;

    /** One directory's state; guarded by its own monitor. */
    static final class Dir {
        final Map<String, Long> absent = new HashMap<>();
        /** Every name present, or null while the directory's content is not wholly known. */
        Set<String> present;
        long completeUntil;
        long lastChange;
        int inflight;
        long bytes = DIR_OVERHEAD;
        volatile long lastUsed;
        boolean removed;
    }

    private final long timeoutNanos;
    private final long limitBytes;
    private final LongSupplier clock;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong totalBytes = new AtomicLong();
    private final Map<Gfid, Dir> dirs = new ConcurrentHashMap<>();
    private volatile long droppedAt;

    NameCache(long timeoutNanos, long limitBytes, LongSupplier clock) {
        this.timeoutNanos = timeoutNanos;
        this.limitBytes = limitBytes;
        this.clock = clock;
    }

    static long cost(String name) {
        return NAME_OVERHEAD + 2L * name.length();
    }

    long stamp() {
        return sequence.get();
    }

    /** Whether every name in {@code dir} is known right now, so that following a listing would teach nothing. */
    boolean knownComplete(Gfid dir) {
        Dir d = dirs.get(dir);
        if (d == null) return false;
        synchronized (d) {
            return !d.removed && d.inflight == 0 && d.present != null && clock.getAsLong() - d.completeUntil < 0;
        }
    }

    /** Whether {@code name} is known to be absent from {@code parent} right now. */
    boolean knownAbsent(Gfid parent, String name) {
        Dir d = dirs.get(parent);
        if (d == null) return false;
        long now = clock.getAsLong();
        synchronized (d) {
            if (d.inflight > 0) return false;
            Long until = d.absent.get(name);
            if (until != null) {
                if (now - until < 0) {
                    d.lastUsed = now;
                    return true;
                }
                dropAbsent(d, name);
            }
            if (d.present != null) {
                if (now - d.completeUntil >= 0) {
                    makeIncomplete(d);
                } else if (!d.present.contains(name)) {
                    d.lastUsed = now;
                    return true;
                }
            }
            return false;
        }
    }

    /** A lookup wound at {@code stamp} found no {@code name} in {@code parent}. */
    void observedAbsent(Gfid parent, String name, long stamp) {
        Dir d = usable(parent, stamp);
        if (d == null) return;
        synchronized (d) {
            if (d.removed || d.inflight > 0 || d.lastChange > stamp) return;
            putAbsent(d, name);
        }
        enforceLimit();
    }

    /** A listing wound at {@code stamp} read the whole of {@code dir}: these are all its names. */
    void observedComplete(Gfid dir, Set<String> names, long stamp) {
        long cost = 0;
        for (String n : names) cost += cost(n);
        if (cost > limitBytes / 2) return; // would crowd out everything else
        Dir d = usable(dir, stamp);
        if (d == null) return;
        synchronized (d) {
            if (d.removed || d.inflight > 0 || d.lastChange > stamp) return;
            setComplete(d, new HashSet<>(names), cost);
        }
        enforceLimit();
    }

    /** This client made {@code dir} (mkdir): it is empty and wholly known. */
    void created(Gfid dir) {
        Dir d = dirs.computeIfAbsent(dir, g -> newDir());
        synchronized (d) {
            if (!d.removed && d.inflight == 0) setComplete(d, new HashSet<>(), 0);
        }
        enforceLimit();
    }

    /** A change to {@code parent}'s entries is being wound; returns its ticket. */
    long changing(Gfid parent) {
        if (parent == null) return 0;
        while (true) {
            Dir d = dirs.computeIfAbsent(parent, g -> newDir());
            synchronized (d) {
                if (d.removed) continue;
                d.inflight++;
                d.lastChange = sequence.incrementAndGet();
                return d.lastChange;
            }
        }
    }

    /**
     * The change with {@code ticket} answered. On success {@code added} now exists and
     * {@code removed} no longer does (either may be null); on failure we no longer know the
     * directory's content.
     */
    void changed(Gfid parent, long ticket, boolean ok, String added, String removed) {
        if (parent == null) return;
        Dir d = dirs.get(parent);
        if (d == null) return;
        synchronized (d) {
            boolean alone = d.inflight == 1 && d.lastChange == ticket;
            d.inflight--;
            d.lastChange = sequence.incrementAndGet();
            if (added != null) dropAbsent(d, added);
            if (!ok || !alone) {
                makeIncomplete(d);
                if (removed != null) dropAbsent(d, removed);
                return;
            }
            if (d.present != null) {
                if (added != null && d.present.add(added)) account(d, cost(added));
                if (removed != null && d.present.remove(removed)) account(d, -cost(removed));
            }
            if (removed != null) putAbsent(d, removed);
        }
        enforceLimit();
    }

    /** Forgets a directory (another client changed its entries, or it went away). */
    void drop(Gfid dir) {
        droppedAt = sequence.incrementAndGet();
        Dir d = dirs.get(dir);
        if (d == null) return;
        synchronized (d) {
            d.absent.clear();
            makeIncomplete(d);
            d.lastChange = sequence.incrementAndGet();
            if (d.inflight == 0) remove(dir, d);
        }
    }

    /** Forgets a directory nobody uses any more (the inode was forgotten): nothing about it changed. */
    void forget(Gfid dir) {
        Dir d = dirs.get(dir);
        if (d == null) return;
        synchronized (d) {
            if (d.inflight == 0) remove(dir, d);
        }
    }

    void dropAll() {
        for (Gfid g : dirs.keySet()) drop(g);
    }

    long bytes() {
        return totalBytes.get();
    }

    int dirs() {
        return dirs.size();
    }

    // ---- internals; callers hold the Dir's monitor where noted ----

    private Dir newDir() {
        Dir d = new Dir();
        d.lastUsed = clock.getAsLong();
        totalBytes.addAndGet(d.bytes);
        return d;
    }

    /** The directory to record a reply in, or null if a drop since {@code stamp} may have lost a change. */
    private Dir usable(Gfid dir, long stamp) {
        if (stamp < droppedAt) return null;
        return dirs.computeIfAbsent(dir, g -> newDir());
    }

    /** Holding d. */
    private void putAbsent(Dir d, String name) {
        long now = clock.getAsLong();
        if (d.absent.put(name, now + timeoutNanos) == null) account(d, cost(name));
        d.lastUsed = now;
    }

    /** Holding d. */
    private void dropAbsent(Dir d, String name) {
        if (d.absent.remove(name) != null) account(d, -cost(name));
    }

    /** Holding d. */
    private void setComplete(Dir d, Set<String> names, long cost) {
        makeIncomplete(d);
        d.present = names;
        d.completeUntil = clock.getAsLong() + timeoutNanos;
        d.lastUsed = clock.getAsLong();
        account(d, cost);
    }

    /** Holding d. */
    private void makeIncomplete(Dir d) {
        if (d.present == null) return;
        long cost = 0;
        for (String n : d.present) cost += cost(n);
        d.present = null;
        account(d, -cost);
    }

    /** Holding d. */
    private void account(Dir d, long delta) {
        d.bytes += delta;
        if (!d.removed) totalBytes.addAndGet(delta); // a removed directory's bytes left the total with it
    }

    /** Holding d. */
    private void remove(Gfid g, Dir d) {
        d.removed = true;
        if (dirs.remove(g, d)) totalBytes.addAndGet(-d.bytes);
    }

    /** Over the limit, drops the least recently used directories (and expired names) down to 3/4 of it. */
    private void enforceLimit() {
        if (totalBytes.get() <= limitBytes) return;
        synchronized (this) {
            if (totalBytes.get() <= limitBytes) return;
            long now = clock.getAsLong();
            List<Map.Entry<Gfid, Dir>> byAge = new ArrayList<>(dirs.entrySet());
            byAge.sort(Comparator.comparingLong(e -> e.getValue().lastUsed));
            droppedAt = sequence.incrementAndGet();
            for (Map.Entry<Gfid, Dir> e : byAge) {
                if (totalBytes.get() <= limitBytes * 3 / 4) break;
                Dir d = e.getValue();
                synchronized (d) {
                    d.absent.values().removeIf(until -> now - until >= 0);
                    if (d.inflight == 0) remove(e.getKey(), d);
                }
            }
        }
    }
}
