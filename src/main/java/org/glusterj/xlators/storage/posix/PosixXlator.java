package org.glusterj.xlators.storage.posix;

import io.netty.buffer.ByteBuf;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.EntrylkCmd;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.ReadlinkReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SeekReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.StatfsReply;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.xlators.performance.iothreads.IoThreadsXlator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * storage/posix: the bottom of a brick graph. Keeps the volume's files at their paths under
 * {@code directory} and answers every fop there (see the package documentation for the on-disk
 * layout). The work is in {@link EntryOps}, {@link InodeOps}, {@link FileOps} and
 * {@link DirReader}; this class holds the options, the per-fd state and the locking, and turns
 * errors into failed futures. Fops complete synchronously on the calling thread (the brick's
 * server calls them off its network threads) and may run concurrently.
 */
public final class PosixXlator extends Xlator {
    private static final Logger LOG = LoggerFactory.getLogger(PosixXlator.class);
    /** xdata keys of a mknod that the new node gets as xattrs (see {@link #mknod}). */
    static final String NEW_ENTRY_XATTRS = "trusted.glusterfs.";

    public static final Option<String> DIRECTORY = Option.path("directory", null,
            "The brick root: an existing directory that holds the volume's files at their paths.");
    public static final Option<String> VOLUME_ID = Option.custom("volume-id", "uuid", null, "a UUID",
            "Accepted for compatibility with GlusterFS brick volfiles; no effect yet.", v -> Gfid.parse(v).toString());
    public static final Option<Integer> SHARED_BRICK_COUNT = Option.integer("shared-brick-count", 1, 0, 1 << 16,
            "Accepted for compatibility with GlusterFS brick volfiles (bricks sharing a filesystem); no effect yet.");
    public static final Option<Boolean> FIPS_MODE_RCHECKSUM = Option.bool("fips-mode-rchecksum", false,
            "Accepted for compatibility with GlusterFS brick volfiles (rchecksum algorithm); no effect yet.");
    public static final List<Option<?>> OPTIONS = List.of(DIRECTORY, VOLUME_ID, SHARED_BRICK_COUNT, FIPS_MODE_RCHECKSUM);
    /**
     * On writev, truncate and ftruncate: the writer lacks CAP_FSETID, so the file's set-id bits go
     * (see {@link SetIdBits}); mount/fuse sets it when the kernel asks (FUSE_HANDLE_KILLPRIV_V2).
     */
    public static final String KILL_SETID_KEY = "glusterj.kill-suidgid";

    public static final XlatorType TYPE = new XlatorType("storage/posix", List.of(),
            "Stores the volume's files in a local directory (the brick).", OPTIONS, PosixXlator::new);

    private final BrickStore store;
    private final EntryOps entries;
    private final InodeOps inodes;
    private final FileOps files;

    public PosixXlator(XlatorConfig config) {
        super(config);
        if (!config.children().isEmpty()) {
            throw new IllegalArgumentException("storage/posix \"" + config.name()
                    + "\" stores files itself and takes no subvolumes; remove its subvolumes line");
        }
        String dir = option(DIRECTORY);
        if (dir == null) {
            throw new IllegalArgumentException("storage/posix \"" + config.name()
                    + "\": option directory (the brick root path) is required");
        }
        option(VOLUME_ID);
        option(SHARED_BRICK_COUNT);
        option(FIPS_MODE_RCHECKSUM);
        this.store = new BrickStore(Path.of(dir));
        this.entries = new EntryOps(store);
        this.inodes = new InodeOps(store);
        this.files = new FileOps(store);
        LOG.info("storage/posix \"{}\" serving {}", config.name(), store.directory);
    }

    private <T> T option(Option<T> o) {
        try {
            return options().get(o);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("storage/posix \"" + name() + "\": option " + o.key() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The brick root this xlator serves. */
    public Path directory() {
        return store.directory;
    }

    @Override
    public void fini() {
        store.close();
    }

    // ---- plumbing ----

    /** Runs a fop body: its result, or its failure as a FopException (anything unexpected is EIO). */
    private <T> CompletableFuture<T> run(String fop, Object target, Lock lock, Supplier<T> body) {
        if (lock != null) lock.lock();
        try {
            try {
                return CompletableFuture.completedFuture(body.get());
            } catch (FopException e) {
                // An object addressed by gfid whose last name is being removed while it is open has
                // its handle moved to .glusterfs/unlink between locating it and using it: once more
                // finds it there.
                if (e.errno() != Errno.ENOENT || !(target instanceof Loc l) || l.hasEntry()) throw e;
                return CompletableFuture.completedFuture(body.get());
            }
        } catch (FopException e) {
            LOG.debug("{} {}: {}", fop, target, e.getMessage());
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException | Error e) {
            LOG.error("{} {} failed unexpectedly", fop, target, e);
            return CompletableFuture.failedFuture(Errno.EIO.exception(fop + ": " + e));
        } finally {
            if (lock != null) lock.unlock();
        }
    }

    /**
     * Fops on a Loc resolve paths, which a directory rename changes: they share the namespace
     * lock. Fops on an open fd use its native fd and need no lock (they hold a reference to it, see {@link #onFd}).
     */
    private <T> CompletableFuture<T> run(String fop, Object target, Supplier<T> body) {
        return run(fop, target, target instanceof Fd ? null : store.namespace.readLock(), body);
    }

    /**
     * Runs a fop body on the open state of {@code fd}, holding a reference to it meanwhile: a
     * release that comes in between leaves the native fd open until the body is done (see
     * {@link OpenFile}).
     */
    private <T> CompletableFuture<T> onFd(String fop, Fd fd, Function<OpenFile, T> body) {
        return run(fop, fd, () -> {
            OpenFile of = acquire(fd);
            try {
                return body.apply(of);
            } finally {
                done(of);
            }
        });
    }

    private <T> CompletableFuture<T> onFile(String fop, Fd fd, Function<OpenFile, T> body) {
        return onFd(fop, fd, of -> {
            if (of.isDir()) throw Errno.EISDIR.exception(fd.toString());
            return body.apply(of);
        });
    }

    private <T> CompletableFuture<T> onDir(String fop, Fd fd, Function<OpenFile, T> body) {
        return onFd(fop, fd, of -> {
            if (!of.isDir()) throw Errno.ENOTDIR.exception(fd.toString());
            return body.apply(of);
        });
    }

    /**
     * The state of an open fd with a reference for the caller, who gives it back with {@link #done}.
     * An fd nobody opened here (an anonymous fd) is opened by its gfid on first use; one already
     * released is not opened again (nobody would release it a second time) but fails with EBADF.
     */
    OpenFile acquire(Fd fd) {
        OpenFile of = fd.ctx(this);
        if (of == null) {
            if (fd.inode() == null || fd.gfid() == null) throw Errno.EBADF.exception("fd not open on this brick");
            Lock lock = store.namespace.readLock();
            lock.lock();
            try {
                of = fd.ctxIfAbsent(this, () -> files.openAnonymous(fd.gfid()));
            } finally {
                lock.unlock();
            }
        }
        if (!of.retain()) throw Errno.EBADF.exception(fd + " was released");
        return of;
    }

    /** Gives back a reference {@link #acquire} took; the last one closes the native fd. */
    void done(OpenFile of) {
        if (of.drop()) closeNative(of);
    }

    private Done attach(Fd fd, OpenFile of) {
        OpenFile old = fd.takeCtx(this);
        if (old != null && old.release()) closeNative(old);
        fd.setCtx(this, of);
        return Done.OK;
    }

    private void closeNative(OpenFile of) {
        of.close();
        if (!of.isDir()) store.closed(of.gfid);
    }

    // ---- entries ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        long contentMax = contentWanted(x);
        return run("lookup", loc, () -> entries.lookup(loc, contentMax));
    }

    /** The size limit of a lookup's request for file content (xdata glusterfs.content), or -1 if none or unreadable. */
    private static long contentWanted(Xdata x) {
        String v = x == null ? null : x.getString(FileOps.CONTENT_KEY);
        if (v == null) return -1;
        try {
            return Math.min(Long.parseLong(v.trim()), FileOps.MAX_READ);
        } catch (NumberFormatException e) {
            LOG.debug("lookup xdata {} is not a size: \"{}\"; no content sent", FileOps.CONTENT_KEY, v);
            return -1;
        }
    }

    /**
     * xdata keys under {@value #NEW_ENTRY_XATTRS} become xattrs of the new node before it has its
     * name, as GlusterFS's posix sets the dict of an entry creation: distribute's linkto file is
     * never seen without its target.
     */
    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        Map<String, byte[]> xattrs = new HashMap<>(2);
        if (x != null) x.asMap().forEach((k, v) -> {
            if (k.startsWith(NEW_ENTRY_XATTRS)) xattrs.put(k, v);
        });
        return run("mknod", loc, () -> entries.mknod(c, loc, mode, rdev, umask, xattrs));
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        return run("mkdir", loc, () -> entries.mkdir(c, loc, mode, umask));
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return run("symlink", loc, () -> entries.symlink(c, target, loc));
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return run("create", loc, () -> {
            EntryOps.Created made = entries.create(c, loc, flags, mode, umask);
            attach(fd, made.file());
            return made.reply();
        });
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return run("link", newLoc, () -> entries.link(oldLoc, newLoc));
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return run("unlink", loc, () -> entries.unlink(loc));
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return run("rmdir", loc, () -> entries.rmdir(loc));
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        CompletableFuture<RenameReply> shared = run("rename", oldLoc, () -> entries.rename(oldLoc, newLoc, false));
        if (shared.isCompletedExceptionally() || shared.join() != null) return shared;
        // A directory is moving: its descendants' paths change, so nothing may resolve meanwhile.
        return run("rename", oldLoc, store.namespace.writeLock(), () -> entries.rename(oldLoc, newLoc, true));
    }

    // ---- attributes ----

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return run("stat", loc, () -> new AttrReply(inodes.stat(loc), null));
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return onFd("fstat", fd, of -> new AttrReply(of.iatt(), null));
    }

    @Override
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        return run("access", loc, () -> inodes.access(c, loc, mask));
    }

    @Override
    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        return run("readlink", loc, () -> inodes.readlink(loc, size));
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return run("setattr", loc, () -> inodes.setattr(loc, attr));
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return onFd("fsetattr", fd, of -> inodes.fsetattr(of, attr));
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return run("truncate", loc, () -> inodes.truncate(loc, offset, killSetId(x)));
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return onFile("ftruncate", fd, of -> files.ftruncate(of, offset, killSetId(x)));
    }

    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        return run("statfs", loc, () -> inodes.statfs(loc));
    }

    // ---- open files and data ----

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return run("open", loc, () -> attach(fd, files.open(loc, flags)));
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        boolean cachedOnly = x != null && x.has(IoThreadsXlator.NOWAIT);
        return onFile("readv", fd, of -> files.readv(of, size, offset, cachedOnly));
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        try {
            return onFile("writev", fd, of -> files.writev(of, data, offset, killSetId(x)));
        } finally {
            data.release();
        }
    }

    private static boolean killSetId(Xdata x) {
        return x != null && x.has(KILL_SETID_KEY);
    }

    /** Nothing is buffered here; close-time work happens at release. */
    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return CompletableFuture.completedFuture(Done.OK);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return onFd("fsync", fd, of -> files.fsync(of, datasync));
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return onFile("fallocate", fd, of -> files.fallocate(of, mode, offset, len));
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        return onFile("discard", fd, of -> files.discard(of, offset, len));
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return onFile("zerofill", fd, of -> files.zerofill(of, offset, len));
    }

    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        return onFile("seek", fd, of -> files.seek(of, offset, what));
    }

    /** See {@link FileOps#lk}: per-fd, non-blocking locks; features/locks provides the full semantics. */
    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return onFile("lk", fd, of -> files.lk(of, cmd, lock));
    }

    @Override
    public CompletableFuture<Done> entrylk(Caller c, String domain, Loc dir, String name, EntrylkCmd cmd, Xdata x) {
        return CompletableFuture.failedFuture(Errno.ENOSYS.exception("entry locks are features/locks' work: "
                + "put it above storage/posix in the brick's graph"));
    }

    // ---- directories ----

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return run("opendir", loc, () -> attach(fd, files.opendir(loc)));
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        return onDir("readdir", fd, of -> new ReaddirReply(new DirReader(store, of, false).read(size, offset), null));
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return onDir("readdirp", fd, of -> new ReaddirReply(new DirReader(store, of, true).read(size, offset), null));
    }

    @Override
    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        return onDir("fsyncdir", fd, of -> {
            Sys.check(Sys.C.fsync(of.fd), "fsyncdir");
            return Done.OK;
        });
    }

    // ---- extended attributes ----

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return run("getxattr", loc, () -> inodes.getxattr(loc, name));
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        return onFd("fgetxattr", fd, of -> inodes.fgetxattr(of, name));
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return run("setxattr", loc, () -> inodes.setxattr(loc, values, flags));
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        return onFd("fsetxattr", fd, of -> inodes.fsetxattr(of, values, flags));
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return run("removexattr", loc, () -> inodes.removexattr(loc, name));
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        return onFd("fremovexattr", fd, of -> inodes.fremovexattr(of, name));
    }

    // ---- callbacks ----

    /**
     * Ends the fd's own reference; fops still running on it keep the native fd until they are done.
     * An fd nothing was opened for gets {@link OpenFile#RELEASED}, in the same step that an
     * anonymous open would take, so that no fop arriving late opens it.
     */
    @Override
    public void release(Fd fd) {
        OpenFile of = fd.ctxIfAbsent(this, () -> OpenFile.RELEASED);
        if (of.release()) closeNative(of);
    }

    @Override
    public void releasedir(Fd fd) {
        release(fd);
    }

    /** storage/posix keeps no per-inode state. */
    @Override
    public void forget(Inode inode) {
    }
}
