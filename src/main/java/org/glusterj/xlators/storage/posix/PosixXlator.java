package org.glusterj.xlators.storage.posix;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * storage/posix: the bottom of a brick graph. Keeps the volume's files at their paths under
 * {@code directory} and answers every fop there (see {@link BrickStore} for the on-disk layout).
 * Fops complete synchronously on the calling thread; the brick's server calls them off its
 * network threads.
 */
public final class PosixXlator extends Xlator {
    private static final Logger LOG = LoggerFactory.getLogger(PosixXlator.class);

    public static final Option<String> DIRECTORY = Option.path("directory", null,
            "The brick root: an existing directory that holds the volume's files at their paths.");
    public static final Option<String> VOLUME_ID = Option.custom("volume-id", "uuid", null, "a UUID",
            "Accepted for compatibility with GlusterFS brick volfiles; no effect yet.", v -> Gfid.parse(v).toString());
    public static final Option<Integer> SHARED_BRICK_COUNT = Option.integer("shared-brick-count", 1, 0, 1 << 16,
            "Accepted for compatibility with GlusterFS brick volfiles (bricks sharing a filesystem); no effect yet.");
    public static final Option<Boolean> FIPS_MODE_RCHECKSUM = Option.bool("fips-mode-rchecksum", false,
            "Accepted for compatibility with GlusterFS brick volfiles (rchecksum algorithm); no effect yet.");
    public static final List<Option<?>> OPTIONS = List.of(DIRECTORY, VOLUME_ID, SHARED_BRICK_COUNT, FIPS_MODE_RCHECKSUM);

    public static final XlatorType TYPE = new XlatorType("storage/posix", List.of(),
            "Stores the volume's files in a local directory (the brick).", OPTIONS, PosixXlator::new);

    /** Reads bigger than this return short, as read(2) may; it bounds one reply's memory. */
    static final int MAX_READ = 32 << 20;
    private static final int SEEK_DATA = 3, SEEK_HOLE = 4;
    private static final int EOPNOTSUPP = 95;
    private static final int R_OK = 4, W_OK = 2, X_OK = 1;

    private final BrickStore store;
    private final int processUmask;

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
        this.processUmask = readUmask();
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

    /** The kernel applies the process umask at creation; we then restore the bits the client asked for. */
    private static int readUmask() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Umask:")) return Integer.parseInt(line.substring(6).trim(), 8);
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("cannot read process umask", e);
        }
        return 0777;
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
            return CompletableFuture.completedFuture(body.get());
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
     * lock. Fops on an open fd use its native fd and need no lock.
     */
    private <T> CompletableFuture<T> run(String fop, Object target, Supplier<T> body) {
        return run(fop, target, target instanceof Fd ? null : store.namespace.readLock(), body);
    }

    private static int flagsForOpen(int flags) {
        return (flags & ~(Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOCTTY | Sys.O_DIRECT)) | Sys.O_NOFOLLOW;
    }

    /** The state of an open fd. An fd nobody opened here (an anonymous fd) is opened by its gfid on first use. */
    private OpenFile openFile(Fd fd) {
        OpenFile of = fd.ctx(this);
        if (of != null) return of;
        if (fd.inode() == null || fd.gfid() == null) throw Errno.EBADF.exception("fd not open on this brick");
        Lock lock = store.namespace.readLock();
        lock.lock();
        try {
            return fd.ctxIfAbsent(this, () -> openAnonymous(fd.gfid()));
        } finally {
            lock.unlock();
        }
    }

    private OpenFile openAnonymous(Gfid g) {
        try (Obj o = store.locate(g)) {
            if (o.isDir()) return openDirStream(o);
            if (!o.stat.isRegular()) throw Errno.EINVAL.exception("only regular files and directories can be opened");
            int nfd;
            try {
                nfd = Sys.openat(o.dirFd, o.name, Sys.O_RDWR | Sys.O_NOFOLLOW, 0);
            } catch (FopException e) {
                nfd = Sys.openat(o.dirFd, o.name, Sys.O_RDONLY | Sys.O_NOFOLLOW, 0);
            }
            store.opened(g);
            return new OpenFile(nfd, g, null);
        }
    }

    private OpenFile file(Fd fd) {
        OpenFile of = openFile(fd);
        if (of.isDir()) throw Errno.EISDIR.exception(fd.toString());
        return of;
    }

    private OpenFile dir(Fd fd) {
        OpenFile of = openFile(fd);
        if (!of.isDir()) throw Errno.ENOTDIR.exception(fd.toString());
        return of;
    }

    private static Iatt fstat(OpenFile of) {
        return Sys.fstat(of.fd).toIatt(of.gfid);
    }

    private void attach(Fd fd, OpenFile of) {
        OpenFile old = fd.takeCtx(this);
        if (old != null) closeOpenFile(old);
        fd.setCtx(this, of);
    }

    private void closeOpenFile(OpenFile of) {
        of.close();
        if (!of.isDir()) store.closed(of.gfid);
    }

    // ---- lookup and attributes ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        return run("lookup", loc, () -> {
            if (!loc.hasEntry()) {
                try (Obj o = store.locate(loc.gfid())) {
                    return new EntryReply(o.iatt(), null, null, null);
                }
            }
            Names.check(loc.name());
            try (Obj parent = store.locateDir(loc.parent())) {
                Obj e = store.locateEntry(parent, loc.name());
                store.checkHandle(parent, e);
                return new EntryReply(e.restat(), null, parent.iatt(), null);
            }
        });
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return run("stat", loc, () -> {
            try (Obj o = store.resolve(loc)) {
                return new AttrReply(o.iatt(), null);
            }
        });
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return run("fstat", fd, () -> new AttrReply(fstat(openFile(fd)), null));
    }

    @Override
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        return run("access", loc, () -> {
            try (Obj o = store.resolve(loc)) {
                if (!permits(c, o.stat, mask)) throw Errno.EACCES.exception("access " + mask + " to " + loc);
                return Done.OK;
            }
        });
    }

    /** Mode-bit check as the kernel does it: root may read and write anything and execute what anyone may. */
    static boolean permits(Caller c, StatBuf st, int mask) {
        mask &= R_OK | W_OK | X_OK;
        if (mask == 0) return true;
        int mode = st.mode;
        if (c.uid() == 0) {
            return (mask & X_OK) == 0 || st.isDir() || (mode & 0111) != 0;
        }
        int bits;
        if (c.uid() == st.uid) {
            bits = (mode >> 6) & 7;
        } else if (c.gid() == st.gid || contains(c.groups(), st.gid)) {
            bits = (mode >> 3) & 7;
        } else {
            bits = mode & 7;
        }
        return (bits & mask) == mask;
    }

    private static boolean contains(int[] groups, int gid) {
        for (int g : groups) if (g == gid) return true;
        return false;
    }

    @Override
    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        return run("readlink", loc, () -> {
            try (Obj o = store.resolve(loc)) {
                if (!o.stat.isSymlink()) throw Errno.EINVAL.exception(loc + " is not a symlink");
                String target = Sys.readlinkat(o.dirFd, o.name);
                byte[] b = target.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (size > 0 && b.length > size) {
                    target = new String(b, 0, size, java.nio.charset.StandardCharsets.UTF_8);
                }
                return new ReadlinkReply(target, o.iatt(), null);
            }
        });
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return run("setattr", loc, () -> {
            try (Obj o = store.resolve(loc)) {
                Iatt pre = o.iatt();
                if (attr.has(SetAttr.UID) || attr.has(SetAttr.GID)) {
                    Sys.check(Sys.C.fchownat(o.dirFd, Sys.cstr(o.name), attr.has(SetAttr.UID) ? attr.uid() : -1,
                            attr.has(SetAttr.GID) ? attr.gid() : -1, Sys.AT_SYMLINK_NOFOLLOW), "chown " + loc);
                }
                if (attr.has(SetAttr.MODE)) chmodNoFollow(o.dirFd, o.name, attr.mode() & FileType.PERM_MASK);
                if (attr.has(SetAttr.ATIME) || attr.has(SetAttr.MTIME)) {
                    Sys.check(Sys.C.utimensat(o.dirFd, Sys.cstr(o.name), times(attr), Sys.AT_SYMLINK_NOFOLLOW),
                            "utimensat " + loc);
                }
                return new ChangeReply(pre, o.restat(), null);
            }
        });
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return run("fsetattr", fd, () -> {
            OpenFile of = openFile(fd);
            Iatt pre = fstat(of);
            if (attr.has(SetAttr.UID) || attr.has(SetAttr.GID)) {
                Sys.check(Sys.C.fchown(of.fd, attr.has(SetAttr.UID) ? attr.uid() : -1,
                        attr.has(SetAttr.GID) ? attr.gid() : -1), "fchown");
            }
            if (attr.has(SetAttr.MODE)) Sys.check(Sys.C.fchmod(of.fd, attr.mode() & FileType.PERM_MASK), "fchmod");
            if (attr.has(SetAttr.ATIME) || attr.has(SetAttr.MTIME)) {
                Sys.check(Sys.C.futimens(of.fd, times(attr)), "futimens");
            }
            return new ChangeReply(pre, fstat(of), null);
        });
    }

    /** struct timespec[2] for utimensat: atime, mtime; an unset one is UTIME_OMIT. */
    private static long[] times(SetAttr a) {
        return new long[] {
            a.atimeSec(), a.has(SetAttr.ATIME) ? a.atimeNsec() : SetAttr.UTIME_OMIT,
            a.mtimeSec(), a.has(SetAttr.MTIME) ? a.mtimeNsec() : SetAttr.UTIME_OMIT};
    }

    /**
     * chmod without following a symlink: Linux has no lchmod, so the object is pinned with an
     * O_PATH|O_NOFOLLOW fd and changed through that fd's /proc link. Symlinks have no mode of their own.
     */
    static void chmodNoFollow(int dirFd, String name, int mode) {
        int pfd = Sys.openat(dirFd, name, Sys.O_PATH | Sys.O_NOFOLLOW, 0);
        try {
            if (Sys.fstat(pfd).isSymlink()) return;
            Sys.check(Sys.C.chmod(Sys.cstr("/proc/self/fd/" + pfd), mode), "chmod " + name);
        } finally {
            Sys.closeQuietly(pfd);
        }
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return run("truncate", loc, () -> {
            if (offset < 0) throw Errno.EINVAL.exception("negative size " + offset);
            try (Obj o = store.resolve(loc)) {
                if (o.isDir()) throw Errno.EISDIR.exception(loc.toString());
                if (!o.stat.isRegular()) throw Errno.EINVAL.exception(loc + " is not a regular file");
                int nfd = Sys.openat(o.dirFd, o.name, Sys.O_WRONLY | Sys.O_NOFOLLOW | Sys.O_NONBLOCK, 0);
                try {
                    Iatt pre = Sys.fstat(nfd).toIatt(o.gfid);
                    Sys.check(Sys.C.ftruncate(nfd, offset), "truncate " + loc);
                    return new ChangeReply(pre, Sys.fstat(nfd).toIatt(o.gfid), null);
                } finally {
                    Sys.closeQuietly(nfd);
                }
            }
        });
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return run("ftruncate", fd, () -> {
            if (offset < 0) throw Errno.EINVAL.exception("negative size " + offset);
            OpenFile of = file(fd);
            Iatt pre = fstat(of);
            Sys.check(Sys.C.ftruncate(of.fd, offset), "ftruncate");
            return new ChangeReply(pre, fstat(of), null);
        });
    }

    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        return run("statfs", loc, () -> {
            try (Obj o = store.resolve(loc)) {
                return new StatfsReply(StatvfsBuf.of(o.isDir() ? o.dirFd : store.rootFd), null);
            }
        });
    }

    // ---- creating entries ----

    /** How a creation fop makes its object: given the parent fd, the name and the permission bits. */
    @FunctionalInterface
    private interface Maker {
        void make(int parentFd, String name, int perm);
    }

    private CompletableFuture<EntryReply> makeEntry(String fop, Caller c, Loc loc, int perm, Maker maker) {
        return run(fop, loc, () -> {
            String name = Names.check(loc.name());
            Gfid gfid = newGfid(loc);
            try (Obj parent = store.locateDir(loc.parent())) {
                BrickStore.checkVisible(parent, name, Errno.EPERM);
                Iatt pre = parent.iatt();
                maker.make(parent.dirFd, name, perm);
                try {
                    String path = Sys.procPath(parent.dirFd, name);
                    Sys.check(Sys.C.lsetxattr(Sys.cstr(path), Sys.cstr(BrickStore.GFID_XATTR), gfid.toBytes(), 16,
                            Sys.XATTR_CREATE), "set gfid");
                    Sys.check(Sys.C.fchownat(parent.dirFd, Sys.cstr(name), c.uid(), gidFor(c, parent.stat),
                            Sys.AT_SYMLINK_NOFOLLOW), "chown");
                    StatBuf st = Sys.fstatat(parent.dirFd, name);
                    if (!st.isSymlink() && (st.mode & FileType.PERM_MASK) != wanted(perm, st, parent.stat)) {
                        chmodNoFollow(parent.dirFd, name, wanted(perm, st, parent.stat));
                    }
                    if (st.isDir()) store.createDirHandle(gfid, parent.gfid, name);
                    else store.linkHandle(parent.dirFd, name, gfid, st);
                } catch (RuntimeException e) {
                    Sys.C.unlinkat(parent.dirFd, Sys.cstr(name), fop.equals("mkdir") ? Sys.AT_REMOVEDIR : 0);
                    throw e;
                }
                Iatt attr = Sys.fstatat(parent.dirFd, name).toIatt(gfid);
                return new EntryReply(attr, pre, parent.restat(), null);
            }
        });
    }

    private static Gfid newGfid(Loc loc) {
        if (loc.gfid() != null && !loc.gfid().isNull()) return loc.gfid();
        Gfid g = Gfid.random();
        LOG.debug("no gfid requested for {}; using {}", loc, g);
        return g;
    }

    /** New objects in a set-group-id directory take the directory's group, as the kernel does. */
    private static int gidFor(Caller c, StatBuf parent) {
        return (parent.mode & 02000) != 0 ? parent.gid : c.gid();
    }

    /** The permission bits a new object should end up with; directories inherit set-group-id. */
    private static int wanted(int perm, StatBuf st, StatBuf parent) {
        int w = perm & FileType.PERM_MASK;
        if (st.isDir() && (parent.mode & 02000) != 0) w |= 02000;
        return w;
    }

    private static int perm(int mode, int umask) {
        return mode & ~umask & FileType.PERM_MASK;
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        return makeEntry("mkdir", c, loc, perm(mode, umask),
                (p, n, perm) -> Sys.check(Sys.C.mkdirat(p, Sys.cstr(n), perm), "mkdir " + n));
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        int type = mode & FileType.S_IFMT;
        if (type == FileType.S_IFDIR || type == FileType.S_IFLNK) {
            return CompletableFuture.failedFuture(Errno.EINVAL.exception("mknod cannot make "
                    + (type == FileType.S_IFDIR ? "directories (use mkdir)" : "symlinks (use symlink)")));
        }
        int t = type == 0 ? FileType.S_IFREG : type;
        return makeEntry("mknod", c, loc, perm(mode, umask),
                (p, n, perm) -> Sys.check(Sys.C.mknodat(p, Sys.cstr(n), t | perm, rdev), "mknod " + n));
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return makeEntry("symlink", c, loc, 0777, (p, n, perm) -> Sys.check(
                Sys.C.symlinkat(Sys.cstr(Names.checkSymlinkTarget(target)), p, Sys.cstr(n)), "symlink " + n));
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return run("create", loc, () -> {
            String name = Names.check(loc.name());
            Gfid gfid = newGfid(loc);
            int perm = perm(mode, umask);
            try (Obj parent = store.locateDir(loc.parent())) {
                BrickStore.checkVisible(parent, name, Errno.EPERM);
                Iatt pre = parent.iatt();
                int oflags = flagsForOpen(flags) | Sys.O_CLOEXEC;
                int nfd = Sys.C.openat(parent.dirFd, Sys.cstr(name), oflags | Sys.O_CREAT | Sys.O_EXCL, perm);
                if (nfd < 0) {
                    if (Sys.errno() != Errno.EEXIST.code || (flags & Sys.O_EXCL) != 0) throw Sys.fail("create " + name);
                    // Plain O_CREAT on an existing name opens it, keeping its own gfid.
                    Obj existing = store.locateEntry(parent, name);
                    if (existing.isDir()) throw Errno.EISDIR.exception(loc.toString());
                    nfd = Sys.openat(parent.dirFd, name, flagsForOpen(flags), 0);
                    gfid = existing.gfid;
                } else {
                    try {
                        Sys.check(Sys.C.fsetxattr(nfd, Sys.cstr(BrickStore.GFID_XATTR), gfid.toBytes(), 16,
                                Sys.XATTR_CREATE), "set gfid");
                        Sys.check(Sys.C.fchown(nfd, c.uid(), gidFor(c, parent.stat)), "chown");
                        StatBuf st = Sys.fstat(nfd);
                        if ((st.mode & FileType.PERM_MASK) != perm) Sys.check(Sys.C.fchmod(nfd, perm), "chmod");
                        store.linkHandle(parent.dirFd, name, gfid, st);
                    } catch (RuntimeException e) {
                        Sys.C.unlinkat(parent.dirFd, Sys.cstr(name), 0);
                        Sys.closeQuietly(nfd);
                        throw e;
                    }
                }
                OpenFile of = new OpenFile(nfd, gfid, null);
                store.opened(gfid);
                attach(fd, of);
                return new EntryReply(fstat(of), pre, parent.restat(), null);
            }
        });
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return run("link", newLoc, () -> {
            String name = Names.check(newLoc.name());
            Gfid gfid;
            try (Obj src = store.resolve(oldLoc)) {
                if (src.isDir()) throw Errno.EPERM.exception("hard links to directories are not allowed");
                gfid = src.gfid;
            }
            try (Obj parent = store.locateDir(newLoc.parent())) {
                BrickStore.checkVisible(parent, name, Errno.EPERM);
                Iatt pre = parent.iatt();
                synchronized (store.lockFor(gfid)) {
                    store.reviveIfUnlinked(gfid);
                    try (Obj src = store.locate(gfid)) {
                        Sys.check(Sys.C.linkat(src.dirFd, Sys.cstr(src.name), parent.dirFd, Sys.cstr(name), 0),
                                "link " + name);
                    }
                }
                Iatt attr = Sys.fstatat(parent.dirFd, name).toIatt(gfid);
                return new EntryReply(attr, pre, parent.restat(), null);
            }
        });
    }

    // ---- removing and renaming ----

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return run("unlink", loc, () -> {
            String name = Names.check(loc.name());
            try (Obj parent = store.locateDir(loc.parent())) {
                BrickStore.checkVisible(parent, name, Errno.EPERM);
                Obj e = store.locateEntry(parent, name);
                if (e.isDir()) throw Errno.EISDIR.exception(loc + " is a directory (use rmdir)");
                Iatt pre = parent.iatt();
                synchronized (store.lockFor(e.gfid)) {
                    Sys.check(Sys.C.unlinkat(parent.dirFd, Sys.cstr(name), 0), "unlink " + name);
                    store.dropHandleIfOrphan(e.gfid);
                }
                return new ParentReply(pre, parent.restat(), null);
            }
        });
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return run("rmdir", loc, () -> {
            String name = Names.check(loc.name());
            try (Obj parent = store.locateDir(loc.parent())) {
                BrickStore.checkVisible(parent, name, Errno.EPERM);
                Obj e = store.locateEntry(parent, name);
                if (!e.isDir()) throw Errno.ENOTDIR.exception(loc + " is not a directory");
                Iatt pre = parent.iatt();
                Sys.check(Sys.C.unlinkat(parent.dirFd, Sys.cstr(name), Sys.AT_REMOVEDIR), "rmdir " + name);
                store.dropDirHandle(e.gfid);
                return new ParentReply(pre, parent.restat(), null);
            }
        });
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        CompletableFuture<RenameReply> shared = run("rename", oldLoc, () -> renameLocked(oldLoc, newLoc, false));
        if (shared.isCompletedExceptionally() || shared.join() != null) return shared;
        // A directory is moving: its descendants' paths change, so nothing may resolve meanwhile.
        return run("rename", oldLoc, store.namespace.writeLock(), () -> renameLocked(oldLoc, newLoc, true));
    }

    /** Returns null, without changing anything, when a directory must be renamed under the exclusive lock. */
    private RenameReply renameLocked(Loc oldLoc, Loc newLoc, boolean exclusive) {
        String oldName = Names.check(oldLoc.name());
        String newName = Names.check(newLoc.name());
        try (Obj op = store.locateDir(oldLoc.parent()); Obj np = store.locateDir(newLoc.parent())) {
            BrickStore.checkVisible(op, oldName, Errno.EPERM);
            BrickStore.checkVisible(np, newName, Errno.EPERM);
            Obj src = store.locateEntry(op, oldName);
            if (src.isDir() && !exclusive) return null;
            Obj victim = store.findEntry(np, newName);
            Iatt preOld = op.iatt(), preNew = np.iatt();
            if (victim != null && victim.stat.sameFile(src.stat)) {
                // rename(2) between two names of one file does nothing.
                return new RenameReply(src.iatt(), preOld, preOld, preNew, preNew, null);
            }
            Sys.check(Sys.C.renameat(op.dirFd, Sys.cstr(oldName), np.dirFd, Sys.cstr(newName)), "rename " + oldName);
            if (src.isDir()) store.setDirHandle(src.gfid, np.gfid, newName);
            if (victim != null) {
                if (victim.isDir()) {
                    store.dropDirHandle(victim.gfid);
                } else {
                    synchronized (store.lockFor(victim.gfid)) {
                        store.dropHandleIfOrphan(victim.gfid);
                    }
                }
            }
            Iatt attr = Sys.fstatat(np.dirFd, newName).toIatt(src.gfid);
            return new RenameReply(attr, preOld, op.restat(), preNew, np.restat(), null);
        }
    }

    // ---- open files and data ----

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return run("open", loc, () -> {
            try (Obj o = store.resolve(loc)) {
                if (o.isDir()) {
                    if ((flags & Sys.O_ACCMODE) != Sys.O_RDONLY) throw Errno.EISDIR.exception(loc.toString());
                    attach(fd, openDirStream(o));
                    return Done.OK;
                }
                if (!o.stat.isRegular()) {
                    throw Errno.EINVAL.exception(loc + " is not a regular file; special files are opened by the client's kernel");
                }
                int nfd = Sys.openat(o.dirFd, o.name, flagsForOpen(flags), 0);
                store.opened(o.gfid);
                attach(fd, new OpenFile(nfd, o.gfid, null));
                return Done.OK;
            }
        });
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        return run("readv", fd, () -> {
            if (size < 0 || offset < 0) throw Errno.EINVAL.exception("size " + size + ", offset " + offset);
            OpenFile of = file(fd);
            int want = Math.min(size, MAX_READ);
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(want, 1));
            try {
                int got = NativeIo.pread(of.fd, buf, want, offset);
                buf.writerIndex(got);
                return new ReadReply(buf, fstat(of), null);
            } catch (RuntimeException e) {
                buf.release();
                throw e;
            }
        });
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        try {
            return run("writev", fd, () -> {
                if (offset < 0) throw Errno.EINVAL.exception("negative offset " + offset);
                OpenFile of = file(fd);
                Iatt pre = fstat(of);
                NativeIo.pwriteAll(of.fd, data, offset);
                return new ChangeReply(pre, fstat(of), null);
            });
        } finally {
            data.release();
        }
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return CompletableFuture.completedFuture(Done.OK);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return run("fsync", fd, () -> {
            OpenFile of = openFile(fd);
            Iatt pre = fstat(of);
            Sys.check(datasync ? Sys.C.fdatasync(of.fd) : Sys.C.fsync(of.fd), "fsync");
            return new ChangeReply(pre, fstat(of), null);
        });
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return run("fallocate", fd, () -> allocate(file(fd), mode, offset, len));
    }

    private static ChangeReply allocate(OpenFile of, int mode, long offset, long len) {
        if (offset < 0 || len <= 0) throw Errno.EINVAL.exception("offset " + offset + ", length " + len);
        Iatt pre = fstat(of);
        Sys.check(Sys.C.fallocate(of.fd, mode, offset, len), "fallocate");
        return new ChangeReply(pre, fstat(of), null);
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        return run("discard", fd, () -> allocate(file(fd), Sys.FALLOC_FL_PUNCH_HOLE | Sys.FALLOC_FL_KEEP_SIZE,
                offset, len));
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return run("zerofill", fd, () -> {
            OpenFile of = file(fd);
            if (offset < 0 || len <= 0) throw Errno.EINVAL.exception("offset " + offset + ", length " + len);
            Iatt pre = fstat(of);
            if (Sys.C.fallocate(of.fd, Sys.FALLOC_FL_ZERO_RANGE, offset, len) < 0) {
                int e = Sys.errno();
                if (e != EOPNOTSUPP) throw Errno.of(e).exception("zerofill");
                NativeIo.writeZeros(of.fd, offset, len);
            }
            return new ChangeReply(pre, fstat(of), null);
        });
    }

    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        return run("seek", fd, () -> {
            if (what != SEEK_DATA && what != SEEK_HOLE) {
                throw Errno.EINVAL.exception("seek whence " + what + "; use SEEK_DATA 3 or SEEK_HOLE 4");
            }
            return new SeekReply(Sys.check(Sys.C.lseek(file(fd).fd, offset, what), "seek"), null);
        });
    }

    /**
     * Byte-range locks with Linux open-file-description locks on this fd. They conflict per fd,
     * not per lock owner, and F_SETLKW does not wait (EAGAIN): waiting and owner semantics belong
     * to features/locks, which normally sits above storage/posix.
     */
    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return run("lk", fd, () -> {
            OpenFile of = file(fd);
            int ofdCmd = switch (cmd) {
                case Flock.F_GETLK -> Sys.F_OFD_GETLK;
                case Flock.F_SETLK, Flock.F_SETLKW -> Sys.F_OFD_SETLK;
                default -> throw Errno.EINVAL.exception("lk command " + cmd);
            };
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putShort(0, (short) lock.type()).putShort(2, (short) lock.whence())
                    .putLong(8, lock.start()).putLong(16, lock.len()).putInt(24, 0);
            byte[] raw = b.array();
            Sys.check(Sys.C.fcntl(of.fd, ofdCmd, raw), "lk");
            if (ofdCmd != Sys.F_OFD_GETLK) return new LkReply(lock, null);
            java.nio.ByteBuffer r = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return new LkReply(new Flock(r.getShort(0), r.getShort(2), r.getLong(8), r.getLong(16), r.getInt(24),
                    lock.owner()), null);
        });
    }

    // ---- directories ----

    private OpenFile openDirStream(Obj o) {
        int nfd = Sys.openat(o.dirFd, o.name, Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
        jnr.ffi.Pointer dir = Sys.C.fdopendir(nfd);
        if (dir == null) {
            FopException e = Sys.fail("opendir");
            Sys.closeQuietly(nfd);
            throw e;
        }
        return new OpenFile(nfd, o.gfid, dir);
    }

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return run("opendir", loc, () -> {
            try (Obj o = store.resolve(loc)) {
                if (!o.isDir()) throw Errno.ENOTDIR.exception(loc.toString());
                attach(fd, openDirStream(o));
                return Done.OK;
            }
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        return run("readdir", fd, () -> new ReaddirReply(new DirReader(store, dir(fd), false).read(size, offset), null));
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return run("readdirp", fd, () -> new ReaddirReply(new DirReader(store, dir(fd), true).read(size, offset), null));
    }

    @Override
    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        return run("fsyncdir", fd, () -> {
            Sys.check(Sys.C.fsync(dir(fd).fd), "fsyncdir");
            return Done.OK;
        });
    }

    // ---- extended attributes ----

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return run("getxattr", loc, () -> {
            try (Obj o = store.resolve(loc)) {
                String path = o.procPath();
                if (name != null) return single(name, Sys.lgetxattr(path, name));
                Map<String, byte[]> all = new LinkedHashMap<>();
                for (String n : Sys.llistxattr(path)) {
                    if (hidden(n)) continue;
                    byte[] v = Sys.lgetxattr(path, n);
                    if (v != null) all.put(n, v);
                }
                return new XattrReply(all, null);
            }
        });
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        return run("fgetxattr", fd, () -> {
            OpenFile of = openFile(fd);
            if (name != null) return single(name, Sys.fgetxattr(of.fd, name));
            Map<String, byte[]> all = new LinkedHashMap<>();
            for (String n : Sys.flistxattr(of.fd)) {
                if (hidden(n)) continue;
                byte[] v = Sys.fgetxattr(of.fd, n);
                if (v != null) all.put(n, v);
            }
            return new XattrReply(all, null);
        });
    }

    private static XattrReply single(String name, byte[] value) {
        if (value == null) throw Errno.ENODATA.exception(name);
        return new XattrReply(Map.of(name, value), null);
    }

    /** The brick's own identity xattr is not part of a file's visible attributes. */
    private static boolean hidden(String name) {
        return BrickStore.GFID_XATTR.equals(name);
    }

    private static void checkSettable(Map<String, byte[]> values, int flags) {
        if ((flags & ~(Sys.XATTR_CREATE | Sys.XATTR_REPLACE)) != 0) {
            throw Errno.EINVAL.exception("setxattr flags " + flags + "; use 0, XATTR_CREATE 1 or XATTR_REPLACE 2");
        }
        for (String n : values.keySet()) {
            if (n == null || n.isEmpty()) throw Errno.EINVAL.exception("empty xattr name");
            if (hidden(n)) throw Errno.EPERM.exception(n + " is maintained by the brick");
        }
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return run("setxattr", loc, () -> {
            checkSettable(values, flags);
            try (Obj o = store.resolve(loc)) {
                byte[] path = Sys.cstr(o.procPath());
                values.forEach((n, v) -> {
                    byte[] val = v == null ? new byte[0] : v;
                    Sys.check(Sys.C.lsetxattr(path, Sys.cstr(n), val, val.length, flags), "setxattr " + n);
                });
                return Done.OK;
            }
        });
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        return run("fsetxattr", fd, () -> {
            checkSettable(values, flags);
            OpenFile of = openFile(fd);
            values.forEach((n, v) -> {
                byte[] val = v == null ? new byte[0] : v;
                Sys.check(Sys.C.fsetxattr(of.fd, Sys.cstr(n), val, val.length, flags), "setxattr " + n);
            });
            return Done.OK;
        });
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return run("removexattr", loc, () -> {
            checkSettable(Map.of(name == null ? "" : name, new byte[0]), 0);
            try (Obj o = store.resolve(loc)) {
                Sys.check(Sys.C.lremovexattr(Sys.cstr(o.procPath()), Sys.cstr(name)), "removexattr " + name);
                return Done.OK;
            }
        });
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        return run("fremovexattr", fd, () -> {
            checkSettable(Map.of(name == null ? "" : name, new byte[0]), 0);
            Sys.check(Sys.C.fremovexattr(openFile(fd).fd, Sys.cstr(name)), "removexattr " + name);
            return Done.OK;
        });
    }

    // ---- callbacks ----

    @Override
    public void release(Fd fd) {
        OpenFile of = fd.takeCtx(this);
        if (of != null) closeOpenFile(of);
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
