package org.glusterj.xlators.performance.readahead;

import io.netty.buffer.ByteBuf;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.glusterj.core.ReadReply;

/**
 * Read-ahead's state for one open fd: where the next sequential read is expected and the pages
 * fetched (or being fetched) ahead of it. Every method is called with this object's lock held.
 *
 * <p>Each page owns one reference to its data. Dropping pages ({@link #drop}) bumps the
 * generation, so that a fetch in flight finds out on arrival that its page is gone and releases
 * the data instead of keeping it.
 */
final class ReadAheadFile {
    /** One page-size block at {@code start}: {@code reply} set once it arrived, {@code arrived} completed then. */
    static final class Page {
        final long start;
        final CompletableFuture<Void> arrived = new CompletableFuture<>();
        ReadReply reply;
        boolean failed;

        Page(long start) {
            this.start = start;
        }

        boolean ready() {
            return reply != null;
        }

        int length() {
            return reply.data().readableBytes();
        }
    }

    final TreeMap<Long, Page> pages = new TreeMap<>();
    long expected;
    long generation;
    /** End of file as the last page's reply showed it; nothing is fetched from there on. */
    long eof = Long.MAX_VALUE;

    /** Forgets every page (a write, truncate or seek away). */
    void drop() {
        generation++;
        eof = Long.MAX_VALUE;
        for (Page p : pages.values()) releaseData(p);
        pages.clear();
    }

    /** Forgets the pages wholly before {@code offset}: a sequential reader will not come back for them. */
    void dropBefore(long offset, int pageSize) {
        Iterator<Map.Entry<Long, Page>> it = pages.entrySet().iterator();
        while (it.hasNext()) {
            Page p = it.next().getValue();
            if (p.start + pageSize > offset) break;
            releaseData(p);
            it.remove();
        }
    }

    /** Whether a page is held or in flight for the block that holds {@code offset}. */
    boolean covers(long offset, int pageSize) {
        return pages.containsKey(offset - offset % pageSize);
    }

    private static void releaseData(Page p) {
        if (p.reply != null) {
            ByteBuf d = p.reply.data();
            p.reply = null;
            if (d != null) d.release();
        }
        p.failed = true; // a reader that waited for it goes to the bricks itself
    }
}
