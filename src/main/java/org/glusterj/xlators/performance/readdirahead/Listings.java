package org.glusterj.xlators.performance.readdirahead;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.glusterj.core.Dirent;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;

/**
 * Complete directory listings kept for later opendirs: for a limited time, within a limit of
 * bytes, least recently used dropped first. A listing read while any directory changed is not
 * kept, as it may have missed the change.
 */
final class Listings {
    private final long limit;
    private final long timeoutNanos;
    private final LongSupplier clock;
    private final AtomicLong changes = new AtomicLong();
    private final LinkedHashMap<Gfid, Kept> kept = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    private record Kept(List<Dirent> entries, long bytes, long expiresAt) {
    }

    Listings(long limit, long timeoutNanos, LongSupplier clock) {
        this.limit = limit;
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
    }

    long limit() {
        return timeoutNanos > 0 ? limit : 0;
    }

    /** A counter of changes to names, to tell whether a listing was read while nothing changed. */
    long changes() {
        return changes.get();
    }

    static long weight(Dirent d) {
        return 64 + d.name().length() * 2L;
    }

    synchronized List<Dirent> get(Gfid dir) {
        Kept k = kept.get(dir);
        if (k == null) return null;
        if (clock.getAsLong() - k.expiresAt >= 0) {
            remove(dir);
            return null;
        }
        return k.entries;
    }

    /**
     * Keeps a complete listing, unless a name changed anywhere since it was started. Attributes
     * are left out: they age, and md-cache would take them for news.
     */
    void put(Gfid dir, List<Dirent> entries, long changesAtStart) {
        if (timeoutNanos == 0 || entries == null) return;
        List<Dirent> bare = entries.stream().map(Listings::withoutAttributes).toList();
        long size = bare.stream().mapToLong(Listings::weight).sum();
        if (size > limit) return;
        synchronized (this) {
            if (changes.get() != changesAtStart) return;
            remove(dir);
            kept.put(dir, new Kept(bare, size, clock.getAsLong() + timeoutNanos));
            bytes += size;
            for (Iterator<Map.Entry<Gfid, Kept>> it = kept.entrySet().iterator(); bytes > limit && it.hasNext(); ) {
                bytes -= it.next().getValue().bytes;
                it.remove();
            }
        }
    }

    /** Forgets the listing of {@code dir}, and refuses to keep listings read across this change. */
    void drop(Gfid dir) {
        changes.incrementAndGet();
        if (dir == null) return;
        synchronized (this) {
            remove(dir);
        }
    }

    synchronized int size() {
        return kept.size();
    }

    private void remove(Gfid dir) {
        Kept k = kept.remove(dir);
        if (k != null) bytes -= k.bytes;
    }

    private static Dirent withoutAttributes(Dirent d) {
        Iatt a = d.attr();
        if (a == null) return d;
        return new Dirent(d.name(), a.ino(), d.offset(), a.type() >>> 12, null, d.xdata());
    }
}
