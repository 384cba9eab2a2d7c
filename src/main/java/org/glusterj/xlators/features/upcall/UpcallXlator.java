package org.glusterj.xlators.features.upcall;

import static org.glusterj.core.OpenFlags.O_TRUNC;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.ReadlinkReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Upcall;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.core.Xlator;
import org.glusterj.options.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * features/upcall (brick side of GlusterFS's cache invalidation): remembers which clients looked
 * at which inode ({@link Caller#client()}, set by protocol/server) and, when one client changes an
 * inode, sends an {@link Upcall} to every other client that looked at it within
 * cache-invalidation-timeout, never to the one that made the change. Entry changes (create, mkdir,
 * mknod, symlink, link, unlink, rmdir, rename) notify the parent directories with
 * {@link Upcall#ENTRIES}; the object that lost a name gets {@link Upcall#ATTR} (its link count and
 * ctime moved) or {@link Upcall#GONE} when its last name went.
 *
 * <p>A named lookup, even a failed one, counts as interest in the parent directory: a client that
 * cached "no such name" must hear when another client creates it.
 */
public final class UpcallXlator extends Xlator {
    private static final Logger log = LoggerFactory.getLogger(UpcallXlator.class);

    public static final Option<Boolean> CACHE_INVALIDATION = Option.bool("cache-invalidation", false,
            "Tell clients when another client changed an inode they looked at (GlusterFS "
                    + "features.cache-invalidation). Off: every fop passes through untouched.");
    public static final Option<Duration> TIMEOUT = Option.time("cache-invalidation-timeout", "60",
            Duration.ofSeconds(1), Duration.ofDays(1),
            "How long a client's interest in an inode lasts after its last access to it.");
    public static final List<Option<?>> OPTIONS = List.of(CACHE_INVALIDATION, TIMEOUT);

    public static final XlatorType TYPE = new XlatorType("features/upcall", List.of(),
            "Brick side of cache invalidation: notifies clients when another client changes an inode they looked at.",
            OPTIONS, UpcallXlator::new);

    private static final int CHANGED_DATA = Upcall.DATA | Upcall.ATTR;
    private static final int CHANGED_ENTRIES = Upcall.ENTRIES | Upcall.ATTR;

    private final boolean enabled;
    private final Interests interests;

    public UpcallXlator(XlatorConfig config) {
        this(config, System::nanoTime);
    }

    /** With a clock of nanoseconds, so that tests can step past the timeout. */
    UpcallXlator(XlatorConfig config, LongSupplier clock) {
        super(config);
        this.enabled = options().get(CACHE_INVALIDATION);
        this.interests = new Interests(options().get(TIMEOUT).toNanos(), clock);
        if (enabled) log.info("{}: cache invalidation on, interest lasts {} s", this, options().get(TIMEOUT).toSeconds());
    }

    /** Inodes some client is interested in (for tests and diagnostics). */
    int watchedInodes() {
        return interests.inodes();
    }

    // ---- fops that only look: record interest ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        if (!watching(c)) return firstChild().lookup(c, loc, x);
        touch(c, loc);
        long since = interests.sequence();
        return firstChild().lookup(c, loc, x).whenComplete((r, t) -> {
            if (t == null) lookedAt(c, r.attr(), since);
        });
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        if (watching(c)) touch(c, loc);
        return firstChild().stat(c, loc, x);
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        if (watching(c)) touch(c, fd);
        return firstChild().fstat(c, fd, x);
    }

    @Override
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        if (watching(c)) touch(c, loc);
        return firstChild().access(c, loc, mask, x);
    }

    @Override
    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        if (watching(c)) touch(c, loc);
        return firstChild().readlink(c, loc, size, x);
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        if (!watching(c)) return firstChild().open(c, loc, flags, fd, x);
        touch(c, loc);
        // open(O_TRUNC) empties the file for everyone else
        boolean truncates = (flags & O_TRUNC) != 0;
        return firstChild().open(c, loc, flags, fd, x).whenComplete((r, t) -> {
            if (t == null && truncates) notifyOthers(c, gfidOf(loc, fd), CHANGED_DATA, null);
        });
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        if (watching(c)) touch(c, fd);
        return firstChild().readv(c, fd, size, offset, flags, x);
    }

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        if (watching(c)) touch(c, loc);
        return firstChild().opendir(c, loc, fd, x);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        if (watching(c)) touch(c, fd);
        return firstChild().readdir(c, fd, size, offset, x);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        if (!watching(c)) return firstChild().readdirp(c, fd, size, offset, x);
        touch(c, fd);
        long since = interests.sequence();
        return firstChild().readdirp(c, fd, size, offset, x).whenComplete((r, t) -> {
            if (t != null) return;
            for (Dirent d : r.entries()) lookedAt(c, d.attr(), since);
        });
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        if (watching(c)) touch(c, loc);
        return firstChild().getxattr(c, loc, name, x);
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        if (watching(c)) touch(c, fd);
        return firstChild().fgetxattr(c, fd, name, x);
    }

    // ---- changes to one inode ----

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        if (!enabled) return firstChild().writev(c, fd, data, offset, flags, x);
        return changed(c, fd.gfid(), CHANGED_DATA, firstChild().writev(c, fd, data, offset, flags, x));
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        if (!enabled) return firstChild().truncate(c, loc, offset, x);
        return changed(c, loc.gfid(), CHANGED_DATA, firstChild().truncate(c, loc, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        if (!enabled) return firstChild().ftruncate(c, fd, offset, x);
        return changed(c, fd.gfid(), CHANGED_DATA, firstChild().ftruncate(c, fd, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        if (!enabled) return firstChild().setattr(c, loc, attr, x);
        return changed(c, loc.gfid(), Upcall.ATTR, firstChild().setattr(c, loc, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        if (!enabled) return firstChild().fsetattr(c, fd, attr, x);
        return changed(c, fd.gfid(), Upcall.ATTR, firstChild().fsetattr(c, fd, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        if (!enabled) return firstChild().fallocate(c, fd, mode, offset, len, x);
        return changed(c, fd.gfid(), CHANGED_DATA, firstChild().fallocate(c, fd, mode, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        if (!enabled) return firstChild().discard(c, fd, offset, len, x);
        return changed(c, fd.gfid(), CHANGED_DATA, firstChild().discard(c, fd, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        if (!enabled) return firstChild().zerofill(c, fd, offset, len, x);
        return changed(c, fd.gfid(), CHANGED_DATA, firstChild().zerofill(c, fd, offset, len, x));
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        if (!enabled) return firstChild().setxattr(c, loc, values, flags, x);
        return xattrChanged(c, loc.gfid(), firstChild().setxattr(c, loc, values, flags, x));
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        if (!enabled) return firstChild().fsetxattr(c, fd, values, flags, x);
        return xattrChanged(c, fd.gfid(), firstChild().fsetxattr(c, fd, values, flags, x));
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        if (!enabled) return firstChild().removexattr(c, loc, name, x);
        return xattrChanged(c, loc.gfid(), firstChild().removexattr(c, loc, name, x));
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        if (!enabled) return firstChild().fremovexattr(c, fd, name, x);
        return xattrChanged(c, fd.gfid(), firstChild().fremovexattr(c, fd, name, x));
    }

    // ---- changes to names ----

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        if (!enabled) return firstChild().create(c, loc, flags, mode, umask, fd, x);
        return newEntry(c, loc, firstChild().create(c, loc, flags, mode, umask, fd, x));
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        if (!enabled) return firstChild().mknod(c, loc, mode, rdev, umask, x);
        return newEntry(c, loc, firstChild().mknod(c, loc, mode, rdev, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        if (!enabled) return firstChild().mkdir(c, loc, mode, umask, x);
        return newEntry(c, loc, firstChild().mkdir(c, loc, mode, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        if (!enabled) return firstChild().symlink(c, target, loc, umask, x);
        return newEntry(c, loc, firstChild().symlink(c, target, loc, umask, x));
    }

    /** The parent gained a name; create without O_EXCL may instead have opened (even truncated) an existing file. */
    private CompletableFuture<EntryReply> newEntry(Caller c, Loc loc, CompletableFuture<EntryReply> f) {
        return f.whenComplete((r, t) -> {
            if (t != null) return;
            notifyOthers(c, loc.parent(), CHANGED_ENTRIES, r.postParent());
            Gfid made = r.attr() == null ? null : r.attr().gfid();
            if (made != null && loc.gfid() != null && !made.equals(loc.gfid())) {
                notifyOthers(c, made, CHANGED_DATA, r.attr());
            }
            interests.touched(made, c.client());
        });
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        if (!enabled) return firstChild().link(c, oldLoc, newLoc, x);
        return firstChild().link(c, oldLoc, newLoc, x).whenComplete((r, t) -> {
            if (t != null) return;
            notifyOthers(c, newLoc.parent(), CHANGED_ENTRIES, r.postParent());
            Gfid object = r.attr() != null ? r.attr().gfid() : oldLoc.gfid();
            notifyOthers(c, object, Upcall.ATTR, r.attr()); // one more link
        });
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        if (!enabled) return firstChild().unlink(c, loc, xflags, x);
        return firstChild().unlink(c, loc, xflags, x).whenComplete((r, t) -> {
            if (t != null) return;
            notifyOthers(c, loc.parent(), CHANGED_ENTRIES, r.postParent());
            lostName(c, loc.gfid());
        });
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        if (!enabled) return firstChild().rmdir(c, loc, flags, x);
        return firstChild().rmdir(c, loc, flags, x).whenComplete((r, t) -> {
            if (t != null) return;
            notifyOthers(c, loc.parent(), CHANGED_ENTRIES, r.postParent());
            notifyOthers(c, loc.gfid(), Upcall.GONE | Upcall.ATTR, null);
        });
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        if (!enabled) return firstChild().rename(c, oldLoc, newLoc, x);
        return firstChild().rename(c, oldLoc, newLoc, x).whenComplete((r, t) -> {
            if (t != null) return;
            notifyOthers(c, oldLoc.parent(), CHANGED_ENTRIES, r.postOldParent());
            if (newLoc.parent() != null && !newLoc.parent().equals(oldLoc.parent())) {
                notifyOthers(c, newLoc.parent(), CHANGED_ENTRIES, r.postNewParent());
            }
            Gfid object = r.attr() != null ? r.attr().gfid() : oldLoc.gfid();
            notifyOthers(c, object, Upcall.ATTR, r.attr()); // ctime, and a directory's ".."
            if (newLoc.gfid() != null && !newLoc.gfid().equals(object)) lostName(c, newLoc.gfid());
        });
    }

    // ---- helpers ----

    /** Whether to record interest: only when on, and only for fops that came from a client connection. */
    private boolean watching(Caller c) {
        return enabled && c.client() != null;
    }

    private void touch(Caller c, Loc loc) {
        interests.touched(loc.gfid(), c.client());
        if (loc.hasEntry()) interests.touched(loc.parent(), c.client());
    }

    private void touch(Caller c, Fd fd) {
        interests.touched(fd.gfid(), c.client());
    }

    /**
     * The reply of a look wound at {@code since} carries {@code attr}: the client is interested
     * in that inode from now on. The gfid was unknown when the fop was wound, so a change by
     * another client in between reached neither this client's notice list nor, perhaps, the
     * attributes read: tell the client now, so that its caches do not keep what the reply brings
     * (the notice goes out before the reply, on the same connection).
     */
    private void lookedAt(Caller c, Iatt attr, long since) {
        if (attr == null || !interests.lookedAt(attr.gfid(), c.client(), since)) return;
        int flags = CHANGED_DATA | (attr.isDirectory() ? Upcall.ENTRIES : 0);
        Upcall u = new Upcall(attr.gfid(), flags, null);
        try {
            c.client().upcall(u);
        } catch (RuntimeException e) {
            log.warn("{}: cannot send {} to {}: {}", this, u, c.client().id(), e.toString());
        }
    }

    private static Gfid gfidOf(Loc loc, Fd fd) {
        return fd != null && fd.inode() != null && fd.gfid() != null && !fd.gfid().isNull() ? fd.gfid() : loc.gfid();
    }

    private <T extends ChangeReply> CompletableFuture<T> changed(Caller c, Gfid gfid, int flags, CompletableFuture<T> f) {
        return f.whenComplete((r, t) -> {
            if (t == null) notifyOthers(c, gfid, flags, r.post());
        });
    }

    private CompletableFuture<Done> xattrChanged(Caller c, Gfid gfid, CompletableFuture<Done> f) {
        return f.whenComplete((r, t) -> {
            if (t == null) notifyOthers(c, gfid, Upcall.XATTR | Upcall.ATTR, null);
        });
    }

    /**
     * An object lost a name: if it still exists (another hard link) its link count changed, else it
     * is gone. The stat is local to this brick and only made when someone else watches the object.
     */
    private void lostName(Caller c, Gfid gfid) {
        if (gfid == null || !interests.watchedByOthers(gfid, c.client())) return;
        firstChild().stat(Caller.ROOT, Loc.of(gfid, null), Xdata.EMPTY).whenComplete((r, t) -> {
            if (t == null && r.attr() != null) notifyOthers(c, gfid, Upcall.ATTR, r.attr());
            else notifyOthers(c, gfid, Upcall.GONE | Upcall.ATTR, null);
        });
    }

    /** Sends the upcall to every other interested client; the changer's own interest is refreshed. */
    private void notifyOthers(Caller c, Gfid gfid, int flags, Iatt stat) {
        if (gfid == null || gfid.isNull()) return;
        List<Caller.Client> targets = interests.toNotify(gfid, c.client(), flags);
        if (!targets.isEmpty()) {
            Upcall u = new Upcall(gfid, flags, stat != null && gfid.equals(stat.gfid()) ? stat : null);
            for (Caller.Client target : targets) {
                try {
                    target.upcall(u);
                } catch (RuntimeException e) {
                    log.warn("{}: cannot send {} to {}: {}", this, u, target.id(), e.toString());
                }
            }
        }
        interests.touched(gfid, c.client());
    }
}
