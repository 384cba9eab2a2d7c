package org.glusterj.xlators.performance.readdirahead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;

/**
 * performance/readdir-ahead: after opendir it reads the directory ahead into a buffer, so that the
 * listing the kernel asks for next is already on its way or here; readdirp is served from that
 * buffer. Beyond GlusterFS, a complete listing is kept for {@code rda-listing-timeout} and a later
 * opendir of the same directory is listed from it without asking the bricks: programs that list
 * a directory again and again (ls, shells, build tools) pay once. Any change this client makes to
 * the directory's names, and a brick's cache-invalidation upcall, drops the kept listing; another
 * client's changes show within the timeout, as with the kernel's entry cache.
 */
public final class ReaddirAheadXlator extends Xlator {
    public static final Option<Long> REQUEST_SIZE = Option.size("rda-request-size", "131072", 4096, 131072,
            "Bytes of entries asked for per readdirp while reading ahead.");
    public static final Option<Long> LOW_WMARK = Option.size("rda-low-wmark", "4096", 0, 10 << 20,
            "Reading ahead resumes when fewer bytes of entries than this are buffered.");
    public static final Option<Long> HIGH_WMARK = Option.size("rda-high-wmark", "131072", 0, 100 << 20,
            "Reading ahead pauses when this many bytes of entries are buffered for one open directory.");
    public static final Option<Long> CACHE_LIMIT = Option.size("rda-cache-limit", "10MB", 0, 1L << 30,
            "Bytes of entries kept in all: complete listings kept for later opendirs are dropped, least "
                    + "recently used first, beyond this.");
    public static final Option<Duration> LISTING_TIMEOUT = Option.time("rda-listing-timeout", "1", Duration.ZERO,
            Duration.ofSeconds(600), "Seconds a complete listing is reused by later opendirs of the directory, "
                    + "unless this client changes its names or an upcall says another did; 0 reuses nothing.");
    public static final List<Option<?>> OPTIONS = List.of(REQUEST_SIZE, LOW_WMARK, HIGH_WMARK, CACHE_LIMIT,
            LISTING_TIMEOUT, Option.bool("parallel-readdir", false,
                    "Accepted for GlusterFS compatibility; glusterj's distribute already lists bricks in turn."));

    public static final XlatorType TYPE = new XlatorType("performance/readdir-ahead", List.of(),
            "Reads directories ahead after opendir and serves readdirp from the buffer; keeps complete listings "
                    + "for rda-listing-timeout for later opendirs.",
            OPTIONS, ReaddirAheadXlator::new);

    private final int requestSize;
    private final long lowWmark;
    private final long highWmark;
    private final Listings listings;

    public ReaddirAheadXlator(XlatorConfig config) {
        this(config, System::nanoTime);
    }

    ReaddirAheadXlator(XlatorConfig config, LongSupplier clock) {
        super(config);
        this.requestSize = (int) (long) options().get(REQUEST_SIZE);
        this.lowWmark = options().get(LOW_WMARK);
        this.highWmark = Math.max(options().get(HIGH_WMARK), lowWmark);
        this.listings = new Listings(options().get(CACHE_LIMIT), options().get(LISTING_TIMEOUT).toNanos(), clock);
    }

    // ---- listing ----

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return firstChild().opendir(c, loc, fd, x).thenApply(done -> {
            List<Dirent> kept = listings.get(fd.gfid());
            DirStream s = kept != null ? DirStream.complete(kept) : new DirStream(listings.changes(), listings.limit());
            fd.setCtx(this, s);
            if (kept == null) fetch(c, fd, s);
            return done;
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        DirStream s = fd.ctx(this);
        if (s == null || !x.isEmpty()) return firstChild().readdirp(c, fd, size, offset, x);
        CompletableFuture<Void> wait;
        synchronized (s) {
            if (s.bypass || offset != s.served) {
                s.bypass = true; // a seek: the child resumes from any offset, the buffer only from its own
                return firstChild().readdirp(c, fd, size, offset, x);
            }
            if (!s.buffered.isEmpty()) {
                List<Dirent> out = s.take(size);
                boolean more = s.bufferedBytes < lowWmark;
                if (more) fetch(c, fd, s);
                return CompletableFuture.completedFuture(new ReaddirReply(out, Xdata.EMPTY));
            }
            if (s.error != null) {
                s.bypass = true;
                return CompletableFuture.failedFuture(s.error);
            }
            if (s.eof) return CompletableFuture.completedFuture(new ReaddirReply(List.of(), Xdata.EMPTY));
            wait = fetch(c, fd, s);
        }
        return wait.thenCompose(v -> readdirp(c, fd, size, offset, x));
    }

    /** Starts the next readdirp ahead unless one is on its way or the buffer is full; returns it. */
    private CompletableFuture<Void> fetch(Caller c, Fd fd, DirStream s) {
        long cookie;
        synchronized (s) {
            if (s.inFlight != null) return s.inFlight;
            if (s.eof || s.error != null || s.bufferedBytes >= highWmark) return CompletableFuture.completedFuture(null);
            cookie = s.fetched;
            s.inFlight = new CompletableFuture<>();
        }
        CompletableFuture<Void> done = s.inFlight;
        CompletableFuture<ReaddirReply> sent;
        try {
            sent = firstChild().readdirp(c, fd, requestSize, cookie, Xdata.EMPTY);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((r, t) -> {
            List<Dirent> complete = null;
            synchronized (s) {
                s.inFlight = null;
                if (t != null) s.error = t;
                else if (r.entries() == null || r.entries().isEmpty()) complete = s.finish();
                else s.add(r.entries());
            }
            if (complete != null) listings.put(fd.gfid(), complete, s.changesAtStart);
            done.complete(null);
            if (t == null && complete == null && s.bufferedBytes < highWmark) fetch(c, fd, s);
        });
        return done;
    }

    @Override
    public void releasedir(Fd fd) {
        fd.takeCtx(this);
        super.releasedir(fd);
    }

    // ---- changes that make a kept listing wrong ----

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return changing(firstChild().create(c, loc, flags, mode, umask, fd, x), loc.parent());
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        return changing(firstChild().mkdir(c, loc, mode, umask, x), loc.parent());
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return changing(firstChild().mknod(c, loc, mode, rdev, umask, x), loc.parent());
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return changing(firstChild().symlink(c, target, loc, umask, x), loc.parent());
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return changing(firstChild().link(c, oldLoc, newLoc, x), newLoc.parent());
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return changing(firstChild().unlink(c, loc, xflags, x), loc.parent());
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return changing(firstChild().rmdir(c, loc, flags, x), loc.parent(), loc.gfid());
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return changing(firstChild().rename(c, oldLoc, newLoc, x), oldLoc.parent(), newLoc.parent());
    }

    @Override
    public void upcall(Upcall upcall, Xlator source) {
        if (upcall.has(Upcall.ENTRIES) || upcall.has(Upcall.GONE)) listings.drop(upcall.gfid());
        super.upcall(upcall, source);
    }

    /** Drops the kept listings of {@code dirs} before the change is sent and again when it is done. */
    private <T> CompletableFuture<T> changing(CompletableFuture<T> fop, Gfid... dirs) {
        for (Gfid d : dirs) listings.drop(d);
        return fop.whenComplete((r, t) -> {
            for (Gfid d : dirs) listings.drop(d);
        });
    }

    /** What one open directory has read ahead and served. Guarded by its own monitor. */
    private static final class DirStream {
        final java.util.ArrayDeque<Dirent> buffered = new java.util.ArrayDeque<>();
        final long changesAtStart;
        final long keepLimit;
        long bufferedBytes;
        long allBytes;
        long served;     // the offset the next readdirp must ask for to be served from the buffer
        long fetched;    // the offset to read ahead from
        boolean eof;
        boolean bypass;
        Throwable error;
        CompletableFuture<Void> inFlight;
        /** Every entry read so far, to keep the listing once complete; null once too big or not from 0. */
        List<Dirent> all = new ArrayList<>();

        DirStream(long changesAtStart, long keepLimit) {
            this.changesAtStart = changesAtStart;
            this.keepLimit = keepLimit;
        }

        static DirStream complete(List<Dirent> kept) {
            DirStream s = new DirStream(-1, 0);
            for (Dirent d : kept) s.push(d);
            s.eof = true;
            s.all = null;
            return s;
        }

        void add(List<Dirent> entries) {
            for (Dirent d : entries) {
                push(d);
                fetched = d.offset();
                if (all != null) {
                    all.add(d);
                    allBytes += Listings.weight(d);
                    if (allBytes > keepLimit) all = null; // too big to keep: it is only read ahead
                }
            }
        }

        private void push(Dirent d) {
            buffered.add(d);
            bufferedBytes += Listings.weight(d);
        }

        List<Dirent> finish() {
            eof = true;
            List<Dirent> complete = all;
            all = null;
            return complete;
        }

        List<Dirent> take(int size) {
            List<Dirent> out = new ArrayList<>();
            long bytes = 0;
            while (!buffered.isEmpty() && (out.isEmpty() || bytes + Listings.weight(buffered.peek()) <= size)) {
                Dirent d = buffered.poll();
                long w = Listings.weight(d);
                bytes += w;
                bufferedBytes -= w;
                out.add(d);
                served = d.offset();
            }
            return out;
        }
    }
}
