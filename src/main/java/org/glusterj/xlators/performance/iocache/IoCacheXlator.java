package org.glusterj.xlators.performance.iocache;

import static org.glusterj.core.OpenFlags.O_DIRECT;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.glusterj.core.Caller;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.xlators.performance.DataCacheXlator;

/**
 * performance/io-cache: a client-side page cache of file data, {@value #PAGE_SIZE}-byte pages by
 * (gfid, index), bounded by cache-size (least recently used out first). Reads are answered from
 * the pages they cover; missing pages are fetched in parallel and kept.
 *
 * <p>Pages are trusted for cache-timeout seconds; after that, the next read first asks the file's
 * attributes (fstat) and drops the pages if its size or mtime changed. Every fetched page's reply
 * attributes are checked the same way. Our own writes, truncates, fallocate, discard, zerofill,
 * setattr and opens with O_TRUNC drop the file's pages when wound and when answered; so does a
 * brick's upcall for the file.
 */
public final class IoCacheXlator extends DataCacheXlator {
    static final int PAGE_SIZE = 128 * 1024;

    public static final Option<Long> CACHE_SIZE = Option.size("cache-size", "32MB", 4L << 20, 32L << 30,
            "Memory for cached pages; the least recently used go first.");
    public static final Option<Integer> CACHE_TIMEOUT = Option.integer("cache-timeout", 1, 0, 60,
            "Seconds that cached pages are used before the file's size and mtime are checked again.");
    public static final Option<String> PRIORITY = Option.string("priority", "",
            "Accepted for GlusterFS compatibility; no effect.");
    public static final Option<Long> MIN_FILE_SIZE = Option.size("min-file-size", "0", 0, 1L << 50,
            "Files smaller than this are not cached.");
    public static final Option<Long> MAX_FILE_SIZE = Option.size("max-file-size", "0", 0, 1L << 50,
            "Files bigger than this are not cached; 0 means no limit.");
    public static final Option<Boolean> PASS_THROUGH = Option.bool("pass-through", false,
            "Pass every fop through untouched.");
    public static final List<Option<?>> OPTIONS = List.of(CACHE_SIZE, CACHE_TIMEOUT, PRIORITY, MIN_FILE_SIZE,
            MAX_FILE_SIZE, PASS_THROUGH);

    public static final XlatorType TYPE = new XlatorType("performance/io-cache", List.of(),
            "Caches file data in pages, revalidated by size and mtime after cache-timeout.",
            OPTIONS, IoCacheXlator::new);

    private final boolean enabled;
    private final long timeoutNanos;
    private final long minFileSize;
    private final long maxFileSize;
    private final LongSupplier clock;
    private final PageCache cache;

    public IoCacheXlator(XlatorConfig config) {
        this(config, System::nanoTime);
    }

    /** With a clock of nanoseconds, so that tests can step past the timeout. */
    IoCacheXlator(XlatorConfig config, LongSupplier clock) {
        super(config);
        this.enabled = !options().get(PASS_THROUGH);
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(options().get(CACHE_TIMEOUT));
        this.minFileSize = options().get(MIN_FILE_SIZE);
        this.maxFileSize = options().get(MAX_FILE_SIZE);
        this.clock = clock;
        this.cache = new PageCache(options().get(CACHE_SIZE));
    }

    /** Bytes of cached pages (for tests and diagnostics). */
    long cachedBytes() {
        return cache.bytes();
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        if (!enabled || (fd.flags() & O_DIRECT) != 0 || size <= 0 || offset < 0 || fd.gfid() == null) {
            return firstChild().readv(c, fd, size, offset, flags, x);
        }
        PageCache.File f = cache.file(fd.gfid());
        if (!cache.needsValidation(f, clock.getAsLong(), timeoutNanos)) return read(c, fd, f, size, offset, flags, x);
        long generation = cache.generation(f);
        return firstChild().fstat(c, fd, Xdata.EMPTY).handle((r, t) -> {
            if (t == null && cache.generation(f) == generation) cache.observed(f, r.attr(), clock.getAsLong());
            else cache.invalidate(f.gfid);
            return read(c, fd, f, size, offset, flags, x);
        }).thenCompose(r -> r);
    }

    private boolean cacheable(Iatt stamp) {
        if (stamp == null) return true;
        return stamp.size() >= minFileSize && (maxFileSize == 0 || stamp.size() <= maxFileSize);
    }

    private CompletableFuture<ReadReply> read(Caller c, Fd fd, PageCache.File f, int size, long offset, int flags,
                                              Xdata x) {
        Iatt stamp = cache.stamp(f);
        if (!cacheable(stamp)) return firstChild().readv(c, fd, size, offset, flags, x);
        // Within the timeout the size is trusted too: no fetching of pages past the end of file.
        long end = stamp == null ? offset + size : Math.min(offset + size, stamp.size());
        if (end <= offset) return CompletableFuture.completedFuture(new ReadReply(Unpooled.EMPTY_BUFFER, stamp, Xdata.EMPTY));
        long first = offset / PAGE_SIZE;
        long last = (end - 1) / PAGE_SIZE;
        int n = (int) (last - first + 1);
        long generation = cache.generation(f);
        @SuppressWarnings("unchecked")
        CompletableFuture<ByteBuf>[] parts = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            long index = first + i;
            ByteBuf cached = cache.get(f, index);
            parts[i] = cached != null ? CompletableFuture.completedFuture(cached) : fetch(c, fd, f, index, generation);
        }
        return CompletableFuture.allOf(parts).handle((v, t) -> {
            if (t != null) {
                for (CompletableFuture<ByteBuf> p : parts) {
                    if (!p.isCompletedExceptionally()) p.join().release();
                }
                throw t instanceof RuntimeException re ? re : new RuntimeException(t);
            }
            return new ReadReply(assemble(parts, size, offset - first * PAGE_SIZE), cache.stamp(f), Xdata.EMPTY);
        });
    }

    /** One page from the child, copied into its own buffer; the cache keeps a reference, the reader gets one. */
    private CompletableFuture<ByteBuf> fetch(Caller c, Fd fd, PageCache.File f, long index, long generation) {
        return firstChild().readv(c, fd, PAGE_SIZE, index * PAGE_SIZE, 0, Xdata.EMPTY).thenApply(r -> {
            ByteBuf src = r.data();
            ByteBuf copy;
            try {
                int len = src == null ? 0 : src.readableBytes();
                copy = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(len, 1));
                if (len > 0) copy.writeBytes(src, src.readerIndex(), len);
            } finally {
                if (src != null) src.release();
            }
            if (cacheable(r.attr())) cache.putFetched(f, index, copy.retain(), r.attr(), generation, clock.getAsLong());
            return copy;
        });
    }

    /** Releases every part; the bytes from {@code skip} on, up to {@code size}, stopping after a short (last) page. */
    private static ByteBuf assemble(CompletableFuture<ByteBuf>[] parts, int size, long skip) {
        ByteBuf firstPart = parts[0].join();
        if (parts.length == 1) {
            int n = (int) Math.max(0, Math.min(size, firstPart.readableBytes() - skip));
            ByteBuf out = n == 0 ? Unpooled.EMPTY_BUFFER : firstPart.retainedSlice(firstPart.readerIndex() + (int) skip, n);
            firstPart.release();
            return out;
        }
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        int want = size;
        boolean ended = false;
        for (int i = 0; i < parts.length; i++) {
            ByteBuf part = parts[i].join();
            try {
                if (ended || want == 0) continue;
                int from = i == 0 ? (int) skip : 0;
                int len = Math.max(0, Math.min(want, part.readableBytes() - from));
                if (len > 0) out.writeBytes(part, part.readerIndex() + from, len);
                want -= len;
                if (part.readableBytes() < PAGE_SIZE) ended = true; // end of file
            } finally {
                part.release();
            }
        }
        return out;
    }

    // ---- what DataCacheXlator asks ----

    @Override
    protected boolean caching() {
        return enabled;
    }

    @Override
    protected void dataChanged(Gfid g) {
        cache.invalidate(g);
    }

    @Override
    protected void everythingChanged() {
        cache.invalidateAll();
    }

    @Override
    public void forget(Inode inode) {
        cache.forget(inode.gfid());
        super.forget(inode);
    }

    @Override
    public void fini() {
        cache.clear();
        super.fini();
    }
}
