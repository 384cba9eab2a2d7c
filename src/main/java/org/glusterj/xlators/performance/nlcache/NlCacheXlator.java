package org.glusterj.xlators.performance.nlcache;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * performance/nl-cache: answers lookups of names known to be absent with ENOENT, without a round
 * trip. A name is known absent when a lookup of it failed with ENOENT, when this client removed it,
 * or when the whole content of its directory is known and does not include it: a directory this
 * client made with mkdir starts empty and wholly known, and a readdir(p) listing read from start to
 * end without a change in between makes it wholly known. Creating programs look every new name up
 * before creating it; in a fresh directory each of those lookups is answered here.
 *
 * <p>Our own entry changes (create, mknod, mkdir, symlink, link, rename, unlink, rmdir) update the
 * directory's knowledge as they answer, and a reply that raced one of them is not kept (see
 * {@link NameCache}). Another client's changes arrive as ENTRIES upcalls from the bricks'
 * features/upcall and drop the directory's knowledge; so does the loss of a brick connection,
 * since upcalls may have been missed. Without upcalls (cache-invalidation off on the bricks)
 * another client's new name stays hidden for up to nl-cache-timeout.
 */
public final class NlCacheXlator extends Xlator {
    private static final Logger log = LoggerFactory.getLogger(NlCacheXlator.class);

    public static final Option<Duration> TIMEOUT = Option.time("nl-cache-timeout", "60", Duration.ZERO,
            Duration.ofDays(1), "How long a name known to be absent (or a directory's whole content) is trusted; 0 turns "
                    + "the cache off. Keep it no longer than the bricks' cache-invalidation-timeout.");
    public static final Option<Long> LIMIT = Option.size("nl-cache-limit", "10MB", 0, 1L << 40,
            "Memory for cached names (estimated); over it the least recently used directories are dropped. "
                    + "GlusterFS's xlator default is 128KB, glusterd's 10MB.");
    public static final Option<Boolean> POSITIVE = Option.bool("nl-cache-positive-entry", false,
            "Accepted for GlusterFS compatibility: glusterj keeps the names of wholly known directories either way "
                    + "and answers only absent names.");
    public static final Option<Boolean> PASS_THROUGH = Option.bool("pass-through", false,
            "Pass every fop through untouched.");
    public static final List<Option<?>> OPTIONS = List.of(TIMEOUT, LIMIT, POSITIVE, PASS_THROUGH);

    public static final XlatorType TYPE = new XlatorType("performance/nl-cache", List.of(),
            "Answers lookups of names known to be absent with ENOENT, without a round trip.",
            OPTIONS, NlCacheXlator::new);

    private final boolean enabled;
    private final NameCache cache;

    /** A directory listing in progress on one fd: the names so far, if it may still turn out whole. */
    private static final class Listing {
        final long stamp;
        final Set<String> names = new HashSet<>();
        long next;
        long bytes;

        Listing(long stamp) {
            this.stamp = stamp;
        }
    }

    public NlCacheXlator(XlatorConfig config) {
        this(config, System::nanoTime);
    }

    /** With a clock of nanoseconds, so that tests can step past the timeout. */
    NlCacheXlator(XlatorConfig config, LongSupplier clock) {
        super(config);
        Duration timeout = options().get(TIMEOUT);
        long limit = options().get(LIMIT);
        this.enabled = !timeout.isZero() && limit > 0 && !options().get(PASS_THROUGH);
        this.cache = new NameCache(timeout.toNanos(), limit, clock);
        if (enabled) log.debug("{}: negative entries trusted for {} s, up to {} bytes", this, timeout.toSeconds(), limit);
    }

    /** Estimated bytes held (for tests and diagnostics). */
    long cachedBytes() {
        return cache.bytes();
    }

    // ---- lookups ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        if (!enabled || !loc.hasEntry()) return firstChild().lookup(c, loc, x);
        Gfid parent = loc.parent();
        String name = loc.name();
        // A caller that names the object it expects (it holds an inode for the name) is revalidating:
        // our knowledge that the name is absent may predate another client's change whose upcall is
        // still on its way, and an ENOENT from memory would make that client's object vanish here.
        if (!knowsObject(loc) && cache.knownAbsent(parent, name)) {
            return CompletableFuture.failedFuture(Errno.ENOENT.exception(String.valueOf(loc)));
        }
        long stamp = cache.stamp();
        return firstChild().lookup(c, loc, x).whenComplete((r, t) -> {
            if (t != null && FopException.errnoOf(t) == Errno.ENOENT) cache.observedAbsent(parent, name, stamp);
        });
    }

    private static boolean knowsObject(Loc loc) {
        return loc.gfid() != null && !loc.gfid().isNull();
    }

    // ---- listings ----

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        if (!enabled) return firstChild().readdir(c, fd, size, offset, x);
        return listing(fd, offset, () -> firstChild().readdir(c, fd, size, offset, x));
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        if (!enabled) return firstChild().readdirp(c, fd, size, offset, x);
        return listing(fd, offset, () -> firstChild().readdirp(c, fd, size, offset, x));
    }

    /**
     * Follows a listing from offset 0 through each next cookie to the empty reply that ends it;
     * anything else (a seek, a failure, too many names) abandons it.
     */
    private CompletableFuture<ReaddirReply> listing(Fd fd, long offset, Supplier<CompletableFuture<ReaddirReply>> wind) {
        Listing l;
        if (offset == 0 && cache.knownComplete(fd.gfid())) {
            // Already wholly known (and kept so by this client's changes and upcalls): collecting
            // the names again costs a set of thousands of strings per listing and teaches nothing.
            fd.takeCtx(this);
            return wind.get();
        }
        if (offset == 0) {
            l = new Listing(cache.stamp());
            fd.setCtx(this, l);
        } else {
            l = fd.ctx(this);
            if (l != null && l.next != offset) {
                fd.takeCtx(this);
                l = null;
            }
        }
        Listing listing = l;
        if (listing == null) return wind.get();
        return wind.get().whenComplete((r, t) -> {
            if (t != null) {
                fd.takeCtx(this);
                return;
            }
            if (r.entries().isEmpty()) {
                fd.takeCtx(this);
                cache.observedComplete(fd.gfid(), listing.names, listing.stamp);
                return;
            }
            for (Dirent d : r.entries()) {
                listing.next = d.offset();
                if (".".equals(d.name()) || "..".equals(d.name())) continue;
                if (listing.names.add(d.name())) listing.bytes += NameCache.cost(d.name());
            }
            if (listing.bytes > options().get(LIMIT) / 2) fd.takeCtx(this);
        });
    }

    @Override
    public void releasedir(Fd fd) {
        fd.takeCtx(this);
        super.releasedir(fd);
    }

    // ---- our own entry changes ----

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        if (!enabled) return firstChild().create(c, loc, flags, mode, umask, fd, x);
        return adding(loc, () -> firstChild().create(c, loc, flags, mode, umask, fd, x));
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        if (!enabled) return firstChild().mknod(c, loc, mode, rdev, umask, x);
        return adding(loc, () -> firstChild().mknod(c, loc, mode, rdev, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        if (!enabled) return firstChild().symlink(c, target, loc, umask, x);
        return adding(loc, () -> firstChild().symlink(c, target, loc, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        if (!enabled) return firstChild().link(c, oldLoc, newLoc, x);
        return adding(newLoc, () -> firstChild().link(c, oldLoc, newLoc, x));
    }

    /** A directory this client made is empty: every lookup in it is answered until something is added. */
    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        if (!enabled) return firstChild().mkdir(c, loc, mode, umask, x);
        return adding(loc, () -> firstChild().mkdir(c, loc, mode, umask, x)).whenComplete((r, t) -> {
            if (t == null && r.attr() != null && r.attr().gfid() != null) cache.created(r.attr().gfid());
        });
    }

    private CompletableFuture<EntryReply> adding(Loc loc, Supplier<CompletableFuture<EntryReply>> wind) {
        long ticket = cache.changing(loc.parent());
        return wind.get().whenComplete((r, t) -> cache.changed(loc.parent(), ticket, t == null, loc.name(), null));
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        if (!enabled) return firstChild().unlink(c, loc, xflags, x);
        return removing(loc, () -> firstChild().unlink(c, loc, xflags, x));
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        if (!enabled) return firstChild().rmdir(c, loc, flags, x);
        return removing(loc, () -> firstChild().rmdir(c, loc, flags, x)).whenComplete((r, t) -> {
            if (t == null && loc.gfid() != null) cache.drop(loc.gfid());
        });
    }

    private CompletableFuture<ParentReply> removing(Loc loc, Supplier<CompletableFuture<ParentReply>> wind) {
        long ticket = cache.changing(loc.parent());
        return wind.get().whenComplete((r, t) -> cache.changed(loc.parent(), ticket, t == null, null, loc.name()));
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        if (!enabled) return firstChild().rename(c, oldLoc, newLoc, x);
        Gfid from = oldLoc.parent();
        Gfid to = newLoc.parent();
        boolean sameDir = from != null && from.equals(to);
        long fromTicket = cache.changing(from);
        long toTicket = sameDir ? 0 : cache.changing(to);
        return firstChild().rename(c, oldLoc, newLoc, x).whenComplete((r, t) -> {
            boolean ok = t == null;
            if (sameDir) {
                cache.changed(from, fromTicket, ok, newLoc.name(), oldLoc.name().equals(newLoc.name()) ? null : oldLoc.name());
            } else {
                cache.changed(from, fromTicket, ok, null, oldLoc.name());
                cache.changed(to, toTicket, ok, newLoc.name(), null);
            }
        });
    }

    // ---- other clients' changes, lost bricks, forgotten inodes ----

    @Override
    public void upcall(Upcall upcall, Xlator source) {
        if (enabled && upcall.isEverything()) cache.dropAll();
        else if (enabled && (upcall.has(Upcall.ENTRIES) || upcall.has(Upcall.GONE))) cache.drop(upcall.gfid());
        super.upcall(upcall, source);
    }

    @Override
    public void notify(Event event, Xlator source) {
        if (enabled && event.changesReachableBricks()) cache.dropAll();
        super.notify(event, source);
    }

    @Override
    public void forget(Inode inode) {
        if (enabled) cache.forget(inode.gfid());
        super.forget(inode);
    }
}
