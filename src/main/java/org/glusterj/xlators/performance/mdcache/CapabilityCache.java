package org.glusterj.xlators.performance.mdcache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.glusterj.core.Gfid;

/**
 * The answers to getxattr("security.capability"), including "there is none". The kernel asks
 * before a write to decide whether the write must drop file capabilities: before every write
 * unless FUSE_HANDLE_KILLPRIV_V2 was agreed (Linux 5.11, see mount/fuse's SetIdKill), else after
 * each change of the file's attributes. Without this each time costs a round trip to a brick that
 * almost always ends in ENODATA.
 */
final class CapabilityCache {
    static final String NAME = "security.capability";

    /** {@code value} null means the file has no capability xattr. */
    record Entry(byte[] value, long expiresAt) {
    }

    private final Map<Gfid, Entry> entries = new ConcurrentHashMap<>();
    /** Moves on every invalidation, so that an answer that raced a change is not kept. */
    private final AtomicLong epoch = new AtomicLong();
    private final long timeoutNanos;
    private final LongSupplier clock;

    CapabilityCache(long timeoutNanos, LongSupplier clock) {
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
    }

    /** The cached answer, or null if unknown or expired; a null {@code value} means "has none". */
    Entry lookup(Gfid g) {
        Entry e = entries.get(g);
        if (e == null) return null;
        if (clock.getAsLong() - e.expiresAt >= 0) {
            entries.remove(g, e);
            return null;
        }
        return e;
    }

    long epoch() {
        return epoch.get();
    }

    /** Keeps an answer obtained when the epoch was {@code seenEpoch}, unless something changed since. */
    void put(Gfid g, byte[] valueOrNull, long seenEpoch) {
        if (g == null || epoch.get() != seenEpoch) return;
        entries.put(g, new Entry(valueOrNull, clock.getAsLong() + timeoutNanos));
        if (epoch.get() != seenEpoch) entries.remove(g);
    }

    void invalidate(Gfid g) {
        epoch.incrementAndGet();
        if (g != null) entries.remove(g);
    }

    /** The file's data changes, which removes a capability on the brick: only "has none" stays true. */
    void dataChanging(Gfid g) {
        if (g == null) return;
        Entry e = entries.get(g);
        if (e == null || e.value() != null) invalidate(g);
    }

    void invalidateAll() {
        epoch.incrementAndGet();
        entries.clear();
    }
}
