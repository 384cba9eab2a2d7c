package org.glusterj.core;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.glusterj.options.Options;

/**
 * A translator: one node of the graph. It has one method per fop; the default winds the fop to
 * the first child unchanged (GlusterFS's default_* fops), so an xlator overrides only the fops
 * it changes. Winding is calling the child; unwinding is completing the returned future, on
 * whatever thread the child completes it (on the client, a Netty event loop). Code that runs on
 * completion must therefore never block.
 *
 * <p>Failures travel as futures completed exceptionally with a {@link FopException}.
 *
 * <p>Buffer ownership: {@code writev} takes ownership of its data buffer (the callee releases
 * it, or passes it on); a {@link ReadReply}'s data belongs to whoever consumes it last.
 */
public abstract class Xlator {
    private final String name;
    private final String type;
    private final Options options;
    private final List<Xlator> children;
    private final List<Xlator> parents = new CopyOnWriteArrayList<>();
    private final List<EventListener> listeners = new CopyOnWriteArrayList<>();
    private final int slot;

    protected Xlator(XlatorConfig config) {
        this.name = config.name();
        this.type = config.type();
        this.options = config.options();
        this.children = config.children();
        this.slot = config.slot();
        for (Xlator c : children) c.parents.add(this);
    }

    public final String name() {
        return name;
    }

    public final String type() {
        return type;
    }

    public final Options options() {
        return options;
    }

    public final List<Xlator> children() {
        return children;
    }

    public final List<Xlator> parents() {
        return parents;
    }

    /** This xlator's index into inode and fd context slots. */
    public final int slot() {
        return slot;
    }

    /** The child that pass-through fops go to. */
    protected final Xlator firstChild() {
        if (children.isEmpty()) {
            throw new IllegalStateException(type + " \"" + name + "\" has no subvolume to pass fops to");
        }
        return children.get(0);
    }

    // ---- lifecycle and events ----

    /**
     * Handles a graph event. The default passes PARENT_* down to every child and CHILD_* up to every
     * parent (and to listeners registered at the top).
     */
    public void notify(Event event, Xlator source) {
        if (event.travelsDown()) {
            for (Xlator c : children) c.notify(event, this);
        } else {
            propagateUp(event);
        }
    }

    protected final void propagateUp(Event event) {
        for (Xlator p : parents) p.notify(event, this);
        for (EventListener l : listeners) l.onEvent(event, this);
    }

    /**
     * Handles a cache-invalidation upcall from a brick. The default drops nothing and passes it to
     * every parent; a caching xlator overrides it to drop its entries for the gfid, then calls super.
     */
    public void upcall(Upcall upcall, Xlator source) {
        for (Xlator p : parents) p.upcall(upcall, this);
    }

    public final void addListener(EventListener listener) {
        listeners.add(listener);
    }

    /** Releases resources (connections, threads, open files); called once, top first, at shutdown. */
    public void fini() {
    }

    // ---- entry and inode fops ----

    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        return firstChild().lookup(c, loc, x);
    }

    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return firstChild().stat(c, loc, x);
    }

    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return firstChild().fstat(c, fd, x);
    }

    /** {@code mask} is access(2)'s R_OK/W_OK/X_OK/F_OK. */
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        return firstChild().access(c, loc, mask, x);
    }

    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        return firstChild().readlink(c, loc, size, x);
    }

    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return firstChild().mknod(c, loc, mode, rdev, umask, x);
    }

    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        return firstChild().mkdir(c, loc, mode, umask, x);
    }

    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return firstChild().unlink(c, loc, xflags, x);
    }

    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return firstChild().rmdir(c, loc, flags, x);
    }

    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return firstChild().symlink(c, target, loc, umask, x);
    }

    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return firstChild().rename(c, oldLoc, newLoc, x);
    }

    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return firstChild().link(c, oldLoc, newLoc, x);
    }

    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return firstChild().truncate(c, loc, offset, x);
    }

    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return firstChild().ftruncate(c, fd, offset, x);
    }

    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return firstChild().setattr(c, loc, attr, x);
    }

    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return firstChild().fsetattr(c, fd, attr, x);
    }

    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        return firstChild().statfs(c, loc, x);
    }

    // ---- open files ----

    /** {@code fd} was created by the caller; on success it is open and xlators have attached state to it. */
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return firstChild().open(c, loc, flags, fd, x);
    }

    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return firstChild().create(c, loc, flags, mode, umask, fd, x);
    }

    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        return firstChild().readv(c, fd, size, offset, flags, x);
    }

    /** Takes ownership of {@code data}. */
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        return firstChild().writev(c, fd, data, offset, flags, x);
    }

    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return firstChild().flush(c, fd, x);
    }

    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return firstChild().fsync(c, fd, datasync, x);
    }

    /** {@code mode} is fallocate(2)'s mode bits (KEEP_SIZE 1, PUNCH_HOLE 2, ZERO_RANGE 0x10). */
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return firstChild().fallocate(c, fd, mode, offset, len, x);
    }

    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        return firstChild().discard(c, fd, offset, len, x);
    }

    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return firstChild().zerofill(c, fd, offset, len, x);
    }

    /** {@code what} is SEEK_DATA 3 or SEEK_HOLE 4. */
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        return firstChild().seek(c, fd, offset, what, x);
    }

    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return firstChild().lk(c, fd, cmd, lock, x);
    }

    /**
     * Locks or unlocks name {@code name} of directory {@code dir}, exclusively, in lock domain
     * {@code domain}, for (client connection, {@link Caller#lkOwner()}): GlusterFS's entrylk with
     * ENTRYLK_WRLCK. Distribute holds such locks across the steps of a rename so that two clients'
     * changes to one name do not interleave. LOCK waits; LOCK_NB fails with EAGAIN when taken.
     */
    public CompletableFuture<Done> entrylk(Caller c, String domain, Loc dir, String name, EntrylkCmd cmd, Xdata x) {
        return firstChild().entrylk(c, domain, dir, name, cmd, x);
    }

    // ---- directories ----

    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return firstChild().opendir(c, loc, fd, x);
    }

    /** Entries after cookie {@code offset} (0 = from the start), up to about {@code size} bytes of them. */
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        return firstChild().readdir(c, fd, size, offset, x);
    }

    /** Like readdir, with each entry's attributes. */
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return firstChild().readdirp(c, fd, size, offset, x);
    }

    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        return firstChild().fsyncdir(c, fd, datasync, x);
    }

    // ---- extended attributes ----

    /** {@code name} null lists every attribute. */
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return firstChild().getxattr(c, loc, name, x);
    }

    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        return firstChild().fgetxattr(c, fd, name, x);
    }

    /** {@code flags} is setxattr(2)'s XATTR_CREATE 1 / XATTR_REPLACE 2. */
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return firstChild().setxattr(c, loc, values, flags, x);
    }

    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        return firstChild().fsetxattr(c, fd, values, flags, x);
    }

    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return firstChild().removexattr(c, loc, name, x);
    }

    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        return firstChild().fremovexattr(c, fd, name, x);
    }

    // ---- callbacks: not fops, no reply ----

    /**
     * The last reference to an open file is gone. Goes to every child, since a cluster xlator may
     * have opened the file on several; each xlator drops its own state for the fd.
     */
    public void release(Fd fd) {
        for (Xlator c : children) c.release(fd);
    }

    public void releasedir(Fd fd) {
        for (Xlator c : children) c.releasedir(fd);
    }

    /** The inode is no longer referenced by this process; xlators drop their state for it. */
    public void forget(Inode inode) {
        for (Xlator c : children) c.forget(inode);
    }

    @Override
    public String toString() {
        return type + " \"" + name + "\"";
    }
}
