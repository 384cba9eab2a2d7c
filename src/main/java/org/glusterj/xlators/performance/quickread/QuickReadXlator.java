package org.glusterj.xlators.performance.quickread;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.xlators.performance.DataCacheXlator;

/**
 * performance/quick-read: every lookup asks the brick for the file's whole content when it is a
 * regular file of at most max-file-size bytes (xdata {@value #CONTENT_KEY}, answered by
 * storage/posix in the same round trip); the content is kept for cache-timeout seconds and reads
 * are answered from it, so that reading a small file costs no open and no read on the wire
 * (open-behind, below, never sends the open for such an fd).
 *
 * <p>When the content has expired, a read first asks again with one lookup by gfid (still one
 * round trip, and no open); only if the file is no longer small does the read go down.
 *
 * <p>Our own changes (write, truncate, open with O_TRUNC, fallocate, discard, zerofill, setattr)
 * drop the content when wound and again when answered; a brick's upcall for the gfid (DATA, ATTR
 * or GONE) drops it too. Without upcalls, another client's change is seen after cache-timeout.
 */
public final class QuickReadXlator extends DataCacheXlator {
    /** Lookup xdata: in the request, the largest size (decimal) whose content is wanted; in the reply, the content. */
    public static final String CONTENT_KEY = "glusterfs.content";

    public static final Option<Long> MAX_FILE_SIZE = Option.size("max-file-size", "64KB", 0, 1L << 20,
            "Files up to this size have their content fetched with the lookup and served from memory.");
    public static final Option<Long> CACHE_SIZE = Option.size("cache-size", "128MB", 0, 32L << 30,
            "Memory for cached contents; the least recently used go first.");
    public static final Option<Integer> CACHE_TIMEOUT = Option.integer("cache-timeout", 1, 1, 60,
            "Seconds that cached content is served without asking the brick again.");
    public static final Option<Boolean> CACHE_INVALIDATION = Option.bool("cache-invalidation", false,
            "Accepted for GlusterFS compatibility: brick upcalls always drop cached content.");
    public static final Option<Boolean> CTIME_INVALIDATION = Option.bool("ctime-invalidation", false,
            "Accepted for GlusterFS compatibility: any change to the attributes a lookup returns replaces the content.");
    public static final Option<String> PRIORITY = Option.string("priority", "",
            "Accepted for GlusterFS compatibility; no effect.");
    public static final Option<Boolean> PASS_THROUGH = Option.bool("pass-through", false,
            "Pass every fop through untouched.");
    public static final List<Option<?>> OPTIONS = List.of(MAX_FILE_SIZE, CACHE_SIZE, CACHE_TIMEOUT,
            CACHE_INVALIDATION, CTIME_INVALIDATION, PRIORITY, PASS_THROUGH);

    public static final XlatorType TYPE = new XlatorType("performance/quick-read", List.of(),
            "Fetches small files' content with the lookup and serves opens and reads of them from memory.",
            OPTIONS, QuickReadXlator::new);

    private static final int O_DIRECT = 040000;

    private final boolean enabled;
    private final byte[] wanted;
    private final ContentCache cache;

    public QuickReadXlator(XlatorConfig config) {
        this(config, System::nanoTime);
    }

    /** With a clock of nanoseconds, so that tests can step past the timeout. */
    QuickReadXlator(XlatorConfig config, LongSupplier clock) {
        super(config);
        long max = options().get(MAX_FILE_SIZE);
        long limit = options().get(CACHE_SIZE);
        this.enabled = !options().get(PASS_THROUGH) && max > 0 && limit > 0;
        this.wanted = Long.toString(max).getBytes(StandardCharsets.US_ASCII);
        this.cache = new ContentCache(limit, TimeUnit.SECONDS.toNanos(options().get(CACHE_TIMEOUT)), clock);
    }

    /** Bytes of content held (for tests and diagnostics). */
    long cachedBytes() {
        return cache.bytes();
    }

    // ---- filling ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        if (!enabled || x.has(CONTENT_KEY)) return firstChild().lookup(c, loc, x);
        return lookupWithContent(c, loc, x);
    }

    private CompletableFuture<EntryReply> lookupWithContent(Caller c, Loc loc, Xdata x) {
        long stamp = cache.stamp();
        return firstChild().lookup(c, loc, x.with(CONTENT_KEY, wanted)).thenApply(r -> {
            byte[] content = r.xdata().get(CONTENT_KEY);
            Iatt a = r.attr();
            if (a == null) return r;
            if (content != null && a.isRegular() && content.length == a.size()) {
                cache.put(a.gfid(), content, a, stamp);
            } else {
                cache.remove(a.gfid());
            }
            return content == null ? r : new EntryReply(a, r.preParent(), r.postParent(), r.xdata().without(CONTENT_KEY));
        });
    }

    // ---- serving ----

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        if (!enabled || (fd.flags() & O_DIRECT) != 0 || size < 0 || offset < 0) {
            return firstChild().readv(c, fd, size, offset, flags, x);
        }
        Gfid g = fd.gfid();
        ContentCache.Entry e = cache.fresh(g);
        if (e != null) return CompletableFuture.completedFuture(slice(e, size, offset));
        if (!cache.holds(g)) return firstChild().readv(c, fd, size, offset, flags, x);
        // Known small but expired: one lookup by gfid brings it again, without opening the file.
        return lookupWithContent(c, Loc.of(g, null), Xdata.EMPTY).handle((r, t) -> {
            ContentCache.Entry again = cache.fresh(g);
            if (again != null) return CompletableFuture.completedFuture(slice(again, size, offset));
            return firstChild().readv(c, fd, size, offset, flags, x);
        }).thenCompose(f -> f);
    }

    private static ReadReply slice(ContentCache.Entry e, int size, long offset) {
        byte[] content = e.content();
        ByteBuf data = offset >= content.length ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(content, (int) offset, (int) Math.min(size, content.length - offset));
        return new ReadReply(data, e.attr(), Xdata.EMPTY);
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
    public void forget(Inode inode) {
        cache.remove(inode.gfid());
        super.forget(inode);
    }
}
