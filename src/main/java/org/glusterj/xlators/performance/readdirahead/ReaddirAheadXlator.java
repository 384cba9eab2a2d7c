package org.glusterj.xlators.performance.readdirahead;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Event;
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
import org.glusterj.xlators.performance.DeferredOpenXlator;

/**
 * performance/readdir-ahead: after opendir it reads the directory ahead into a buffer, so that the
 * listing the kernel asks for next is already on its way or here; readdirp is served from that
 * buffer. Beyond GlusterFS, a complete listing is kept for {@code rda-listing-timeout} and a later
 * opendir of the same directory is listed from it without asking the bricks: programs that list
 * a directory again and again (ls, shells, build tools) pay once. This client's own changes to
 * the directory's names are applied to the kept listing (a directory it makes starts one), so a
 * program that fills a directory and lists it never waits for the bricks; a brick's
 * cache-invalidation upcall drops it. With the bricks' cache invalidation on, the timeout can be
 * as long as their cache-invalidation-timeout; without, another client's changes show within it,
 * as with the kernel's entry cache.
 */
public final class ReaddirAheadXlator extends DeferredOpenXlator {
    public static final Option<Long> REQUEST_SIZE = Option.size("rda-request-size", "131072", 4096, 131072,
            "Bytes of entries asked for per readdirp while reading ahead.");
    public static final Option<Long> LOW_WMARK = Option.size("rda-low-wmark", "4096", 0, 10 << 20,
            "Reading ahead resumes when fewer bytes of entries than this are buffered.");
    public static final Option<Long> HIGH_WMARK = Option.size("rda-high-wmark", "131072", 0, 100 << 20,
            "Reading ahead pauses when this many bytes of entries are buffered for one open directory.");
    public static final Option<Long> CACHE_LIMIT = Option.size("rda-cache-limit", "10MB", 0, 1L << 30,
            "Memory for complete listings kept for later opendirs (estimated heap bytes of their entries): "
                    + "beyond it the least recently used are dropped.");
    public static final Option<Duration> LISTING_TIMEOUT = Option.time("rda-listing-timeout", "1", Duration.ZERO,
            Duration.ofSeconds(600), "Seconds a complete listing is reused by later opendirs of the directory (this client's own "
                    + "changes to its names are applied to it; an upcall saying another client changed it drops "
                    + "it); 0 reuses nothing. Keep it no longer than the bricks' cache-invalidation-timeout.");
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

    /**
     * With a kept listing at hand the directory is not opened below at all until a fop other than
     * listing it needs that (see {@link KeptStream}): a repeated listing costs no round trip.
     */
    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        Listings.Numbered kept = x.isEmpty() ? listings.get(fd.gfid()) : null;
        if (kept != null) {
            fd.setCtx(this, new KeptStream(kept, c, loc, x));
            return CompletableFuture.completedFuture(Done.OK);
        }
        long changesAtStart = listings.changes();
        long startedAt = listings.now();
        return firstChild().opendir(c, loc, fd, x).thenApply(done -> {
            DirStream s = new DirStream(changesAtStart, startedAt, listings.limit());
            fd.setCtx(this, s);
            fetch(c, fd, s);
            return done;
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        if (fd.ctx(this) instanceof KeptStream k && x.isEmpty()) {
            return CompletableFuture.completedFuture(k.from(offset, size));
        }
        return opened(fd, () -> firstChild().readdir(c, fd, size, offset, x));
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        Object ctx = fd.ctx(this);
        if (ctx instanceof KeptStream k && x.isEmpty()) return CompletableFuture.completedFuture(k.from(offset, size));
        if (!(ctx instanceof DirStream s) || !x.isEmpty()) {
            return opened(fd, () -> firstChild().readdirp(c, fd, size, offset, x));
        }
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
            if (s.released || s.eof || s.error != null || s.bufferedBytes >= highWmark) {
                return CompletableFuture.completedFuture(null);
            }
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
            if (complete != null) listings.put(fd.gfid(), complete, s.changesAtStart, s.startedAt);
            done.complete(null);
            if (t == null && complete == null && s.bufferedBytes < highWmark) fetch(c, fd, s);
        });
        return done;
    }

    @Override
    public void releasedir(Fd fd) {
        Object ctx = fd.takeCtx(this);
        CompletableFuture<?> pending = null;
        if (ctx instanceof KeptStream k) {
            pending = k.opened();
            if (pending == null) return; // never opened below: nothing to release there
        } else if (ctx instanceof DirStream s) {
            synchronized (s) {
                s.released = true; // under the lock fetch checks: no read ahead starts from now on
                pending = s.inFlight;
            }
        }
        // A read ahead still on its way is let finish first: the brick should not close the
        // directory under a readdir it is serving; its reply starts no other, as the fd is
        // released. A deferred opendir that failed left nothing open.
        if (pending == null) super.releasedir(fd);
        else if (ctx instanceof KeptStream) pending.thenRun(() -> super.releasedir(fd));
        else pending.whenComplete((v, t) -> super.releasedir(fd));
    }

    // ---- other fops on an open directory: DeferredOpenXlator sends a deferred opendir first ----

    @Override
    protected CompletableFuture<Done> sendDeferredOpen(Fd fd) {
        return fd.ctx(this) instanceof KeptStream k ? k.open(fd) : null;
    }

    // ---- changes to names, which kept listings follow ----

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return adding(loc, () -> firstChild().create(c, loc, flags, mode, umask, fd, x));
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        long mark = listings.changing();
        long startedAt = listings.now();
        return following(firstChild().mkdir(c, loc, mode, umask, x), loc.parent(),
                r -> listings.madeDirectory(loc.parent(), loc.name(), r.attr(), mark, startedAt));
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return adding(loc, () -> firstChild().mknod(c, loc, mode, rdev, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return adding(loc, () -> firstChild().symlink(c, target, loc, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return adding(newLoc, () -> firstChild().link(c, oldLoc, newLoc, x));
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        long mark = listings.changing();
        return following(firstChild().unlink(c, loc, xflags, x), loc.parent(),
                r -> listings.removed(loc.parent(), loc.name(), mark));
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        long mark = listings.changing();
        return following(firstChild().rmdir(c, loc, flags, x), loc.parent(), r -> {
            listings.removed(loc.parent(), loc.name(), mark);
            listings.drop(loc.gfid());
        });
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        long mark = listings.changing();
        return following(firstChild().rename(c, oldLoc, newLoc, x), oldLoc.parent(), r -> {
            listings.renamed(oldLoc.parent(), oldLoc.name(), newLoc.parent(), newLoc.name(), r.attr(), mark);
            if (newLoc.gfid() != null) listings.drop(newLoc.gfid()); // a directory renamed over is gone
        }).whenComplete((r, t) -> {
            if (t != null) listings.drop(newLoc.parent());
        });
    }

    @Override
    public void upcall(Upcall upcall, Xlator source) {
        if (upcall.isEverything()) listings.dropAll(); // a brick reconnected: what it said meanwhile is lost
        else if (upcall.has(Upcall.ENTRIES) || upcall.has(Upcall.GONE)) listings.drop(upcall.gfid());
        super.upcall(upcall, source);
    }

    @Override
    public void notify(Event event, Xlator source) {
        // A brick went (its names must not be listed from here) or came back (its upcalls of the
        // time it was away are lost): trust no listing.
        if (event.changesReachableBricks()) listings.dropAll();
        super.notify(event, source);
    }

    /** A fop that gives {@code loc}'s name to an object: the kept listing of its directory gains it. */
    private CompletableFuture<EntryReply> adding(Loc loc, Supplier<CompletableFuture<EntryReply>> fop) {
        long mark = listings.changing();
        return following(fop.get(), loc.parent(), r -> listings.added(loc.parent(), loc.name(), r.attr(), mark));
    }

    /**
     * Applies a change's outcome to the kept listings once it is done; a failed change may still
     * have happened (a lost reply), so the directory's listing is dropped.
     */
    private <T> CompletableFuture<T> following(CompletableFuture<T> fop, Gfid dir, Consumer<T> done) {
        return fop.whenComplete((r, t) -> {
            if (t == null) done.accept(r);
            else listings.drop(dir);
        });
    }

    /**
     * An open directory listed from a kept listing, as it was at opendir: an entry's offset is its
     * position, so a listing resumes (or seeks) anywhere in it without the bricks. The opendir
     * below is sent only when another fop on the directory needs it (fstat, fsyncdir, locks,
     * xattrs, a readdir with xdata); DeferredOpenXlator sends it before any of those, so none can
     * reach the bricks with a directory they never opened.
     */
    private final class KeptStream {
        final Listings.Numbered entries;
        private final Caller caller;
        private final Loc loc;
        private final Xdata xdata;
        private CompletableFuture<Done> opened; // guarded by this

        KeptStream(Listings.Numbered entries, Caller caller, Loc loc, Xdata xdata) {
            this.entries = entries;
            this.caller = caller;
            this.loc = loc;
            this.xdata = xdata;
        }

        ReaddirReply from(long offset, int size) {
            return new ReaddirReply(entries.page(offset, size), Xdata.EMPTY);
        }

        synchronized CompletableFuture<Done> open(Fd fd) {
            if (opened == null) {
                try {
                    opened = firstChild().opendir(caller, loc, fd, xdata);
                } catch (RuntimeException e) {
                    opened = CompletableFuture.failedFuture(e);
                }
            }
            return opened;
        }

        /** The deferred opendir once sent, else null. */
        synchronized CompletableFuture<Done> opened() {
            return opened;
        }
    }

    /** What one open directory has read ahead and served. Guarded by its own monitor. */
    private static final class DirStream {
        final java.util.ArrayDeque<Dirent> buffered = new java.util.ArrayDeque<>();
        final long changesAtStart;
        final long startedAt;
        final long keepLimit;
        long bufferedBytes;
        long allBytes = Listings.LISTING_OVERHEAD;
        long served;     // the offset the next readdirp must ask for to be served from the buffer
        long fetched;    // the offset to read ahead from
        boolean eof;
        boolean bypass;
        /** releasedir was called: nothing may be wound on the fd any more. */
        boolean released;
        Throwable error;
        CompletableFuture<Void> inFlight;
        /** Every entry read so far, to keep the listing once complete; null once too big or not from 0. */
        List<Dirent> all = new ArrayList<>();

        DirStream(long changesAtStart, long startedAt, long keepLimit) {
            this.changesAtStart = changesAtStart;
            this.startedAt = startedAt;
            this.keepLimit = keepLimit;
        }

        void add(List<Dirent> entries) {
            for (Dirent d : entries) {
                push(d);
                fetched = d.offset();
                if (all != null) {
                    all.add(d);
                    allBytes += Listings.heapBytes(d); // as it will weigh kept, without attributes
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
