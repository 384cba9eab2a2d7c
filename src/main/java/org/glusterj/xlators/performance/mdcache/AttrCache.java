package org.glusterj.xlators.performance.mdcache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;

/**
 * md-cache's memory: attributes per gfid and names per (parent gfid, name), each trusted until it
 * expires.
 *
 * <p>Replies race with our own changes: a stat wound before a write may answer after it, with the
 * old size. So every change is bracketed: {@link #changing} at wind drops the cached attributes
 * and {@link #changed} at unwind decides whether the new ones may be kept. Both stamp the entry
 * with a global sequence number. A reply is kept only if no change to that object was in flight
 * or finished since the reply's fop was wound ({@link #stamp} taken at wind); a change's own
 * post-attributes are kept only if it ran alone. When in doubt we keep nothing and ask again.
 */
final class AttrCache {
    /** Above this many entries a store sweeps out the expired ones. */
    static final int SWEEP_ABOVE = 100_000;
    private static final int STICKY_ONLY = 01000;

    private record NameEntry(Gfid gfid, long expiresAt) {
    }

    /** One object's cache state; guarded by its own monitor. */
    static final class Entry {
        private Iatt attr;
        private long expiresAt;
        private long lastChange;
        private int inflight;
        /** Taken out of the map: a change must bracket the entry that replaces it instead. */
        private boolean removed;
    }

    private final long timeoutNanos;
    private final LongSupplier clock;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<Gfid, Entry> entries = new ConcurrentHashMap<>();
    /** Names per parent directory, so that an upcall about a directory's entries drops them at once. */
    private final Map<Gfid, Map<String, NameEntry>> names = new ConcurrentHashMap<>();
    private final AtomicInteger nameCount = new AtomicInteger();
    /** Replies wound before the last sweep cannot tell whether a swept entry had changed meanwhile. */
    private volatile long sweptAt;

    AttrCache(long timeoutNanos, LongSupplier clock) {
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
    }

    /** Taken when a fop is wound, handed back with its reply. */
    long stamp() {
        return sequence.get();
    }

    /** The cached attributes, if still fresh. */
    Iatt fresh(Gfid gfid) {
        if (gfid == null) return null;
        Entry e = entries.get(gfid);
        if (e == null) return null;
        synchronized (e) {
            return e.attr != null && clock.getAsLong() - e.expiresAt < 0 ? e.attr : null;
        }
    }

    /** The gfid a name stood for, if that is still fresh. */
    Gfid resolve(Gfid parent, String name) {
        if (parent == null || name == null) return null;
        Map<String, NameEntry> dir = names.get(parent);
        NameEntry n = dir == null ? null : dir.get(name);
        return n != null && clock.getAsLong() - n.expiresAt < 0 ? n.gfid : null;
    }

    /** Keeps attributes a non-changing fop (lookup, stat, readdirp) brought back, unless a change overlapped it. */
    void observed(Iatt attr, long stamp) {
        if (attr == null || attr.gfid() == null || attr.gfid().isNull()) return;
        Entry e = entry(attr.gfid(), stamp);
        if (e == null) return;
        synchronized (e) {
            if (e.inflight == 0 && e.lastChange <= stamp) keep(e, attr);
        }
    }

    /** Keeps a name → gfid binding a reply showed, unless the parent directory changed meanwhile. */
    void observedName(Gfid parent, String name, Gfid gfid, long stamp) {
        if (parent == null || name == null || gfid == null || gfid.isNull()) return;
        Entry p = entry(parent, stamp);
        if (p == null) return;
        synchronized (p) {
            if (p.inflight == 0 && p.lastChange <= stamp) putName(parent, name, gfid);
        }
    }

    /** A fop that changes {@code gfid} is being wound: forget its attributes until it answers. Returns its ticket. */
    long changing(Gfid gfid) {
        if (gfid == null) return 0;
        while (true) {
            Entry e = entries.computeIfAbsent(gfid, g -> new Entry());
            synchronized (e) {
                if (e.removed) continue;
                e.inflight++;
                e.attr = null;
                e.lastChange = sequence.incrementAndGet();
                return e.lastChange;
            }
        }
    }

    /**
     * The change that got {@code ticket} from {@link #changing} answered. Returns whether it ran
     * alone, so that what it reports (its post-attributes, a new name in a parent) may be kept.
     * Keeps {@code post} itself when given.
     */
    boolean changed(Gfid gfid, long ticket, Iatt post) {
        if (gfid == null) return false;
        Entry e = entries.get(gfid);
        if (e == null) return false;
        synchronized (e) {
            boolean alone = e.inflight == 1 && e.lastChange == ticket;
            e.inflight--;
            e.lastChange = sequence.incrementAndGet();
            if (alone && post != null && gfid.equals(post.gfid())) keep(e, post);
            else e.attr = null;
            return alone;
        }
    }

    /** Binds a name after our own change made it (create, rename); caller checked the parent change ran alone. */
    void putName(Gfid parent, String name, Gfid gfid) {
        NameEntry fresh = new NameEntry(gfid, clock.getAsLong() + timeoutNanos);
        if (names.computeIfAbsent(parent, p -> new ConcurrentHashMap<>()).put(name, fresh) == null
                && nameCount.incrementAndGet() > SWEEP_ABOVE) {
            sweep();
        }
    }

    void dropName(Gfid parent, String name) {
        if (parent == null || name == null) return;
        Map<String, NameEntry> dir = names.get(parent);
        if (dir != null && dir.remove(name) != null) nameCount.decrementAndGet();
    }

    /** Forgets every name under {@code parent} (another client changed its entries). */
    void dropNames(Gfid parent) {
        if (parent == null) return;
        Map<String, NameEntry> dir = names.remove(parent);
        if (dir != null) nameCount.addAndGet(-dir.size());
    }

    /**
     * Another client changed {@code gfid}: drop its attributes, and make replies wound before now
     * unable to bring them back (they may predate the change).
     */
    void invalidate(Gfid gfid) {
        long ticket = changing(gfid);
        changed(gfid, ticket, null);
    }

    /** Forgets everything, e.g. when a brick connection dropped and its upcalls may have been lost. */
    void invalidateAll() {
        for (Gfid g : entries.keySet()) {
            invalidate(g);
            forget(g);
        }
        for (Gfid p : names.keySet()) dropNames(p);
    }

    /**
     * Forgets an object (the inode was forgotten). Kept while a change to it is in flight, since
     * the change's bracket still needs the entry.
     */
    void forget(Gfid gfid) {
        if (gfid == null) return;
        Entry e = entries.get(gfid);
        if (e == null) return;
        synchronized (e) {
            e.attr = null;
            if (e.inflight == 0) {
                sweptAt = sequence.incrementAndGet();
                e.removed = true;
                entries.remove(gfid, e);
            }
        }
    }

    int size() {
        return entries.size();
    }

    private void keep(Entry e, Iatt attr) {
        if (mayBeLinkto(attr)) {
            e.attr = null;
            return;
        }
        e.attr = attr;
        e.expiresAt = clock.getAsLong() + timeoutNanos;
    }

    /**
     * Attributes that may be cluster/distribute's linkto file rather than the data file: an empty
     * regular file whose mode is exactly sticky. distribute answered one as data when a lookup met
     * a rename's linkto before its target was set (linktos are now made whole, see storage/posix
     * mknod); kept for a long md-cache-timeout such an answer would show the file empty long after,
     * and no upcall would correct it (nobody changes the object afterwards). So it is never kept,
     * in case another path still shows one; a real empty file with that mode is only asked for
     * afresh each time.
     */
    static boolean mayBeLinkto(Iatt attr) {
        return attr.isRegular() && attr.size() == 0 && (attr.mode() & FileType.PERM_MASK) == STICKY_ONLY;
    }

    /** The entry to record a reply in, or null if a sweep may have lost what happened since {@code stamp}. */
    private Entry entry(Gfid gfid, long stamp) {
        Entry e = entries.get(gfid);
        if (e != null) return e;
        if (stamp < sweptAt) return null;
        if (entries.size() > SWEEP_ABOVE) sweep();
        return entries.computeIfAbsent(gfid, g -> new Entry());
    }

    private synchronized void sweep() {
        sweptAt = sequence.incrementAndGet();
        long now = clock.getAsLong();
        entries.values().removeIf(e -> {
            synchronized (e) {
                e.removed = e.inflight == 0 && (e.attr == null || now - e.expiresAt >= 0);
                return e.removed;
            }
        });
        for (Map<String, NameEntry> dir : names.values()) {
            dir.values().removeIf(n -> {
                boolean expired = now - n.expiresAt >= 0;
                if (expired) nameCount.decrementAndGet();
                return expired;
            });
        }
        names.values().removeIf(Map::isEmpty);
    }
}
