package org.glusterj.xlators.performance.quickread;

import static org.glusterj.core.OpenFlags.O_ACCMODE;
import static org.glusterj.core.OpenFlags.O_APPEND;
import static org.glusterj.core.OpenFlags.O_DIRECT;
import static org.glusterj.core.OpenFlags.O_RDONLY;
import static org.glusterj.core.OpenFlags.O_TRUNC;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.xlators.performance.DataCacheXlator;
import org.glusterj.xlators.performance.openbehind.OpenBehindXlator;

/**
 * performance/quick-read: every lookup asks the brick for the file's whole content when it is a
 * regular file of at most max-file-size bytes (xdata {@value #CONTENT_KEY}, answered by
 * storage/posix in the same round trip); the content is kept for cache-timeout seconds and reads
 * are answered from it, so that reading a small file costs no open and no read on the wire.
 *
 * <p>A read-only open of a file whose content is not held (md-cache above answered its lookup, or
 * the content expired) and which was not last seen too big fetches the content with one lookup
 * before it is wound; the fd then keeps that content as its snapshot, and the open carries
 * {@link OpenBehindXlator#CONTENT_HELD_KEY} so that open-behind below never sends it. Open, read
 * and close of a small file thus cost one round trip at most, none if the content is fresh.
 *
 * <p>Reads of an fd are answered from the freshest content held for its gfid, else from its
 * snapshot while that is younger than cache-timeout and nothing changed it; otherwise one lookup
 * by gfid (no open) brings it again. If that lookup says the file is gone (another client removed
 * or replaced it), the fd goes on reading its snapshot, as an fd on a local filesystem goes on
 * reading a file whose name was unlinked, rather than failing with ESTALE (fstat, which
 * open-behind answers with a stat by gfid, falls back on the snapshot's attributes too). Only if the file is no
 * longer small, or this client changed it since, does the read go down (and open-behind opens).
 *
 * <p>Our own changes (write, truncate, open with O_TRUNC, fallocate, discard, zerofill, setattr)
 * drop the content when wound and again when answered, and no snapshot of the file is served
 * again. One exception: a file this client created, while its fd writes it in order within
 * max-file-size and nothing else touches it, has known content after each write (the bytes
 * written, with the write's attributes), kept as if a lookup had brought it. A lookup by gfid
 * with nothing asked of the bricks is answered from fresh content, so md-cache's refresh after
 * the close of a small new file costs no round trip. A brick's upcall for the gfid (DATA, ATTR
 * or GONE) drops the content and makes the snapshots ask again. Without upcalls, another client's
 * change is seen after cache-timeout.
 * Sit below write-behind, so that a lookup is never answered by a brick that has not yet received
 * writes write-behind already acknowledged.
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

    private static final byte[] NO_VALUE = new byte[0];

    private final boolean enabled;
    private final byte[] wanted;
    private final long maxFileSize;
    private final ContentCache cache;
    private final long timeoutNanos;
    /** The snapshots of open fds by gfid, so that changes can reach them. */
    private final Map<Gfid, Set<Snapshot>> snapshots = new ConcurrentHashMap<>();

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
        this.maxFileSize = max;
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(options().get(CACHE_TIMEOUT));
        this.cache = new ContentCache(limit, timeoutNanos, clock);
    }

    /**
     * The content an fd last read (its ctx). {@code recheck}: another client changed the file, ask
     * before serving again. {@code ownChange}: this client changed it, never serve this again.
     * {@code gone}: a lookup found the file removed, so it cannot change any more.
     */
    private static final class Snapshot {
        volatile ContentCache.Entry entry;
        volatile boolean recheck;
        volatile boolean ownChange;
        volatile boolean gone;

        Snapshot(ContentCache.Entry entry) {
            this.entry = entry;
        }

        synchronized void serving(ContentCache.Entry e) {
            if (e == entry) return;
            entry = e;
            recheck = false;
            ownChange = false;
            gone = false;
        }

        /** The snapshot if it may be served without asking the bricks, else null. */
        ContentCache.Entry usable(long now, long timeoutNanos) {
            ContentCache.Entry e = entry;
            if (ownChange) return null;
            if (gone) return e;
            return recheck || now - e.fetchedAt() >= timeoutNanos ? null : e;
        }

        /** The bricks no longer have the file: the snapshot is its last content, unless we changed it since. */
        ContentCache.Entry afterGone() {
            if (ownChange) return null;
            gone = true;
            return entry;
        }
    }

    /**
     * What the fd of a file this client created wrote, while that is the file's whole content (its
     * ctx). {@code stamp}: the cache's stamp when the content was last kept; any invalidation since
     * (of any file: the stamp is coarse) means the content may no longer be the file's.
     */
    private static final class Written {
        private byte[] content = NO_VALUE;
        private long stamp;
        private boolean writing;
        private boolean broken;

        Written(long stamp) {
            this.stamp = stamp;
        }

        /** The bytes of a write that keeps the content known, or null (and never again). */
        synchronized byte[] starting(ByteBuf data, long offset, long max) {
            int n = data.readableBytes();
            if (broken || writing || offset > content.length || offset + n > max) {
                broken = true;
                return null;
            }
            writing = true;
            byte[] bytes = new byte[n];
            data.getBytes(data.readerIndex(), bytes);
            return bytes;
        }

        /** The content after the write, or null if the brick's size says it is not what we know. */
        synchronized byte[] finished(byte[] bytes, long offset, Iatt post) {
            writing = false;
            int end = (int) Math.max(content.length, offset + bytes.length);
            if (post == null || post.size() != end) {
                broken = true;
                return null;
            }
            byte[] next = Arrays.copyOf(content, end);
            System.arraycopy(bytes, 0, next, (int) offset, bytes.length);
            content = next;
            return next;
        }

        synchronized long stamp() {
            return stamp;
        }

        synchronized void kept(long now) {
            stamp = now;
        }

        synchronized void lost() {
            broken = true;
        }
    }

    private Snapshot snapshotOf(Fd fd) {
        return fd.ctx(this) instanceof Snapshot s ? s : null;
    }

    /** Bytes of content held (for tests and diagnostics). */
    long cachedBytes() {
        return cache.bytes();
    }

    // ---- filling ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        if (!enabled || x.has(CONTENT_KEY)) return firstChild().lookup(c, loc, x);
        if (loc.name() == null && loc.gfid() != null && x.isEmpty()) {
            ContentCache.Entry held = cache.fresh(loc.gfid());
            if (held != null) {
                return CompletableFuture.completedFuture(new EntryReply(held.attr(), null, null, Xdata.EMPTY));
            }
        }
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
            } else if (!a.isRegular() || a.size() > maxFileSize) {
                cache.tooLarge(a.gfid());
            } else {
                cache.remove(a.gfid());
            }
            return content == null ? r : new EntryReply(a, r.preParent(), r.postParent(), r.xdata().without(CONTENT_KEY));
        });
    }

    // ---- what this client writes to a file it created ----

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        if (!enabled || (flags & O_APPEND) != 0) return firstChild().create(c, loc, flags, mode, umask, fd, x);
        long stamp = cache.stamp();
        return firstChild().create(c, loc, flags, mode, umask, fd, x).thenApply(r -> {
            Iatt a = r.attr();
            // Not ours if a racing create returned another client's file.
            if (a == null || !a.isRegular() || a.size() != 0 || !a.gfid().equals(fd.gfid())) return r;
            long kept = cache.putWritten(a.gfid(), NO_VALUE, a, stamp);
            if (kept >= 0) fd.setCtx(this, new Written(kept));
            return r;
        });
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        Written w = enabled && fd.ctx(this) instanceof Written known ? known : null;
        byte[] bytes = w == null ? null : w.starting(data, offset, maxFileSize);
        Gfid g = fd.gfid();
        // Nothing may have been invalidated since the content was last kept (another client's
        // change among it), checked and marked in one step.
        long stamp = bytes == null ? -1 : cache.writing(g, w.stamp());
        if (stamp < 0) {
            if (bytes != null) w.lost(); // the stamp moved (starting() already gave up otherwise)
            return super.writev(c, fd, data, offset, flags, x);
        }
        snapshotsSeeOwnChange(g);
        return firstChild().writev(c, fd, data, offset, flags, x).whenComplete((r, t) -> {
            byte[] content = w.finished(bytes, offset, t == null ? r.post() : null);
            long kept = content == null ? -1 : cache.putWritten(g, content, r.post(), stamp);
            if (kept >= 0) {
                w.kept(kept);
            } else {
                w.lost();
                dataChanged(g);
            }
        });
    }

    // ---- changes of a file's ctime, link count or mode, which the attributes kept with its content miss ----

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return attributesChanging(loc.gfid(), null, () -> firstChild().unlink(c, loc, xflags, x));
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return attributesChanging(oldLoc.gfid(), null, () -> firstChild().link(c, oldLoc, newLoc, x));
    }

    /** The file renamed over (newLoc's gfid, when known) loses a name too. */
    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return attributesChanging(oldLoc.gfid(), newLoc.gfid(), () -> firstChild().rename(c, oldLoc, newLoc, x));
    }

    /** Setting an ACL changes the mode bits; any xattr change moves ctime. */
    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return attributesChanging(loc.gfid(), null, () -> firstChild().setxattr(c, loc, values, flags, x));
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        return attributesChanging(fd.gfid(), null, () -> firstChild().fsetxattr(c, fd, values, flags, x));
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return attributesChanging(loc.gfid(), null, () -> firstChild().removexattr(c, loc, name, x));
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        return attributesChanging(fd.gfid(), null, () -> firstChild().fremovexattr(c, fd, name, x));
    }

    /** Drops what is kept of {@code g} and {@code other} (either may be null) when wound and when answered. */
    private <T> CompletableFuture<T> attributesChanging(Gfid g, Gfid other, Supplier<CompletableFuture<T>> wind) {
        if (!enabled || (g == null && other == null)) return wind.get();
        Runnable drop = () -> {
            cache.invalidate(g);
            cache.invalidate(other);
        };
        drop.run();
        return wind.get().whenComplete((r, t) -> drop.run());
    }

    // ---- opening ----

    /** Read-only opens that could be served from content: no truncation, no O_DIRECT. */
    private static boolean servable(int flags) {
        return (flags & O_ACCMODE) == O_RDONLY && (flags & (O_TRUNC | O_DIRECT)) == 0;
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        Gfid g = fd.gfid();
        if (!enabled || g == null || !servable(flags)) return super.open(c, loc, flags, fd, x);
        ContentCache.Entry held = cache.fresh(g);
        if (held != null) return openWithSnapshot(c, loc, flags, fd, x, held);
        if (cache.isLarge(g)) return firstChild().open(c, loc, flags, fd, x);
        // Named if we can: distribute then asks the one brick the name hashes to.
        return lookupWithContent(c, loc, Xdata.EMPTY).handle((r, t) -> {
            ContentCache.Entry got = cache.fresh(g);
            return got != null ? openWithSnapshot(c, loc, flags, fd, x, got) : firstChild().open(c, loc, flags, fd, x);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<Done> openWithSnapshot(Caller c, Loc loc, int flags, Fd fd, Xdata x,
                                                     ContentCache.Entry e) {
        Snapshot s = new Snapshot(e);
        fd.setCtx(this, s);
        snapshots.computeIfAbsent(fd.gfid(), k -> ConcurrentHashMap.newKeySet()).add(s);
        return firstChild().open(c, loc, flags, fd, x.with(OpenBehindXlator.CONTENT_HELD_KEY, NO_VALUE)).whenComplete((d, t) -> {
            if (t != null) forgetSnapshot(fd);
        });
    }

    private void forgetSnapshot(Fd fd) {
        if (!(fd.takeCtx(this) instanceof Snapshot s)) return;
        snapshots.computeIfPresent(fd.gfid(), (g, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void release(Fd fd) {
        forgetSnapshot(fd);
        super.release(fd);
    }

    // ---- serving ----

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        if (!enabled || (fd.flags() & O_DIRECT) != 0 || size < 0 || offset < 0) {
            return firstChild().readv(c, fd, size, offset, flags, x);
        }
        Gfid g = fd.gfid();
        Snapshot snap = snapshotOf(fd);
        ContentCache.Entry e = cache.fresh(g);
        if (e != null) return served(snap, e, size, offset);
        if (snap != null) {
            ContentCache.Entry still = snap.usable(cache.now(), timeoutNanos);
            if (still != null) return CompletableFuture.completedFuture(slice(still, size, offset));
        } else if (!cache.holds(g)) {
            return firstChild().readv(c, fd, size, offset, flags, x);
        }
        // Known small but expired or changed: one lookup by gfid brings it again, without opening the file.
        return lookupWithContent(c, Loc.of(g, null), Xdata.EMPTY).handle((r, t) -> {
            ContentCache.Entry again = cache.fresh(g);
            if (again != null) return served(snap, again, size, offset);
            if (t != null && snap != null && isGone(t)) {
                ContentCache.Entry last = snap.afterGone();
                if (last != null) return CompletableFuture.completedFuture(slice(last, size, offset));
            }
            return firstChild().readv(c, fd, size, offset, flags, x);
        }).thenCompose(f -> f);
    }

    /**
     * fstat of an fd whose open open-behind never sent is a stat by gfid; if another client
     * removed the file, the snapshot's attributes answer it, as the fd's reads do.
     */
    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        Snapshot snap = enabled ? snapshotOf(fd) : null;
        if (snap == null) return firstChild().fstat(c, fd, x);
        return firstChild().fstat(c, fd, x).handle((r, t) -> {
            if (t == null) return CompletableFuture.completedFuture(r);
            ContentCache.Entry last = isGone(t) ? snap.afterGone() : null;
            return last != null ? CompletableFuture.completedFuture(new AttrReply(last.attr(), Xdata.EMPTY))
                    : CompletableFuture.<AttrReply>failedFuture(t);
        }).thenCompose(f -> f);
    }

    private static CompletableFuture<ReadReply> served(Snapshot snap, ContentCache.Entry e, int size, long offset) {
        if (snap != null) snap.serving(e);
        return CompletableFuture.completedFuture(slice(e, size, offset));
    }

    private static boolean isGone(Throwable t) {
        Errno e = FopException.errnoOf(t);
        return e == Errno.ESTALE || e == Errno.ENOENT;
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
        snapshotsSeeOwnChange(g);
    }

    private void snapshotsSeeOwnChange(Gfid g) {
        Set<Snapshot> open = g == null ? null : snapshots.get(g);
        if (open != null) open.forEach(s -> s.ownChange = true);
    }

    @Override
    protected void everythingChanged() {
        cache.invalidateAll();
        snapshots.values().forEach(set -> set.forEach(s -> s.recheck = true));
    }

    @Override
    protected void dataChangedElsewhere(Gfid g) {
        cache.invalidate(g);
        Set<Snapshot> open = snapshots.get(g);
        if (open != null) open.forEach(s -> s.recheck = true);
    }

    /**
     * Another client's xattr change moves the file's ctime: the attributes kept with the content
     * (which lookups by gfid are answered with) age, though the content does not.
     */
    @Override
    public void upcall(Upcall upcall, Xlator source) {
        if (enabled && !upcall.isEverything() && upcall.has(Upcall.XATTR)) cache.invalidate(upcall.gfid());
        super.upcall(upcall, source);
    }

    @Override
    public void forget(Inode inode) {
        cache.remove(inode.gfid());
        super.forget(inode);
    }
}
