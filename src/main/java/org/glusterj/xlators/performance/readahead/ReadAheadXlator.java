package org.glusterj.xlators.performance.readahead;

import static org.glusterj.core.OpenFlags.O_DIRECT;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.glusterj.core.Caller;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.xlators.performance.DataCacheXlator;

/**
 * performance/read-ahead: notices per fd when reads are sequential and then fetches page-count
 * pages of page-size bytes ahead of the reader, in parallel, so that the round trips overlap
 * instead of adding up. Reads are answered from the pages (a slice when one page covers the read,
 * a copy when it spans several).
 *
 * <p>A read is sequential when it starts within page-count pages of where the furthest read so far
 * ended, or inside a page already fetched: the kernel's own read-ahead sends reads concurrently, so
 * they arrive out of order. The first read at offset 0 counts as sequential. Pages more than
 * page-count pages behind the reader are dropped. Any other read drops the pages and goes down.
 * Writes, truncates, fallocate, discard and zerofill through any fd of the file drop the pages of
 * every fd of it, when wound and again when answered; so does a brick's upcall for the file.
 */
public final class ReadAheadXlator extends DataCacheXlator {
    public static final Option<Integer> PAGE_COUNT = Option.integer("page-count", 4, 1, 16,
            "Pages fetched ahead of a sequential reader.");
    public static final Option<Long> PAGE_SIZE = Option.size("page-size", "128KB", 4096, 1L << 20,
            "Size of each page fetched ahead.");
    public static final Option<Boolean> FORCE_ATIME_UPDATE = Option.bool("force-atime-update", false,
            "Accepted for GlusterFS compatibility; no effect.");
    public static final Option<Boolean> PASS_THROUGH = Option.bool("pass-through", false,
            "Pass every fop through untouched.");
    public static final List<Option<?>> OPTIONS = List.of(PAGE_COUNT, PAGE_SIZE, FORCE_ATIME_UPDATE, PASS_THROUGH);

    public static final XlatorType TYPE = new XlatorType("performance/read-ahead", List.of(),
            "Detects sequential reads per fd and fetches the next pages ahead, in parallel.",
            OPTIONS, ReadAheadXlator::new);

    private final boolean enabled;
    private final int pageCount;
    private final int pageSize;
    /** The read-ahead state of every open fd, by file, so that a change through one fd reaches all. */
    private final Map<Gfid, Set<ReadAheadFile>> byGfid = new ConcurrentHashMap<>();

    public ReadAheadXlator(XlatorConfig config) {
        super(config);
        this.enabled = !options().get(PASS_THROUGH);
        this.pageCount = options().get(PAGE_COUNT);
        this.pageSize = (int) (long) options().get(PAGE_SIZE);
    }

    private ReadAheadFile state(Fd fd) {
        return fd.ctxIfAbsent(this, () -> {
            ReadAheadFile f = new ReadAheadFile();
            byGfid.compute(fd.gfid(), (g, set) -> {
                Set<ReadAheadFile> s = set != null ? set : ConcurrentHashMap.newKeySet();
                s.add(f);
                return s;
            });
            return f;
        });
    }

    /** Pages held or in flight for {@code fd} (for tests). */
    int pagesOf(Fd fd) {
        ReadAheadFile f = fd.ctx(this);
        if (f == null) return 0;
        synchronized (f) {
            return f.pages.size();
        }
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        if (!enabled || (fd.flags() & O_DIRECT) != 0 || size <= 0 || offset < 0 || fd.gfid() == null) {
            return firstChild().readv(c, fd, size, offset, flags, x);
        }
        ReadAheadFile f = state(fd);
        List<ReadAheadFile.Page> toFetch = new ArrayList<>();
        long generation;
        synchronized (f) {
            long window = (long) pageCount * pageSize;
            boolean sequential = f.covers(offset, pageSize) || Math.abs(offset - f.expected) <= window;
            if (!sequential) {
                f.drop();
                f.expected = offset + size;
                toFetch = null;
            } else {
                f.expected = Math.max(f.expected, offset + size);
                // Reads arrive out of order: keep a window behind the reader for those still coming.
                f.dropBefore(offset - window, pageSize);
                long first = offset - offset % pageSize;
                long lastNeeded = offset + size - 1;
                long last = lastNeeded - lastNeeded % pageSize + (long) pageCount * pageSize;
                for (long p = first; p <= last && p < f.eof; p += pageSize) {
                    if (f.pages.containsKey(p)) continue;
                    ReadAheadFile.Page page = new ReadAheadFile.Page(p);
                    f.pages.put(p, page);
                    toFetch.add(page);
                }
            }
            generation = f.generation;
        }
        if (toFetch == null) return firstChild().readv(c, fd, size, offset, flags, x);
        for (ReadAheadFile.Page page : toFetch) fetch(c, fd, f, page, generation);
        return serve(c, fd, f, size, offset, flags, x, true);
    }

    private void fetch(Caller c, Fd fd, ReadAheadFile f, ReadAheadFile.Page page, long generation) {
        CompletableFuture<ReadReply> read;
        try {
            read = firstChild().readv(c, fd, pageSize, page.start, 0, Xdata.EMPTY);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.whenComplete((r, t) -> {
            synchronized (f) {
                boolean current = f.generation == generation && f.pages.get(page.start) == page;
                if (t == null && current && r.data() != null) {
                    page.reply = r;
                    if (r.attr() != null) f.eof = r.attr().size();
                    else if (r.data().readableBytes() < pageSize) f.eof = page.start + r.data().readableBytes();
                } else {
                    if (r != null && r.data() != null) r.data().release();
                    page.failed = true;
                    if (current) f.pages.remove(page.start);
                }
            }
            page.arrived.complete(null);
        });
    }

    /**
     * Answers from the pages that cover the read, waiting once for those in flight; a read the
     * pages cannot answer (a fetch failed, the pages were dropped meanwhile) goes down.
     */
    private CompletableFuture<ReadReply> serve(Caller c, Fd fd, ReadAheadFile f, int size, long offset, int flags,
                                               Xdata x, boolean mayWait) {
        ReadReply answer = null;
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        synchronized (f) {
            List<ReadAheadFile.Page> covering = new ArrayList<>();
            boolean miss = false;
            for (long p = offset - offset % pageSize; p < offset + size; p += pageSize) {
                ReadAheadFile.Page page = f.pages.get(p);
                if (page == null || page.failed) {
                    miss = true;
                    break;
                }
                if (!page.ready()) {
                    waits.add(page.arrived);
                    continue;
                }
                covering.add(page);
                if (page.length() < pageSize) break; // end of file
            }
            if (miss || (!waits.isEmpty() && !mayWait)) {
                waits.clear();
            } else if (waits.isEmpty()) {
                answer = assemble(covering, size, offset);
            }
        }
        if (answer != null) return CompletableFuture.completedFuture(answer);
        if (waits.isEmpty()) return firstChild().readv(c, fd, size, offset, flags, x);
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                .thenCompose(v -> serve(c, fd, f, size, offset, flags, x, false));
    }

    /** The read's bytes from pages that cover it in order (the last may end early, at end of file). */
    private ReadReply assemble(List<ReadAheadFile.Page> covering, int size, long offset) {
        ReadAheadFile.Page first = covering.get(0);
        ReadReply last = covering.get(covering.size() - 1).reply;
        int skip = (int) (offset - first.start);
        if (covering.size() == 1) {
            ByteBuf d = first.reply.data();
            int n = Math.max(0, Math.min(size, d.readableBytes() - skip));
            ByteBuf out = n == 0 ? Unpooled.EMPTY_BUFFER : d.retainedSlice(d.readerIndex() + skip, n);
            return new ReadReply(out, last.attr(), Xdata.EMPTY);
        }
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        int want = size;
        for (ReadAheadFile.Page page : covering) {
            ByteBuf d = page.reply.data();
            int from = page == first ? skip : 0;
            int n = Math.max(0, Math.min(want, d.readableBytes() - from));
            if (n > 0) out.writeBytes(d, d.readerIndex() + from, n);
            want -= n;
            if (want == 0) break;
        }
        return new ReadReply(out, last.attr(), Xdata.EMPTY);
    }

    // ---- changes drop the pages of every fd of the file ----

    private void dropPages(Gfid g) {
        Set<ReadAheadFile> files = g == null ? null : byGfid.get(g);
        if (files != null) drop(files);
    }

    private static void drop(Set<ReadAheadFile> files) {
        for (ReadAheadFile f : files) {
            synchronized (f) {
                f.drop();
            }
        }
    }

    @Override
    protected boolean caching() {
        return enabled;
    }

    @Override
    protected void dataChanged(Gfid g) {
        dropPages(g);
    }

    @Override
    protected void everythingChanged() {
        byGfid.values().forEach(ReadAheadXlator::drop);
    }

    @Override
    public void release(Fd fd) {
        ReadAheadFile f = fd.takeCtx(this);
        if (f != null) {
            synchronized (f) {
                f.drop();
            }
            byGfid.computeIfPresent(fd.gfid(), (g, set) -> {
                set.remove(f);
                return set.isEmpty() ? null : set;
            });
        }
        super.release(fd);
    }
}
