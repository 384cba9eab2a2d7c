package org.glusterj.xlators.storage.posix;

import java.util.LinkedHashMap;
import java.util.Map;
import org.glusterj.core.Gfid;

/**
 * Open fds of recently used directories, by gfid. Every entry fop resolves its parent directory
 * by gfid; done from scratch that is a walk of handle symlinks, an openat2 and a check of
 * trusted.gfid (about ten syscalls). A hit costs a dup and the fstat the caller needs anyway.
 *
 * <p>An fd follows its directory wherever it is renamed, which keeps a hit correct after renames
 * made through this brick (they also drop the entry, see {@link BrickStore#setDirHandle}). What it
 * cannot see is a directory moved or removed behind the brick's back: a removed one shows
 * nlink 0 at the caller's fstat, and every entry is re-resolved from its handle once it is older
 * than {@code maxAgeNanos}, which bounds how long an out-of-band move goes unnoticed.
 *
 * <p>Callers get their own duplicate, so an eviction never closes an fd in use; dup and close
 * happen under this object's lock, so a dup never meets a number already closed and reused.
 */
final class DirFdCache implements AutoCloseable {
    private final int capacity;
    private final long maxAgeNanos;
    private final LinkedHashMap<Gfid, Entry> entries;
    private boolean closed;

    private record Entry(int fd, long since) {
    }

    DirFdCache(int capacity, long maxAgeNanos) {
        if (capacity < 1) throw new IllegalArgumentException("directory fd cache capacity must be at least 1, not " + capacity);
        this.capacity = capacity;
        this.maxAgeNanos = maxAgeNanos;
        this.entries = new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Gfid, Entry> eldest) {
                if (size() <= DirFdCache.this.capacity) return false;
                Sys.closeQuietly(eldest.getValue().fd());
                return true;
            }
        };
    }

    /** A new fd of directory {@code g} that the caller owns, or -1 when none is cached or the entry is too old. */
    synchronized int borrow(Gfid g, long nowNanos) {
        Entry e = entries.get(g);
        if (e == null) return -1;
        if (nowNanos - e.since() > maxAgeNanos) {
            entries.remove(g);
            Sys.closeQuietly(e.fd());
            return -1;
        }
        return Sys.dup(e.fd());
    }

    /** Remembers directory {@code g}, open (and verified) as {@code fd}; the cache keeps a duplicate, the caller keeps fd. */
    synchronized void put(Gfid g, int fd, long nowNanos) {
        if (closed) return;
        Entry old = entries.put(g, new Entry(Sys.dup(fd), nowNanos));
        if (old != null) Sys.closeQuietly(old.fd());
    }

    /** Forgets directory {@code g}: it was removed or moved, or its handle changed. */
    synchronized void drop(Gfid g) {
        Entry old = entries.remove(g);
        if (old != null) Sys.closeQuietly(old.fd());
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized boolean contains(Gfid g) {
        return entries.containsKey(g);
    }

    @Override
    public synchronized void close() {
        closed = true;
        for (Entry e : entries.values()) Sys.closeQuietly(e.fd());
        entries.clear();
    }
}
