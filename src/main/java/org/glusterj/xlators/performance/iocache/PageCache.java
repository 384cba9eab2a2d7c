package org.glusterj.xlators.performance.iocache;

import io.netty.buffer.ByteBuf;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;

/**
 * io-cache's pages: fixed-size blocks of file data by (gfid, page index), least recently used
 * first out once their total passes the limit. One lock guards everything; every operation is
 * short and never calls out.
 *
 * <p>Each cached page owns one reference to its own buffer (a copy: the buffers replies arrive in
 * are slices of larger network buffers, which caching would keep alive). Readers get a retained
 * duplicate and release it. Each file has a generation, bumped whenever its pages are dropped: a
 * fetch started before that finds out and keeps nothing.
 */
final class PageCache {
    /** What io-cache knows of one file. */
    static final class File {
        final Gfid gfid;
        final Map<Long, Page> pages = new HashMap<>();
        /** Attributes the cached pages belong to; null until a reply showed them. */
        Iatt stamp;
        long validatedAt;
        long generation;

        File(Gfid gfid) {
            this.gfid = gfid;
        }
    }

    /** Identity matters (the LRU map keys on it), so not a record: a ByteBuf's equals compares content. */
    private static final class Page {
        final File file;
        final long index;
        final ByteBuf data;

        Page(File file, long index, ByteBuf data) {
            this.file = file;
            this.index = index;
            this.data = data;
        }
    }

    private final long limitBytes;
    private final Map<Gfid, File> files = new HashMap<>();
    private final LinkedHashMap<Page, Boolean> lru = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    PageCache(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    synchronized File file(Gfid g) {
        return files.computeIfAbsent(g, File::new);
    }

    synchronized long generation(File f) {
        return f.generation;
    }

    /** Whether the pages of {@code f} must be checked against the file's attributes before use. */
    synchronized boolean needsValidation(File f, long now, long timeoutNanos) {
        return !f.pages.isEmpty() && now - f.validatedAt >= timeoutNanos;
    }

    /** The file has attributes {@code attr} (seen at {@code now}): pages of other content are dropped. */
    synchronized void observed(File f, Iatt attr, long now) {
        if (attr == null) return;
        if (f.stamp != null && !sameContent(f.stamp, attr)) dropPages(f);
        f.stamp = attr;
        f.validatedAt = now;
    }

    private static boolean sameContent(Iatt a, Iatt b) {
        return a.size() == b.size() && a.mtimeSec() == b.mtimeSec() && a.mtimeNsec() == b.mtimeNsec();
    }

    synchronized Iatt stamp(File f) {
        return f.stamp;
    }

    /** A retained duplicate of the page's data (the caller releases it), or null if not cached. */
    synchronized ByteBuf get(File f, long index) {
        Page p = f.pages.get(index);
        if (p == null) return null;
        lru.get(p);
        return p.data.retainedDuplicate();
    }

    /**
     * Caches {@code data} (taking over one reference) unless the file's pages were dropped since
     * {@code generation}; then, and for data over the whole limit, releases it.
     */
    synchronized void put(File f, long index, ByteBuf data, long generation) {
        if (f.generation != generation || data.readableBytes() > limitBytes || files.get(f.gfid) != f) {
            data.release();
            return;
        }
        Page old = f.pages.remove(index);
        if (old != null) remove(old);
        Page p = new Page(f, index, data);
        f.pages.put(index, p);
        lru.put(p, Boolean.TRUE);
        bytes += data.readableBytes();
        Iterator<Page> it = lru.keySet().iterator();
        while (bytes > limitBytes && it.hasNext()) {
            Page victim = it.next();
            it.remove();
            victim.file.pages.remove(victim.index);
            bytes -= victim.data.readableBytes();
            victim.data.release();
        }
    }

    /**
     * Caches a page just fetched, whose reply showed {@code attr}: pages of other content are
     * dropped first (the file changed), unless our own changes dropped the file's pages since the
     * fetch was sent, in which case the page is stale and is released.
     */
    synchronized void putFetched(File f, long index, ByteBuf data, Iatt attr, long generation, long now) {
        if (f.generation != generation) {
            data.release();
            return;
        }
        observed(f, attr, now);
        put(f, index, data, f.generation);
    }

    /** Releases every page (at shutdown). */
    synchronized void clear() {
        for (File f : files.values()) dropPages(f);
        files.clear();
    }

    /** Drops the pages of {@code g} and what was known of its attributes. */
    synchronized void invalidate(Gfid g) {
        File f = g == null ? null : files.get(g);
        if (f == null) return;
        dropPages(f);
        f.stamp = null;
    }

    /** Drops every file's pages and what was known of its attributes. */
    synchronized void invalidateAll() {
        for (File f : files.values()) {
            dropPages(f);
            f.stamp = null;
        }
    }

    /** Forgets {@code g} entirely (the inode is gone from this client). */
    synchronized void forget(Gfid g) {
        File f = files.remove(g);
        if (f != null) dropPages(f);
    }

    private void dropPages(File f) {
        f.generation++;
        for (Page p : f.pages.values()) remove(p);
        f.pages.clear();
    }

    private void remove(Page p) {
        lru.remove(p);
        bytes -= p.data.readableBytes();
        p.data.release();
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int pages() {
        return lru.size();
    }
}
