package org.glusterj.xlators.performance.quickread;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;

/**
 * Whole contents of small files by gfid, least recently used first out once their total passes
 * the byte limit. Entries are trusted for the timeout after they were fetched.
 *
 * <p>Stores race with invalidations: a lookup may bring content that was read before one of our
 * own writes reached the brick. Every invalidation therefore bumps a counter, and content is kept
 * only if no invalidation happened since the fetch that brought it was wound ({@link #stamp}).
 * That is coarse (a write to any file discards content in flight for all others) but never stale.
 *
 * <p>It also remembers, for a bounded number of gfids, that a lookup found the file too big to
 * hold, so that opening it again does not ask for its content first. That is only a hint: a stale
 * one costs speed, never correctness.
 */
final class ContentCache {
    /** One file's content with the attributes it had when read; immutable. */
    record Entry(byte[] content, Iatt attr, long fetchedAt) {
    }

    private final long limitBytes;
    private final long timeoutNanos;
    private final LongSupplier clock;
    private static final int LARGE_REMEMBERED = 16_384;

    private final LinkedHashMap<Gfid, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private final LinkedHashMap<Gfid, Boolean> large = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Gfid, Boolean> eldest) {
            return size() > LARGE_REMEMBERED;
        }
    };
    private long bytes;
    private long invalidations;

    ContentCache(long limitBytes, long timeoutNanos, LongSupplier clock) {
        this.limitBytes = limitBytes;
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
    }

    long now() {
        return clock.getAsLong();
    }

    synchronized long stamp() {
        return invalidations;
    }

    /** Keeps content fetched after {@code stamp}, unless something was invalidated since; true if kept. */
    synchronized boolean put(Gfid g, byte[] content, Iatt attr, long stamp) {
        large.remove(g);
        if (stamp != invalidations || content.length > limitBytes) return false;
        Entry old = entries.put(g, new Entry(content, attr, now()));
        if (old != null) bytes -= old.content().length;
        bytes += content.length;
        Iterator<Map.Entry<Gfid, Entry>> it = entries.entrySet().iterator();
        while (bytes > limitBytes && it.hasNext()) {
            Entry e = it.next().getValue();
            it.remove();
            bytes -= e.content().length;
        }
        return entries.containsKey(g);
    }

    /**
     * Keeps what this client wrote as {@code g}'s content, unless anything was invalidated since
     * {@code stamp} (taken when the write was wound). Fetches still in flight were wound before the
     * write reached the brick: they are made to discard what they bring. Returns the stamp the
     * content was kept at, or -1 if it was not kept.
     */
    synchronized long putWritten(Gfid g, byte[] content, Iatt attr, long stamp) {
        if (stamp != invalidations) return -1;
        invalidations++;
        return put(g, content, attr, invalidations) ? invalidations : -1;
    }

    /**
     * Our own write of {@code g} is wound: drops its content, as {@link #invalidate} does, but only
     * if nothing was invalidated since {@code stamp} (else -1, and nothing is dropped: the caller
     * then invalidates as for any write). Returns the stamp to keep the written content at.
     */
    synchronized long writing(Gfid g, long stamp) {
        if (stamp != invalidations) return -1;
        invalidations++;
        remove(g);
        return invalidations;
    }

    /** The entry if fetched within the timeout, else null. */
    synchronized Entry fresh(Gfid g) {
        Entry e = entries.get(g);
        if (e == null || now() - e.fetchedAt() >= timeoutNanos) return null;
        return e;
    }

    /** Whether content of {@code g} is held at all, fresh or expired: the file was small when last seen. */
    synchronized boolean holds(Gfid g) {
        return entries.containsKey(g);
    }

    /** Drops {@code g} (null: nothing) and makes every fetch in flight discard what it brings. */
    synchronized void invalidate(Gfid g) {
        invalidations++;
        remove(g);
    }

    /** A lookup found {@code g} bigger than max-file-size (or not a regular file): drops its content. */
    synchronized void tooLarge(Gfid g) {
        remove(g);
        large.put(g, Boolean.TRUE);
    }

    /** Whether the last lookup seen of {@code g} found it too big to hold. */
    synchronized boolean isLarge(Gfid g) {
        return large.containsKey(g);
    }

    /** Drops all content (a brick reconnected: its notices of the time away are lost). */
    synchronized void invalidateAll() {
        invalidations++;
        entries.clear();
        bytes = 0;
    }

    synchronized void remove(Gfid g) {
        if (g == null) return;
        Entry e = entries.remove(g);
        if (e != null) bytes -= e.content().length;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int size() {
        return entries.size();
    }
}
