package org.glusterj.xlators.performance.mdcache;

import static org.glusterj.core.OpenFlags.O_TRUNC;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Statvfs;
import org.glusterj.core.StatfsReply;
import org.glusterj.core.Upcall;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * performance/md-cache: keeps the attributes every reply carries (lookup, readdirp entries,
 * create/mkdir/…, stat, writes' and setattrs' post-attributes, rename, link) per gfid for
 * md-cache-timeout seconds, and answers stat, fstat and lookup from them.
 *
 * <p>Lookup by name is answered from the cache when md-cache saw that name bound to a gfid within
 * the timeout and holds fresh attributes for that gfid: GlusterFS's md-cache answers a lookup
 * whose inode fuse-resolve already found in the inode table, so a rename or removal by another
 * client is noticed within md-cache-timeout, as the kernel's own entry timeout allows. A lookup
 * that asks for anything in its xdata always goes down. Failures are never cached (negative
 * entries are performance/nl-cache's business); ENOENT or ESTALE forgets what we had.
 *
 * <p>Our own changes invalidate on wind and re-fill from their post-attributes on unwind, only
 * when no other change to the same object overlapped ({@link AttrCache}): no stale size after a
 * write, even with a stat in flight. Directories' attributes are taken only from their own
 * lookup or stat, never from a parent's pre/post attributes or readdirp entries: below us
 * cluster/distribute merges a directory's attributes over its bricks, which those replies do not.
 * A change inside a directory (create, unlink, rename, …) drops the directory's cached attributes.
 *
 * <p>With cache-invalidation on (and features/upcall on the bricks), another client's changes
 * arrive as {@link Upcall}s: the inode's attributes are dropped (never refreshed from the notice:
 * a reply already in flight must not bring back what came before it), an ENTRIES notice drops
 * every name cached under the directory, and a lost brick connection drops everything, since
 * notices may have been missed meanwhile. md-cache-timeout can then be long (GlusterFS's
 * metadata-cache group uses 600 s). Without it, md-cache-timeout alone bounds staleness.
 *
 * <p>Not done: caching extended attributes (storage/posix does not answer xattr requests in
 * lookup xdata yet); the xattr options are accepted and have no effect.
 */
public final class MdCacheXlator extends Xlator {
    /** In an fd's context slot: the fd wrote, so its close refreshes the file's attributes. */
    private static final Object WROTE = new Object();
    private static final Logger log = LoggerFactory.getLogger(MdCacheXlator.class);

    public static final Option<Integer> TIMEOUT = Option.integer("md-cache-timeout", 1, 0, 600,
            "Seconds that cached attributes are trusted; 0 turns caching off.");
    public static final Option<Boolean> STATFS = Option.bool("md-cache-statfs", false,
            "Also cache statfs answers for md-cache-timeout.");
    public static final Option<Boolean> FORCE_READDIRP = Option.bool("force-readdirp", true,
            "Turn readdir into readdirp, so that listings fill the cache.");
    public static final Option<Boolean> CACHE_INVALIDATION = Option.bool("cache-invalidation", false,
            "Drop cached entries when a brick's features/upcall reports another client's change, and flush "
                    + "the cache when a brick connection drops. Needs cache-invalidation on the bricks too.");
    public static final Option<Boolean> PASS_THROUGH = Option.bool("pass-through", false,
            "Pass every fop through untouched.");
    public static final Option<Boolean> CACHE_CAPABILITY = Option.bool("cache-capability-xattrs", true,
            "Cache security.capability answers (also \"none\"), which the kernel asks for before a write (before every "
                    + "write on kernels older than 5.11, which lack FUSE_HANDLE_KILLPRIV_V2).");
    private static final String NO_XATTRS = "Accepted for GlusterFS compatibility; glusterj's md-cache caches no other "
            + "extended attributes yet.";
    public static final List<Option<?>> OPTIONS = List.of(TIMEOUT, STATFS, FORCE_READDIRP, CACHE_INVALIDATION,
            CACHE_CAPABILITY,
            Option.bool("cache-ima-xattrs", true, NO_XATTRS),
            Option.bool("cache-posix-acl", false, NO_XATTRS),
            Option.bool("cache-glusterfs-acl", false, NO_XATTRS),
            Option.bool("cache-selinux", false, NO_XATTRS),
            Option.bool("cache-samba-metadata", false, NO_XATTRS),
            Option.bool("cache-swift-metadata", false, NO_XATTRS),
            Option.string("xattr-cache-list", "", NO_XATTRS),
            Option.bool("global-cache-invalidation", true, NO_XATTRS),
            PASS_THROUGH);

    public static final XlatorType TYPE = new XlatorType("performance/md-cache", List.of("performance/stat-prefetch"),
            "Caches attributes from every reply for md-cache-timeout seconds and answers stat, fstat and "
                    + "lookups of known names from them.",
            OPTIONS, MdCacheXlator::new);

    private final boolean enabled;
    private final boolean invalidation;
    private final boolean cacheStatfs;
    private final boolean forceReaddirp;
    private final long timeoutNanos;
    private final LongSupplier clock;
    private final AttrCache cache;
    private final CapabilityCache capabilities;
    private volatile CachedStatfs statfs;

    private record CachedStatfs(Statvfs value, long expiresAt) {
    }

    public MdCacheXlator(XlatorConfig config) {
        this(config, System::nanoTime);
    }

    /** With a clock of nanoseconds, so that tests can step past the timeout. */
    MdCacheXlator(XlatorConfig config, LongSupplier clock) {
        super(config);
        int seconds = options().get(TIMEOUT);
        this.enabled = seconds > 0 && !options().get(PASS_THROUGH);
        this.cacheStatfs = options().get(STATFS);
        this.forceReaddirp = options().get(FORCE_READDIRP);
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(seconds);
        this.clock = clock;
        this.cache = new AttrCache(timeoutNanos, clock);
        this.capabilities = enabled && options().get(CACHE_CAPABILITY) ? new CapabilityCache(timeoutNanos, clock) : null;
        this.invalidation = enabled && options().get(CACHE_INVALIDATION);
        if (invalidation) log.info("{}: cache-invalidation on; attributes trusted for {} s unless a brick says otherwise",
                name(), seconds);
    }

    // ---- other clients' changes ----

    @Override
    public void upcall(Upcall upcall, Xlator source) {
        if (invalidation && upcall.isEverything()) {
            dropEverything();
        } else if (invalidation) {
            Gfid g = upcall.gfid();
            cache.invalidate(g);
            if (upcall.has(Upcall.ENTRIES) || upcall.has(Upcall.GONE)) cache.dropNames(g);
            forgetCapability(g);
            statfs = null;
        }
        super.upcall(upcall, source);
    }

    /**
     * A brick went or came: what it held must not be answered from here while it is away, and its
     * upcalls of the time it was away are lost (GlusterFS's md-cache treats entries older than the
     * last CHILD_DOWN or SOME_DESCENDENT_DOWN as invalid).
     */
    @Override
    public void notify(Event event, Xlator source) {
        if (event.changesReachableBricks()) dropEverything();
        super.notify(event, source);
    }

    private void dropEverything() {
        cache.invalidateAll();
        if (capabilities != null) capabilities.invalidateAll();
        statfs = null;
    }

    /** How many objects have cache entries (for tests and diagnostics). */
    int cachedObjects() {
        return cache.size();
    }

    // ---- answered from the cache ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        if (!enabled) return firstChild().lookup(c, loc, x);
        Gfid known = loc.hasEntry() ? cache.resolve(loc.parent(), loc.name()) : loc.gfid();
        boolean sameObject = loc.gfid() == null || loc.gfid().equals(known);
        if (x.isEmpty() && sameObject) {
            Iatt attr = cache.fresh(known);
            if (attr != null) return CompletableFuture.completedFuture(new EntryReply(attr, null, null, Xdata.EMPTY));
        }
        long stamp = cache.stamp();
        return firstChild().lookup(c, loc, x).whenComplete((r, t) -> {
            if (t != null) {
                forgetOnMissing(t, loc, known);
            } else if (r.attr() != null) {
                cache.observed(r.attr(), stamp);
                if (loc.hasEntry()) cache.observedName(loc.parent(), loc.name(), r.attr().gfid(), stamp);
            }
        });
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        if (!enabled) return firstChild().stat(c, loc, x);
        Gfid gfid = loc.gfid() != null ? loc.gfid() : cache.resolve(loc.parent(), loc.name());
        return statOf(gfid, x, () -> firstChild().stat(c, loc, x), t -> forgetOnMissing(t, loc, gfid));
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        if (!enabled) return firstChild().fstat(c, fd, x);
        return statOf(fd.gfid(), x, () -> firstChild().fstat(c, fd, x), t -> forgetOnMissing(t, null, fd.gfid()));
    }

    private CompletableFuture<AttrReply> statOf(Gfid gfid, Xdata x, Supplier<CompletableFuture<AttrReply>> wind,
                                                Consumer<Throwable> onFailure) {
        if (x.isEmpty()) {
            Iatt attr = cache.fresh(gfid);
            if (attr != null) return CompletableFuture.completedFuture(new AttrReply(attr, Xdata.EMPTY));
        }
        long stamp = cache.stamp();
        return wind.get().whenComplete((r, t) -> {
            if (t != null) onFailure.accept(t);
            else cache.observed(r.attr(), stamp);
        });
    }

    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        if (!enabled || !cacheStatfs) return firstChild().statfs(c, loc, x);
        CachedStatfs cached = statfs;
        if (x.isEmpty() && cached != null && clock.getAsLong() - cached.expiresAt() < 0) {
            return CompletableFuture.completedFuture(new StatfsReply(cached.value(), Xdata.EMPTY));
        }
        return firstChild().statfs(c, loc, x).whenComplete((r, t) -> {
            if (t == null && r.statvfs() != null) statfs = new CachedStatfs(r.statvfs(), clock.getAsLong() + timeoutNanos);
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        if (!enabled || !forceReaddirp) return firstChild().readdir(c, fd, size, offset, x);
        return readdirp(c, fd, size, offset, x);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        if (!enabled) return firstChild().readdirp(c, fd, size, offset, x);
        long stamp = cache.stamp();
        Gfid dir = fd.gfid();
        return firstChild().readdirp(c, fd, size, offset, x).whenComplete((r, t) -> {
            if (t != null) return;
            for (Dirent d : r.entries()) {
                Iatt a = d.attr();
                if (a == null || a.isDirectory() || ".".equals(d.name()) || "..".equals(d.name())) continue;
                cache.observed(a, stamp);
                cache.observedName(dir, d.name(), a.gfid(), stamp);
            }
        });
    }

    // ---- changes to one object ----

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        if (!enabled) return firstChild().writev(c, fd, data, offset, flags, x);
        fd.setCtx(this, WROTE);
        contentChanging(fd.gfid());
        return change(fd.gfid(), () -> firstChild().writev(c, fd, data, offset, flags, x));
    }

    /**
     * A write that write-behind acknowledged early carries no attributes, so the file's are
     * forgotten. The close (flush) of an fd that wrote therefore asks for them again, in the
     * background once the flush is done (write-behind's flush waits for the writes), so that the
     * stat that usually follows a write (ls -l, make, the next open) is answered here, and a
     * quick-read below gets the content of a small file for the next read. Like any answer, the
     * attributes are kept only if nothing changed the file since they were asked for.
     */
    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        CompletableFuture<Done> flushed = firstChild().flush(c, fd, x);
        if (!enabled || fd.ctx(this) != WROTE) return flushed;
        fd.setCtx(this, null);
        Gfid g = fd.gfid();
        flushed.handle((d, t) -> {
            if (t == null) refresh(g);
            return null;
        });
        return flushed;
    }

    private void refresh(Gfid g) {
        if (cache.fresh(g) != null) return;
        long stamp = cache.stamp();
        // A lookup rather than a stat: quick-read below takes the content of a small file with it.
        firstChild().lookup(Caller.ROOT, Loc.of(g, null), Xdata.EMPTY).handle((r, t) -> {
            if (t == null && r.attr() != null) cache.observed(cacheable(r.attr()), stamp);
            return null;
        });
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        if (!enabled) return firstChild().truncate(c, loc, offset, x);
        contentChanging(objectOf(loc));
        return change(objectOf(loc), () -> firstChild().truncate(c, loc, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        if (!enabled) return firstChild().ftruncate(c, fd, offset, x);
        contentChanging(fd.gfid());
        return change(fd.gfid(), () -> firstChild().ftruncate(c, fd, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        if (!enabled) return firstChild().setattr(c, loc, attr, x);
        if (attr.has(SetAttr.UID) || attr.has(SetAttr.GID)) forgetCapability(objectOf(loc)); // chown drops capabilities
        return change(objectOf(loc), () -> firstChild().setattr(c, loc, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        if (!enabled) return firstChild().fsetattr(c, fd, attr, x);
        if (attr.has(SetAttr.UID) || attr.has(SetAttr.GID)) forgetCapability(fd.gfid());
        return change(fd.gfid(), () -> firstChild().fsetattr(c, fd, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        if (!enabled) return firstChild().fsync(c, fd, datasync, x);
        return change(fd.gfid(), () -> firstChild().fsync(c, fd, datasync, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        if (!enabled) return firstChild().fallocate(c, fd, mode, offset, len, x);
        contentChanging(fd.gfid());
        return change(fd.gfid(), () -> firstChild().fallocate(c, fd, mode, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        if (!enabled) return firstChild().discard(c, fd, offset, len, x);
        contentChanging(fd.gfid());
        return change(fd.gfid(), () -> firstChild().discard(c, fd, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        if (!enabled) return firstChild().zerofill(c, fd, offset, len, x);
        contentChanging(fd.gfid());
        return change(fd.gfid(), () -> firstChild().zerofill(c, fd, offset, len, x));
    }

    /** Extended attribute changes move ctime: the cached attributes are dropped, not refreshed. */
    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        if (!enabled) return firstChild().setxattr(c, loc, values, flags, x);
        forgetCapability(objectOf(loc));
        return bracket(objectOf(loc), () -> firstChild().setxattr(c, loc, values, flags, x));
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        if (!enabled) return firstChild().fsetxattr(c, fd, values, flags, x);
        forgetCapability(fd.gfid());
        return bracket(fd.gfid(), () -> firstChild().fsetxattr(c, fd, values, flags, x));
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        if (!enabled) return firstChild().removexattr(c, loc, name, x);
        forgetCapability(objectOf(loc));
        return bracket(objectOf(loc), () -> firstChild().removexattr(c, loc, name, x));
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        if (!enabled) return firstChild().fremovexattr(c, fd, name, x);
        forgetCapability(fd.gfid());
        return bracket(fd.gfid(), () -> firstChild().fremovexattr(c, fd, name, x));
    }

    /** Winds a change to {@code gfid}, keeping its post-attributes if it ran alone on a non-directory. */
    private CompletableFuture<ChangeReply> change(Gfid gfid, Supplier<CompletableFuture<ChangeReply>> wind) {
        long ticket = cache.changing(gfid);
        return wind.get().whenComplete((r, t) -> cache.changed(gfid, ticket, t == null ? cacheable(r.post()) : null));
    }

    /** Winds a change whose reply carries no attributes: the object is asked afresh afterwards. */
    private <T> CompletableFuture<T> bracket(Gfid gfid, Supplier<CompletableFuture<T>> wind) {
        long ticket = cache.changing(gfid);
        return wind.get().whenComplete((r, t) -> cache.changed(gfid, ticket, null));
    }

    /**
     * open(O_TRUNC) empties the file on the brick: the size we hold is no longer true. An open that
     * finds the object gone (another client replaced the name) forgets it, so that the caller's
     * fresh lookup of the name is not answered with the same stale object.
     */
    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        if (!enabled) return firstChild().open(c, loc, flags, fd, x);
        if ((flags & O_TRUNC) == 0) {
            return firstChild().open(c, loc, flags, fd, x).whenComplete((r, t) -> {
                if (t != null) forgetOnMissing(t, loc, fd.gfid() != null ? fd.gfid() : objectOf(loc));
            });
        }
        Gfid gfid = fd.gfid() != null ? fd.gfid() : objectOf(loc);
        return bracket(gfid, () -> firstChild().open(c, loc, flags, fd, x));
    }

    // ---- changes to names ----

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        if (!enabled) return firstChild().create(c, loc, flags, mode, umask, fd, x);
        return newEntry(loc, false, () -> firstChild().create(c, loc, flags, mode, umask, fd, x));
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        if (!enabled) return firstChild().mkdir(c, loc, mode, umask, x);
        return newEntry(loc, true, () -> firstChild().mkdir(c, loc, mode, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        if (!enabled) return firstChild().mknod(c, loc, mode, rdev, umask, x);
        return newEntry(loc, false, () -> firstChild().mknod(c, loc, mode, rdev, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        if (!enabled) return firstChild().symlink(c, target, loc, umask, x);
        return newEntry(loc, false, () -> firstChild().symlink(c, target, loc, umask, x));
    }

    /**
     * A new name in {@code loc.parent()}: the parent changes, and so does whatever the name held
     * (create without O_EXCL may open, even truncate, an existing file, whose gfid is then the
     * reply's and not the one we proposed).
     */
    private CompletableFuture<EntryReply> newEntry(Loc loc, boolean directory, Supplier<CompletableFuture<EntryReply>> wind) {
        Gfid parent = loc.parent();
        Gfid proposed = loc.gfid();
        Gfid named = cache.resolve(parent, loc.name());
        Gfid existing = named != null && !named.equals(proposed) ? named : null;
        cache.dropName(parent, loc.name());
        Iatt parentBefore = cache.fresh(parent);
        long capabilityEpoch = capabilities == null ? 0 : capabilities.epoch();
        long parentTicket = cache.changing(parent);
        long proposedTicket = cache.changing(proposed);
        long existingTicket = cache.changing(existing);
        return wind.get().whenComplete((r, t) -> {
            Iatt attr = t == null ? r.attr() : null;
            boolean objectAlone = cache.changed(proposed, proposedTicket, cacheable(attr));
            cache.changed(existing, existingTicket, null);
            Iatt parentAfter = t == null && !directory ? parentAfterOwnChange(parentBefore, r.postParent()) : null;
            boolean parentAlone = cache.changed(parent, parentTicket, parentAfter);
            boolean madeProposed = attr != null && attr.gfid() != null && attr.gfid().equals(proposed);
            // An object we did not propose may have had changes in flight: bind its name, ask its attributes afresh.
            if (parentAlone && attr != null && attr.gfid() != null && (objectAlone || !madeProposed)) {
                cache.putName(parent, loc.name(), attr.gfid());
            }
            // A file we just made has no security.capability: the kernel's check before each write needs no round trip.
            if (madeProposed && capabilities != null && attr.isRegular()) capabilities.put(proposed, null, capabilityEpoch);
        });
    }

    /**
     * With cache-invalidation on, a directory keeps its cached attributes across our own change of
     * a non-directory entry in it, with the times the brick reported (GlusterFS's md-cache sets the
     * parent from postparent). The link count and the rest stay as the merged lookup gave them; a
     * change that moves the link count (a subdirectory made, removed or moved) drops them instead.
     * Other clients' changes still arrive as upcalls. Without invalidation the directory is asked afresh.
     */
    private Iatt parentAfterOwnChange(Iatt before, Iatt post) {
        if (!invalidation || before == null || post == null || !before.gfid().equals(post.gfid())) return null;
        boolean postNewer = post.ctimeSec() > before.ctimeSec()
                || (post.ctimeSec() == before.ctimeSec() && post.ctimeNsec() > before.ctimeNsec());
        boolean mpostNewer = post.mtimeSec() > before.mtimeSec()
                || (post.mtimeSec() == before.mtimeSec() && post.mtimeNsec() > before.mtimeNsec());
        return new Iatt(before.gfid(), before.mode(), before.nlink(), before.uid(), before.gid(), before.rdev(),
                before.size(), before.blocks(), before.blksize(), before.atimeSec(), before.atimeNsec(),
                mpostNewer ? post.mtimeSec() : before.mtimeSec(), mpostNewer ? post.mtimeNsec() : before.mtimeNsec(),
                postNewer ? post.ctimeSec() : before.ctimeSec(), postNewer ? post.ctimeNsec() : before.ctimeNsec());
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        if (!enabled) return firstChild().link(c, oldLoc, newLoc, x);
        Gfid object = objectOf(oldLoc);
        Gfid parent = newLoc.parent();
        cache.dropName(parent, newLoc.name());
        long parentTicket = cache.changing(parent);
        long objectTicket = cache.changing(object);
        return firstChild().link(c, oldLoc, newLoc, x).whenComplete((r, t) -> {
            Iatt attr = t == null ? r.attr() : null;
            boolean objectAlone = cache.changed(object, objectTicket, cacheable(attr));
            boolean parentAlone = cache.changed(parent, parentTicket, null);
            if (objectAlone && parentAlone && attr != null) cache.putName(parent, newLoc.name(), attr.gfid());
        });
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        if (!enabled) return firstChild().unlink(c, loc, xflags, x);
        return removeEntry(loc, false, () -> firstChild().unlink(c, loc, xflags, x));
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        if (!enabled) return firstChild().rmdir(c, loc, flags, x);
        return removeEntry(loc, true, () -> firstChild().rmdir(c, loc, flags, x));
    }

    /** The name goes, the object's link count and ctime change (asked afresh), the parent changes. */
    private CompletableFuture<ParentReply> removeEntry(Loc loc, boolean directory,
                                                       Supplier<CompletableFuture<ParentReply>> wind) {
        Gfid object = objectOf(loc);
        Gfid parent = loc.parent();
        cache.dropName(parent, loc.name());
        Iatt parentBefore = directory ? null : cache.fresh(parent);
        long parentTicket = cache.changing(parent);
        long objectTicket = cache.changing(object);
        return wind.get().whenComplete((r, t) -> {
            cache.dropName(parent, loc.name());
            cache.changed(object, objectTicket, null);
            cache.changed(parent, parentTicket, t == null ? parentAfterOwnChange(parentBefore, r.postParent()) : null);
        });
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        if (!enabled) return firstChild().rename(c, oldLoc, newLoc, x);
        Gfid object = objectOf(oldLoc);
        Gfid replaced = objectOf(newLoc);
        Gfid oldParent = oldLoc.parent();
        Gfid newParent = newLoc.parent();
        boolean sameParent = oldParent != null && oldParent.equals(newParent);
        cache.dropName(oldParent, oldLoc.name());
        cache.dropName(newParent, newLoc.name());
        long objectTicket = cache.changing(object);
        long replacedTicket = replaced != null && !replaced.equals(object) ? cache.changing(replaced) : 0;
        long oldParentTicket = cache.changing(oldParent);
        long newParentTicket = sameParent ? 0 : cache.changing(newParent);
        return firstChild().rename(c, oldLoc, newLoc, x).whenComplete((r, t) -> {
            Iatt attr = t == null ? r.attr() : null;
            cache.dropName(oldParent, oldLoc.name());
            cache.dropName(newParent, newLoc.name());
            boolean objectAlone = cache.changed(object, objectTicket, cacheable(attr));
            if (replacedTicket != 0) cache.changed(replaced, replacedTicket, null);
            boolean parentsAlone = cache.changed(oldParent, oldParentTicket, null);
            if (!sameParent) parentsAlone &= cache.changed(newParent, newParentTicket, null);
            if (objectAlone && parentsAlone && attr != null && attr.gfid() != null) {
                cache.putName(newParent, newLoc.name(), attr.gfid());
            }
        });
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        Gfid g = capabilities == null || !CapabilityCache.NAME.equals(name) ? null : objectOf(loc);
        if (g == null) return firstChild().getxattr(c, loc, name, x);
        CapabilityCache.Entry known = capabilities.lookup(g);
        if (known != null) {
            return known.value() == null
                    ? CompletableFuture.failedFuture(Errno.ENODATA.exception(CapabilityCache.NAME))
                    : CompletableFuture.completedFuture(new XattrReply(Map.of(name, known.value()), Xdata.EMPTY));
        }
        long epoch = capabilities.epoch();
        return firstChild().getxattr(c, loc, name, x).whenComplete((r, t) -> {
            if (t == null && r.values() != null && r.values().get(name) != null) {
                capabilities.put(g, r.values().get(name), epoch);
            } else if (t != null && FopException.errnoOf(t) == Errno.ENODATA) {
                capabilities.put(g, null, epoch);
            }
        });
    }

    /**
     * A write, truncate or allocation: the brick's kernel removes the file's security.capability
     * (it does on any data change). Our kernel removes one it knows of through us (removexattr),
     * but once it has marked the inode as having none (S_NOSEC, which FUSE_HANDLE_KILLPRIV_V2
     * allows) it no longer checks: one another client set since, which we may have fetched and
     * kept, goes on the brick without our hearing of it.
     */
    private void contentChanging(Gfid g) {
        if (capabilities != null) capabilities.dataChanging(g);
    }

    private void forgetCapability(Gfid g) {
        if (capabilities != null) capabilities.invalidate(g);
    }

    @Override
    public void forget(Inode inode) {
        forgetCapability(inode.gfid());
        cache.forget(inode.gfid());
        super.forget(inode);
    }

    // ---- helpers ----

    /** The object a loc names: its gfid, or what md-cache last saw its name bound to. */
    private Gfid objectOf(Loc loc) {
        if (loc.gfid() != null) return loc.gfid();
        Gfid known = cache.resolve(loc.parent(), loc.name());
        // Even a stale binding is the best guess of what a change by name touches.
        return known;
    }

    /**
     * Attributes we may serve later: none for directories (cluster/distribute merges theirs over
     * bricks only in lookup and stat) and none that write-behind or another layer left blank.
     */
    private static Iatt cacheable(Iatt attr) {
        if (attr == null || attr.gfid() == null || attr.gfid().isNull() || attr.isDirectory()) return null;
        if (attr.ctimeSec() == 0 && attr.ctimeNsec() == 0) return null;
        return attr;
    }

    private void forgetOnMissing(Throwable t, Loc loc, Gfid gfid) {
        Errno e = FopException.errnoOf(t);
        if (e != Errno.ENOENT && e != Errno.ESTALE) return;
        if (loc != null && loc.hasEntry()) cache.dropName(loc.parent(), loc.name());
        if (gfid != null) {
            long ticket = cache.changing(gfid);
            cache.changed(gfid, ticket, null);
        }
    }
}
