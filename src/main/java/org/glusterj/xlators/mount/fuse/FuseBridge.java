package org.glusterj.xlators.mount.fuse;

import static org.glusterj.core.OpenFlags.O_CREAT;
import static org.glusterj.core.OpenFlags.O_EXCL;
import static org.glusterj.core.OpenFlags.O_TRUNC;

import com.kenai.jffi.MemoryIO;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FdTable;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.InodeTable;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Statvfs;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.xlators.features.locks.LocksXlator;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * mount/fuse: turns libfuse's high-level (path based) callbacks into fops wound into the graph.
 *
 * <p>Paths are resolved through the client {@link InodeTable}, with a lookup only for components
 * not cached or expired; {@code getattr}, which is how the kernel's LOOKUP reaches a high-level
 * filesystem, always revalidates the last component with a named lookup, so renames and removals
 * by other clients are noticed. A fop by gfid that answers ESTALE is retried once after resolving
 * the path afresh. File handles map to {@link Fd}s through an {@link FdTable}.
 *
 * <p>Callbacks run on libfuse's threads and block on the fop's future; that is the one place in
 * the client allowed to wait. Every callback catches everything: jnr-fuse would turn an escaping
 * exception into success (reference/jnr-fuse.md §5).
 *
 * <p>umask: the kernel applies the caller's umask to the mode of create/mkdir/mknod itself,
 * because libfuse 2.9's high-level API never asks for FUSE_CAP_DONT_MASK; the mode we get is
 * final, so the fops carry umask 0.
 *
 * <p>Where libfuse's path API falls short of a local filesystem: an open file that loses its last
 * name is kept under a client-only hidden name ({@link HiddenFiles}), FUSE_LSEEK is answered from
 * the raw request ({@link LseekRequests}), and after a change through one name of a hard link the
 * kernel drops the cached attributes of its other names ({@link KernelInodes}).
 */
public class FuseBridge extends FuseStubFS {
    private static final Logger log = LoggerFactory.getLogger(FuseBridge.class);

    /** Asked of readdirp per call; libfuse buffers the whole listing anyway. */
    static final int READDIR_CHUNK = 128 * 1024;
    /** A fop that has not answered by then will not (GlusterFS's frame-timeout is 1800 s). */
    static final Duration FOP_WAIT_LIMIT = Duration.ofMinutes(30);
    /** How often a thread waiting in F_SETLKW checks for a FUSE interrupt. */
    static final Duration LOCK_INTERRUPT_POLL = Duration.ofMillis(100);
    /** How often an interrupted F_SETLKW that is still waiting asks the bricks again to withdraw it. */
    static final Duration LOCK_WITHDRAW_RETRY = Duration.ofSeconds(1);
    /** Puts an lk in the bricks' flock domain (features/locks). */
    private static final Xdata FLOCK_DOMAIN = Xdata.of(LocksXlator.FLOCK_KEY, new byte[0]);

    // struct fuse_operations (libfuse 2.9) has 38 function pointers, then a bitfield that
    // jnr-fuse only declares as padding: bit 0 flag_nullpath_ok, bit 2 flag_utime_omit_ok.
    private static final int OPS_FLAGS_OFFSET = 304;
    private static final int FLAG_NULLPATH_OK = 0x1;
    private static final int FLAG_UTIME_OMIT_OK = 0x4;

    private static final Xdata KILL_SETID = Xdata.of(PosixXlator.KILL_SETID_KEY, new byte[0]);
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int LOCK_UN = 8;

    /**
     * Mount option (GlusterFS's fuse name) for the Java threads that read and serve FUSE requests;
     * more are started while all are busy, so this is the number kept ready.
     */
    static final String READER_THREAD_COUNT = "reader-thread-count";
    static final int DEFAULT_READER_THREADS = 4;
    static final int MAX_READER_THREADS = 64;
    private static volatile LibFuseSession libFuseSession;

    private static final Runtime RUNTIME = Runtime.getSystemRuntime();
    private static final int FILE_STAT_SIZE = Struct.size(new FileStat(RUNTIME));

    /**
     * What the mount itself needs; everything else is the graph's business.
     *
     * @param volumeName   shown as fsname=glusterj:NAME in /proc/mounts
     * @param entryTimeout how long the kernel and the inode table trust a name
     * @param attrTimeout  how long the kernel trusts attributes
     * @param extraOptions extra -o options (comma separated, may be null), applied after the defaults
     * @param debug        libfuse's -d: every request traced on stderr
     */
    public record Settings(String volumeName, Duration entryTimeout, Duration attrTimeout, String extraOptions,
                           boolean debug) {
        public Settings {
            if (volumeName == null || volumeName.isBlank() || volumeName.matches(".*[\\s,=].*")) {
                throw new IllegalArgumentException("volume name must be non-empty without spaces, ',' or '=', got \""
                        + volumeName + "\"");
            }
            requireNonNegative("entry timeout", entryTimeout);
            requireNonNegative("attribute timeout", attrTimeout);
        }

        /** GlusterFS fuse's defaults: 1 s entry and attribute timeouts. */
        public static Settings defaults(String volumeName) {
            return new Settings(volumeName, InodeTable.DEFAULT_ENTRY_TIMEOUT, Duration.ofSeconds(1), null, false);
        }

        private static void requireNonNegative(String what, Duration d) {
            if (d == null || d.isNegative()) throw new IllegalArgumentException(what + " must be zero or more, got " + d);
        }
    }

    private final Xlator top;
    private final Settings settings;
    private final InodeTable inodes;
    private final FdTable fds = new FdTable();
    /** Fds a GETATTR without a handle borrowed from their own requests: their release waits for them. */
    private final FdLoans loans = new FdLoans();
    /** Files on which this mount ever took a lock: only those need an unlock at close. */
    private final java.util.Set<Gfid> lockedFiles = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final CallerSource callers;
    private final HiddenFiles hidden = new HiddenFiles();
    private final KernelInodes kernelInodes = new KernelInodes();
    private final CompletableFuture<Void> mountedFuture = new CompletableFuture<>();
    private volatile Path mountpoint;

    public FuseBridge(Xlator top, Settings settings) {
        this(top, settings, null, null);
    }

    /** For tests: a given inode table and caller source (there is no FUSE request context outside a mount). */
    FuseBridge(Xlator top, Settings settings, InodeTable inodes, CallerSource callers) {
        if (top == null) throw new IllegalArgumentException("the graph's top xlator must not be null");
        if (settings == null) throw new IllegalArgumentException("settings must not be null");
        this.top = top;
        this.settings = settings;
        this.inodes = inodes != null ? inodes : new InodeTable(settings.entryTimeout(), top::forget);
        this.callers = callers != null ? callers : new ContextCallers();
        Pointer ops = Struct.getMemory(fuseOperations);
        ops.putByte(OPS_FLAGS_OFFSET, (byte) (ops.getByte(OPS_FLAGS_OFFSET) | FLAG_NULLPATH_OK | FLAG_UTIME_OMIT_OK));
    }

    public InodeTable inodeTable() {
        return inodes;
    }

    public FdTable fdTable() {
        return fds;
    }

    // ---- mount lifecycle ----

    /**
     * Mounts and serves until unmounted (blocks). Default options are documented in
     * {@link MountOptions#defaults}; {@code extraFuseArgs} (e.g. {@code {"-o", "ro"}}) come last and win.
     *
     * @throws MountException with a one-line reason if the mount cannot be made
     */
    public void mount(Path mountpoint, String[] extraFuseArgs) {
        try {
            serve(Mountpoints.prepare(mountpoint), mountOptions(settings, extraFuseArgs));
        } catch (RuntimeException | Error e) {
            mountedFuture.completeExceptionally(e);
            throw e;
        } finally {
            mountedFuture.completeExceptionally(new MountException("the mount at " + mountpoint + " ended"));
        }
    }

    private void serve(Path mp, MountOptions opts) {
        if (opts.has("allow_other") && !Mountpoints.allowOtherPermitted()) {
            log.warn("not root and /etc/fuse.conf lacks user_allow_other: mounting without allow_other, "
                    + "so only this user can use {}", mp);
            opts.remove("allow_other");
        }
        int readerThreads = readerThreadCount(opts);
        if (!mounted.compareAndSet(false, true)) {
            throw new MountException("this client is already mounted at " + mountpoint + "; unmount it first");
        }
        this.mountpoint = mp;
        this.mountPoint = mp; // jnr-fuse's umount() uses its own field
        log.info("mounting volume {} at {} (-o {}, {} reader threads)", settings.volumeName(), mp, opts.optionString(),
                readerThreads);
        // Unmounts if the JVM exits without unmount(), as jnr-fuse's own mount() arranges.
        Thread unmountAtExit = new Thread(this::unmount, "glusterj-unmount-at-exit");
        java.lang.Runtime.getRuntime().addShutdownHook(unmountAtExit);
        FuseSessionLoop.End end;
        try {
            end = FuseSessionLoop.run(libFuseSession(), Struct.getMemory(fuseOperations), Struct.size(fuseOperations),
                    fuseArgv(mp, opts), readerThreads, () -> Mountpoints.lazyUnmount(mp), this::seek,
                    kernelInodes);
        } finally {
            mounted.set(false);
            try {
                java.lang.Runtime.getRuntime().removeShutdownHook(unmountAtExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
        if (end == FuseSessionLoop.End.SETUP_FAILED) {
            throw new MountException("mount of " + mp + " failed (libfuse printed its reason on stderr, e.g. an "
                    + "unknown option or a mountpoint in use)");
        }
        if (end == FuseSessionLoop.End.FAILED) {
            throw new MountException("serving the mount at " + mp + " failed; it was unmounted (see the log)");
        }
        log.info("unmounted {}", mp);
    }

    /** What fuse_main would get: program name, foreground, [debug,] mountpoint, options. */
    private String[] fuseArgv(Path mp, MountOptions opts) {
        List<String> argv = new java.util.ArrayList<>(List.of("glusterj", "-f"));
        if (settings.debug()) argv.add("-d");
        argv.add(mp.toString());
        argv.addAll(Arrays.asList(opts.toArgs()));
        return argv.toArray(String[]::new);
    }

    /** Takes our own reader-thread-count option out of what libfuse sees (it would reject it). */
    static int readerThreadCount(MountOptions opts) {
        String v = opts.get(READER_THREAD_COUNT);
        if (!opts.has(READER_THREAD_COUNT)) return DEFAULT_READER_THREADS;
        opts.remove(READER_THREAD_COUNT);
        int n;
        try {
            n = Integer.parseInt(v == null ? "" : v.trim());
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > MAX_READER_THREADS) {
            throw new MountException("bad mount options: " + READER_THREAD_COUNT + " must be a whole number from 1 to "
                    + MAX_READER_THREADS + ", got \"" + v + "\"");
        }
        return n;
    }

    private static LibFuseSession libFuseSession() {
        LibFuseSession lib = libFuseSession;
        if (lib == null) {
            synchronized (FuseBridge.class) {
                if (libFuseSession == null) libFuseSession = LibFuseSession.load();
                lib = libFuseSession;
            }
        }
        return lib;
    }

    static MountOptions mountOptions(Settings settings, String[] extraFuseArgs) {
        try {
            return MountOptions.defaults(settings).addArgs(extraFuseArgs);
        } catch (IllegalArgumentException e) {
            throw new MountException("bad mount options: " + e.getMessage());
        }
    }

    /** Completes once the kernel has connected (libfuse's init), i.e. the mount is usable. */
    public CompletableFuture<Void> whenMounted() {
        return mountedFuture;
    }

    /** Detaches the mount (lazily, so busy files do not block it); {@link #mount} then returns. */
    public void unmount() {
        Path mp = mountpoint;
        if (mp == null || !mounted.get()) return;
        if (!Mountpoints.lazyUnmount(mp)) log.warn("could not unmount {}; try fusermount -u -z {}", mp, mp);
        mounted.set(false);
    }

    @Override
    public Pointer init(Pointer conn) {
        mountedFuture.complete(null);
        return null;
    }

    @Override
    public void destroy(Pointer initResult) {
        try {
            // The kernel is gone: whatever is still open will never be released by it.
            for (Fd fd : fds.drain()) {
                if (loans.releasing(fd)) closeFd(fd);
            }
            for (Inode i : hidden.drain()) inodes.unref(i);
        } catch (Throwable t) {
            log.error("releasing open files at unmount failed", t);
        }
    }

    // ---- entries and attributes ----

    @Override
    public int getattr(String path, FileStat stat) {
        return call("getattr", path, () -> {
            Caller c = callers.current();
            Inode hiddenFile = hidden.get(path);
            if (hiddenFile != null) {
                fillStat(stat, await(top.stat(c, Loc.of(hiddenFile.gfid(), path), Xdata.EMPTY)).attr());
                return 0;
            }
            Iatt attr;
            try {
                attr = retryStale(path, fresh -> {
                    if (isRoot(path)) return await(top.stat(c, Loc.root(), Xdata.EMPTY)).attr();
                    ParentEntry pe = resolveParent(c, path, fresh);
                    return lookupEntry(c, pe.parent(), pe.name(), path).attr();
                });
            } catch (FopException e) {
                // fstat(2) reaches us as a GETATTR of the open file's node without its handle, which
                // libfuse turns into this path. If another client removed or renamed the name away,
                // the open file still exists, as on a local filesystem: answer for it.
                Fd open = isGone(e) ? borrowOpenFdOfServedNode() : null;
                if (open == null) throw e;
                try {
                    attr = await(top.fstat(c, open, Xdata.EMPTY)).attr();
                } finally {
                    giveBack(open);
                }
            }
            kernelInodes.seen(attr.gfid());
            fillStat(stat, attr);
            return 0;
        });
    }

    /**
     * An fd this mount holds on the file of the node a GETATTR being served asks about, or null.
     * It may be another request's, whose release can come at any moment: it is lent, and must be
     * given back with {@link #giveBack}.
     */
    private Fd borrowOpenFdOfServedNode() {
        Gfid file = kernelInodes.fileOfServedGetattr();
        if (file == null) return null;
        return loans.borrow(fds, fd -> fd.gfid().equals(file));
    }

    /** Ends a loan; does the fd's release if it came meanwhile. */
    private void giveBack(Fd fd) {
        if (loans.giveBack(fd)) closeFd(fd);
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        Fd fd = fds.find(fi.fh.get());
        if (fd == null) return path == null ? -Errno.EBADF.code : getattr(path, stat);
        return call("fgetattr", path, () -> {
            kernelInodes.seen(fd.gfid());
            fillStat(stat, await(top.fstat(callers.current(), fd, Xdata.EMPTY)).attr());
            return 0;
        });
    }

    @Override
    public int readlink(String path, Pointer buf, long size) {
        return call("readlink", path, () -> {
            if (size <= 0) throw Errno.EINVAL.exception("readlink buffer of size " + size);
            Caller c = callers.current();
            String target = retryStale(path, fresh ->
                    await(top.readlink(c, resolve(c, path, fresh).loc(), (int) Math.min(size, Integer.MAX_VALUE),
                            Xdata.EMPTY)).target());
            byte[] bytes = target.getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(bytes.length, size - 1); // the kernel wants it NUL-terminated, truncated if need be
            buf.put(0, bytes, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return call("mknod", path, () -> createEntry(path, (c, loc) ->
                top.mknod(c, loc, (int) mode, rdev, 0, Xdata.EMPTY)));
    }

    @Override
    public int mkdir(String path, long mode) {
        int dirMode = FileType.S_IFDIR | ((int) mode & FileType.PERM_MASK);
        return call("mkdir", path, () -> createEntry(path, (c, loc) -> top.mkdir(c, loc, dirMode, 0, Xdata.EMPTY)));
    }

    @Override
    public int symlink(String target, String path) {
        return call("symlink", path, () -> createEntry(path, (c, loc) -> top.symlink(c, target, loc, 0, Xdata.EMPTY)));
    }

    @FunctionalInterface
    private interface EntryFop {
        CompletableFuture<EntryReply> wind(Caller c, Loc newLoc);
    }

    /** mknod, mkdir, symlink: a new entry whose gfid we choose, linked from the reply. */
    private int createEntry(String path, EntryFop fop) {
        Caller c = callers.current();
        Gfid gfid = Gfid.random();
        retryStale(path, fresh -> {
            ParentEntry pe = resolveParent(c, path, fresh);
            EntryReply r = await(fop.wind(c, pe.newLoc(gfid)));
            return inodes.link(pe.parent().gfid(), pe.name(), r.attr());
        });
        return 0;
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, () -> {
            Inode wasHidden = hidden.remove(path);
            if (wasHidden == null) return removeEntry(path, false);
            // libfuse's last release of a hidden file: the bricks removed it when it was hidden.
            inodes.unref(wasHidden);
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, () -> removeEntry(path, true));
    }

    private int removeEntry(String path, boolean directory) {
        if (isRoot(path)) throw Errno.EBUSY.exception("cannot remove the root");
        Caller c = callers.current();
        retryStale(path, fresh -> {
            Target t = resolve(c, path, fresh);
            try {
                if (directory) await(top.rmdir(c, t.loc(), 0, Xdata.EMPTY));
                else await(top.unlink(c, t.loc(), 0, Xdata.EMPTY));
            } catch (FopException e) {
                if (e.errno() == Errno.ENOENT) inodes.unlink(t.parent(), t.name());
                throw e;
            }
            inodes.unlink(t.parent(), t.name());
            kernelInodes.changed(t.inode().gfid()); // nlink and ctime of its other names
            return null;
        });
        return 0;
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return call("rename", oldpath, () -> {
            Caller c = callers.current();
            if (HiddenFiles.isHiddenName(newpath) && hidden.get(oldpath) == null && hide(c, oldpath, newpath)) return 0;
            retryStale(oldpath, fresh -> {
                Target src = resolve(c, oldpath, fresh);
                ParentEntry dst = resolveParent(c, newpath, fresh);
                Inode victim = inodes.cached(dst.parent().gfid(), dst.name());
                Gfid replaced = victim != null && !victim.gfid().equals(src.inode().gfid()) ? victim.gfid() : null;
                Loc newLoc = Loc.entry(dst.parent().gfid(), dst.name(), newpath);
                // Named in newLoc, as xlators that drop what they hold for the file renamed over expect.
                if (replaced != null) newLoc = newLoc.withGfid(replaced);
                Iatt moved = await(top.rename(c, src.loc(), newLoc, Xdata.EMPTY)).attr();
                kernelInodes.changed(src.inode().gfid());
                if (replaced != null) kernelInodes.changed(replaced);
                inodes.rename(src.parent(), src.name(), dst.parent().gfid(), dst.name());
                if (moved != null && moved.gfid() != null) inodes.link(dst.parent().gfid(), dst.name(), moved);
                return null;
            });
            return 0;
        });
    }

    /**
     * libfuse hides an open file that loses its name by renaming it to a .fuse_hidden name (see
     * {@link HiddenFiles}): here that is an unlink on the bricks and a client-only name. False if
     * this is not such a file (a directory, or nothing open on it here): then it is an ordinary rename.
     */
    private boolean hide(Caller c, String oldpath, String newpath) {
        Target t;
        try {
            t = resolve(c, oldpath, false);
        } catch (FopException e) {
            if (!isGone(e)) throw e;
            return true; // another client removed the name first: nothing left to hide on the bricks
        }
        if (t.inode().isDirectory() || fds.openFds().stream().noneMatch(fd -> fd.gfid().equals(t.inode().gfid()))) {
            return false;
        }
        Inode held = inodes.ref(t.inode());
        try {
            retryStale(oldpath, fresh -> await(top.unlink(c, resolve(c, oldpath, fresh).loc(), 0, Xdata.EMPTY)));
        } catch (FopException e) {
            if (!isGone(e)) {
                inodes.unref(held);
                throw e;
            }
        } catch (RuntimeException | Error e) {
            inodes.unref(held);
            throw e;
        }
        inodes.unlink(t.parent(), t.name());
        hidden.add(newpath, held);
        return true;
    }

    private static boolean isGone(FopException e) {
        return e.errno() == Errno.ENOENT || e.errno() == Errno.ESTALE;
    }

    @Override
    public int link(String oldpath, String newpath) {
        return call("link", newpath, () -> {
            Caller c = callers.current();
            retryStale(oldpath, fresh -> {
                Target src = resolve(c, oldpath, fresh);
                ParentEntry dst = resolveParent(c, newpath, fresh);
                EntryReply r = await(top.link(c, src.loc(), dst.newLoc(src.inode().gfid()), Xdata.EMPTY));
                kernelInodes.changed(src.inode().gfid());
                return inodes.link(dst.parent().gfid(), dst.name(), r.attr());
            });
            return 0;
        });
    }

    @Override
    public int chmod(String path, long mode) {
        // The kernel sends the whole i_mode; only the permission bits are ours to change.
        return call("chmod", path, () -> setattr(path, SetAttr.mode((int) mode & FileType.PERM_MASK)));
    }

    @Override
    public int chown(String path, long uid, long gid) {
        // (uid_t) -1 means "leave unchanged"; it may arrive as 4294967295.
        return call("chown", path, () -> setattr(path, SetAttr.owner((int) uid, (int) gid)));
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return call("utimens", path, () -> {
            SetAttr times = SetAttr.times(timespec[0].tv_sec.get(), (int) timespec[0].tv_nsec.longValue(),
                    timespec[1].tv_sec.get(), (int) timespec[1].tv_nsec.longValue());
            return times.valid() == 0 ? 0 : setattr(path, times);
        });
    }

    private int setattr(String path, SetAttr attr) {
        Caller c = callers.current();
        Gfid changed = retryStale(path, fresh -> {
            Target t = resolve(c, path, fresh);
            kernelInodes.seen(t.inode().gfid());
            await(top.setattr(c, t.loc(), attr, Xdata.EMPTY));
            return t.inode().gfid();
        });
        kernelInodes.changed(changed);
        return 0;
    }

    @Override
    public int truncate(String path, long size) {
        return call("truncate", path, () -> {
            Caller c = callers.current();
            Gfid changed = retryStale(path, fresh -> {
                Target t = resolve(c, path, fresh);
                await(top.truncate(c, t.loc(), size, setIdKill()));
                return t.inode().gfid();
            });
            kernelInodes.changed(changed);
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return call("ftruncate", path, () -> {
            Fd fd = fds.get(fi.fh.get());
            kernelInodes.seen(fd.gfid());
            await(top.ftruncate(callers.current(), fd, size, setIdKill()));
            kernelInodes.changed(fd.gfid());
            return 0;
        });
    }

    @Override
    public int access(String path, int mask) {
        return call("access", path, () -> {
            Caller c = callers.current();
            retryStale(path, fresh -> await(top.access(c, resolve(c, path, fresh).loc(), mask, Xdata.EMPTY)));
            return 0;
        });
    }

    @Override
    public int statfs(String path, ru.serce.jnrfuse.struct.Statvfs stbuf) {
        return call("statfs", path, () -> {
            Statvfs s = await(top.statfs(callers.current(), Loc.root(), Xdata.EMPTY)).statvfs();
            stbuf.f_bsize.set(s.bsize());
            stbuf.f_frsize.set(s.frsize());
            stbuf.f_blocks.set(s.blocks());
            stbuf.f_bfree.set(s.bfree());
            stbuf.f_bavail.set(s.bavail());
            stbuf.f_files.set(s.files());
            stbuf.f_ffree.set(s.ffree());
            stbuf.f_favail.set(s.favail());
            stbuf.f_fsid.set(s.fsid());
            stbuf.f_flag.set(s.flag());
            stbuf.f_namemax.set(s.namemax());
            return 0;
        });
    }

    // ---- open files ----

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, () -> {
            Caller c = callers.current();
            int flags = fi.flags.get();
            Fd fd = retryStale(path, fresh -> {
                Target t = resolve(c, path, fresh);
                return openFd(t.inode(), flags, c, fdToOpen -> top.open(c, t.loc(), flags, fdToOpen, Xdata.EMPTY));
            });
            kernelInodes.seen(fd.gfid());
            if ((flags & O_TRUNC) != 0) kernelInodes.changed(fd.gfid());
            fi.fh.set(fds.add(fd));
            return 0;
        });
    }

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return call("opendir", path, () -> {
            Caller c = callers.current();
            int flags = fi.flags.get();
            Fd fd = retryStale(path, fresh -> {
                Target t = resolve(c, path, fresh);
                return openFd(t.inode(), flags, c, fdToOpen -> top.opendir(c, t.loc(), fdToOpen, Xdata.EMPTY));
            });
            fi.fh.set(fds.add(fd));
            return 0;
        });
    }

    /** Opens an fd on an inode, holding a table reference for as long as the fd lives. */
    private Fd openFd(Inode inode, int flags, Caller c, Function<Fd, CompletableFuture<?>> opener) {
        Inode held = inodes.ref(inode);
        Fd fd = new Fd(held, flags, c.pid());
        try {
            await(opener.apply(fd));
        } catch (RuntimeException | Error e) {
            inodes.unref(held);
            throw e;
        }
        return fd;
    }

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return call("create", path, () -> {
            Caller c = callers.current();
            int flags = fi.flags.get();
            int fileMode = FileType.S_IFREG | ((int) mode & FileType.PERM_MASK);
            Fd fd = retryStale(path, fresh -> {
                ParentEntry pe = resolveParent(c, path, fresh);
                Gfid gfid = Gfid.random();
                Loc loc = pe.newLoc(gfid);
                Inode held = inodes.ref(new Inode(gfid, FileType.S_IFREG));
                Fd created = new Fd(held, flags, c.pid());
                EntryReply r;
                try {
                    r = await(top.create(c, loc, flags, fileMode, 0, created, Xdata.EMPTY));
                } catch (RuntimeException | Error e) {
                    inodes.unref(held);
                    throw e;
                }
                Inode linked = inodes.link(pe.parent().gfid(), pe.name(), r.attr());
                if (linked == held) return created;
                // The bricks kept an existing file (a racing create without O_EXCL): our fd names
                // a gfid that does not exist, so open the file that does.
                log.debug("create {} found existing gfid {}; opening it instead", path, linked.gfid());
                closeFd(created);
                int openFlags = flags & ~(O_CREAT | O_EXCL);
                return openFd(linked, openFlags, c, fdToOpen -> top.open(c,
                        new Loc(linked.gfid(), pe.parent().gfid(), pe.name(), path), openFlags, fdToOpen, Xdata.EMPTY));
            });
            fi.fh.set(fds.add(fd));
            return 0;
        });
    }

    private void closeFd(Fd fd) {
        try {
            if (fd.inode().isDirectory()) top.releasedir(fd);
            else top.release(fd);
        } finally {
            inodes.unref(fd.inode());
        }
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("read", path, () -> {
            Fd fd = fds.get(fi.fh.get());
            int want = (int) Math.min(size, Integer.MAX_VALUE);
            ReadReply r = await(top.readv(callers.current(), fd, want, offset, 0, Xdata.EMPTY));
            ByteBuf data = r.data();
            if (data == null) return 0;
            try {
                int n = Math.min(data.readableBytes(), want);
                copyOut(data, buf, n);
                return n;
            } finally {
                data.release();
            }
        });
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("write", path, () -> {
            Fd fd = fds.get(fi.fh.get());
            int n = (int) size; // libfuse never passes more than max_write (1 MiB, LargeRequests)
            ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(n, n);
            CompletableFuture<?> done;
            try {
                copyIn(buf, data, n);
                done = top.writev(callers.current(), fd, data, offset, 0, setIdKill()); // takes ownership of data
            } catch (RuntimeException | Error e) {
                if (data.refCnt() > 0) data.release();
                throw e;
            }
            await(done);
            kernelInodes.seen(fd.gfid());
            kernelInodes.changed(fd.gfid()); // size, mtime and ctime as seen through its other names
            return n;
        });
    }

    /** Asks the bricks to clear set-id bits when the kernel asked us (see {@link SetIdKill}). */
    private static Xdata setIdKill() {
        return SetIdKill.asked() ? KILL_SETID : Xdata.EMPTY;
    }

    /** One copy from libfuse's buffer into a pooled direct buffer. */
    private static void copyIn(Pointer src, ByteBuf dst, int n) {
        if (n == 0) return;
        if (src.isDirect()) {
            dst.writeBytes(MemoryIO.getInstance().newDirectByteBuffer(src.address(), n));
        } else {
            byte[] tmp = new byte[n];
            src.get(0, tmp, 0, n);
            dst.writeBytes(tmp);
        }
    }

    /** One copy from the reply into libfuse's buffer. */
    private static void copyOut(ByteBuf src, Pointer dst, int n) {
        if (n == 0) return;
        if (dst.isDirect()) {
            ByteBuffer target = MemoryIO.getInstance().newDirectByteBuffer(dst.address(), n);
            src.getBytes(src.readerIndex(), target);
        } else {
            byte[] tmp = new byte[n];
            src.getBytes(src.readerIndex(), tmp);
            dst.put(0, tmp, 0, n);
        }
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return call("flush", path, () -> {
            Caller c = callers.current().withLkOwner(fi.lock_owner.get());
            await(top.flush(c, fds.get(fi.fh.get()), Xdata.EMPTY));
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return call("release", path, () -> {
            Fd fd = fds.remove(fi.fh.get());
            if (fd == null) throw Errno.EBADF.exception("release of unknown handle " + fi.fh.get());
            kernelInodes.seen(fd.gfid());
            if (loans.releasing(fd)) closeFd(fd); // else whoever borrowed it releases it when done
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return call("fsync", path, () -> {
            await(top.fsync(callers.current(), fds.get(fi.fh.get()), isdatasync != 0, Xdata.EMPTY));
            return 0;
        });
    }

    /**
     * SEEK_DATA/SEEK_HOLE on an open file (FUSE_LSEEK, answered outside libfuse: see
     * {@link LseekRequests}). The result offset, or -errno.
     */
    long seek(long fh, long offset, int whence, int uid, int gid, int pid) {
        try {
            Fd fd = fds.find(fh);
            if (fd == null) return -Errno.EBADF.code;
            Caller c = new Caller(uid, gid, new int[0], pid, 0L);
            return await(top.seek(c, fd, offset, whence, Xdata.EMPTY)).offset();
        } catch (Throwable t) {
            FopException fe = FopException.unwrap(t);
            if (fe != null) return -fe.errno().code;
            log.error("seek on handle {} failed unexpectedly; answering EIO", fh, t);
            return -Errno.EIO.code;
        }
    }

    @Override
    public int fallocate(String path, int mode, long off, long length, FuseFileInfo fi) {
        return call("fallocate", path, () -> {
            Fd fd = fds.get(fi.fh.get());
            await(top.fallocate(callers.current(), fd, mode, off, length, Xdata.EMPTY));
            kernelInodes.changed(fd.gfid());
            return 0;
        });
    }

    @Override
    public int lock(String path, FuseFileInfo fi, int cmd, ru.serce.jnrfuse.struct.Flock flock) {
        return call("lock", path, () -> {
            long owner = fi.lock_owner.get();
            // l_pid is the pid the kernel reports for this lock (the process's tgid): the bricks
            // give it to F_GETLK callers on every mount.
            Flock request = new Flock(flock.l_type.get(), flock.l_whence.get(), flock.l_start.get(),
                    flock.l_len.get(), flock.l_pid.intValue(), owner);
            Fd fd = fds.get(fi.fh.get());
            if (cmd != Flock.F_GETLK && !locksTaken(fd, request.type())) return 0;
            LkReply r = awaitLock(callers.current().withLkOwner(owner), fd, cmd, request, Xdata.EMPTY);
            if (cmd == Flock.F_GETLK) {
                Flock answer = r.flock();
                flock.l_type.set(answer.type());
                flock.l_whence.set(answer.whence());
                flock.l_start.set(answer.start());
                flock.l_len.set(answer.len());
                flock.l_pid.set(answer.pid());
            }
            return 0;
        });
    }

    /**
     * BSD flock as a whole-file lk owned by the open file (the kernel's lock_owner for flock), as
     * GlusterFS's fuse-bridge does, but in its own lock domain on the bricks: as on Linux, flock
     * and fcntl locks do not conflict with each other.
     */
    @Override
    public int flock(String path, FuseFileInfo fi, int op) {
        return call("flock", path, () -> {
            long owner = fi.lock_owner.get();
            Caller c = callers.current().withLkOwner(owner);
            int type = (op & LOCK_UN) != 0 ? Flock.F_UNLCK : (op & LOCK_EX) != 0 ? Flock.F_WRLCK : Flock.F_RDLCK;
            if ((op & (LOCK_SH | LOCK_EX | LOCK_UN)) == 0) throw Errno.EINVAL.exception("flock operation " + op);
            int cmd = (op & LOCK_NB) != 0 || type == Flock.F_UNLCK ? Flock.F_SETLK : Flock.F_SETLKW;
            Fd fd = fds.get(fi.fh.get());
            if (!locksTaken(fd, type)) return 0;
            awaitLock(c, fd, cmd, new Flock(type, 0, 0, 0, c.pid(), owner), FLOCK_DOMAIN);
            return 0;
        });
    }

    /**
     * Winds an lk and waits for it. F_SETLKW waits as long as another owner holds the lock, with
     * no time limit, but is withdrawn when the kernel interrupts the request (the blocked process
     * got a signal; libfuse's "intr" option makes fuse_interrupted() report it): the bricks then
     * drop the waiting request and the process sees EINTR, or the lock if it was granted first.
     */
    private LkReply awaitLock(Caller c, Fd fd, int cmd, Flock request, Xdata x) {
        CompletableFuture<LkReply> f = top.lk(c, fd, cmd, request, x);
        if (cmd != Flock.F_SETLKW) return await(f);
        long nextWithdrawal = System.nanoTime();
        while (true) {
            try {
                return f.get(LOCK_INTERRUPT_POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Repeated while the wait lasts: a withdrawal that overtook the request on the
                // brick's thread pool finds nothing to withdraw.
                if (System.nanoTime() - nextWithdrawal >= 0 && interruptedByKernel()) {
                    log.debug("lock wait of pid {} interrupted; withdrawing it", c.pid());
                    top.lk(c, fd, Flock.F_SETLK, request, x.with(LocksXlator.CANCEL_KEY, new byte[0]))
                            .whenComplete((r, err) -> {
                                if (err != null) log.debug("withdrawing a lock wait failed: {}", err.toString());
                            });
                    nextWithdrawal = System.nanoTime() + LOCK_WITHDRAW_RETRY.toNanos();
                }
            } catch (ExecutionException e) {
                throw failure(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Errno.EINTR.exception("interrupted while waiting for a lock");
            }
        }
    }

    /** Whether libfuse saw an INTERRUPT for the request this thread serves (only while mounted). */
    private boolean interruptedByKernel() {
        return mounted.get() && libFuseSession().fuse_interrupted() != 0;
    }

    /**
     * Whether a set-lock request must reach the bricks. libfuse unlocks after every flush (close),
     * and most files are never locked: an unlock where this mount never took a lock on the file
     * has nothing to release, since locks belong to their owner and so to this mount.
     */
    private boolean locksTaken(Fd fd, int type) {
        if (type != Flock.F_UNLCK) {
            lockedFiles.add(fd.gfid());
            return true;
        }
        return lockedFiles.contains(fd.gfid());
    }

    // ---- directories ----

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
        return call("readdir", path, () -> {
            Fd fd = fds.get(fi.fh.get());
            Caller c = callers.current();
            Gfid dir = fd.gfid();
            FileStat st = FileStat.of(Memory.allocateDirect(RUNTIME, FILE_STAT_SIZE, true));
            NameBuffer name = new NameBuffer();
            // Offset 0 for every entry: libfuse keeps the whole listing and serves later
            // READDIRs from it, so one upcall reads the directory to its end.
            fill(filler, buf, st, name, ".", FileType.S_IFDIR, dir.ino());
            fill(filler, buf, st, name, "..", FileType.S_IFDIR, parentIno(path, dir));
            long cookie = 0;
            while (true) {
                ReaddirReply r = await(top.readdirp(c, fd, READDIR_CHUNK, cookie, Xdata.EMPTY));
                List<Dirent> entries = r.entries();
                if (entries == null || entries.isEmpty()) break;
                long before = cookie;
                for (Dirent d : entries) {
                    cookie = d.offset();
                    if (".".equals(d.name()) || "..".equals(d.name())) continue;
                    int type;
                    long ino;
                    if (d.attr() != null && d.attr().gfid() != null && !d.attr().gfid().isNull()) {
                        inodes.link(dir, d.name(), d.attr());
                        type = d.attr().type();
                        ino = d.attr().ino();
                    } else {
                        type = d.type() << 12;
                        ino = d.ino();
                    }
                    if (fill(filler, buf, st, name, d.name(), type, ino) != 0) {
                        throw Errno.ENOMEM.exception("libfuse could not buffer the listing of " + path);
                    }
                }
                if (cookie == before) throw Errno.EIO.exception("readdirp of " + path + " did not advance past " + cookie);
            }
            return 0;
        });
    }

    /**
     * The inode number to show for "..": readdir does not ask the bricks for it, and 0 would make
     * glibc drop the entry. The root is its own parent; an unknown parent shows as the root.
     */
    private long parentIno(String path, Gfid dir) {
        if (dir.isRoot() || path == null) return Gfid.ROOT.ino();
        int slash = path.lastIndexOf('/');
        Inode parent = inodes.resolveCached(slash <= 0 ? "/" : path.substring(0, slash));
        return parent == null ? Gfid.ROOT.ino() : parent.gfid().ino();
    }

    private static int fill(FuseFillDir filler, Pointer buf, FileStat st, NameBuffer name, String entry, int type,
                            long ino) {
        st.st_mode.set(type);
        st.st_ino.set(ino);
        return filler.apply(buf, name.of(entry), Struct.getMemory(st), 0);
    }

    /**
     * One entry name at a time as the C filler expects it (NUL-terminated UTF-8), in a direct
     * buffer: jnr passes its address, where a heap buffer is copied to native memory and back on
     * every call, thousands of times per listing.
     */
    static final class NameBuffer {
        /** NAME_MAX bytes; a longer name (impossible on Linux) is refused by the filler's caller. */
        private static final int NAME_MAX = 255;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(NAME_MAX + 1);

        ByteBuffer of(String name) {
            buf.clear();
            int n = name.length();
            boolean ascii = n <= NAME_MAX;
            for (int i = 0; ascii && i < n; i++) {
                char ch = name.charAt(i);
                if (ch >= 0x80 || ch == 0) ascii = false;
                else buf.put((byte) ch);
            }
            if (!ascii) {
                buf.clear();
                byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
                if (utf8.length > NAME_MAX) {
                    throw Errno.ENAMETOOLONG.exception("directory entry name longer than " + NAME_MAX + " bytes: "
                            + name.substring(0, 32) + "...");
                }
                buf.put(utf8);
            }
            buf.put((byte) 0);
            return buf.flip();
        }
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        return call("releasedir", path, () -> {
            Fd fd = fds.remove(fi.fh.get());
            if (fd == null) throw Errno.EBADF.exception("releasedir of unknown handle " + fi.fh.get());
            if (loans.releasing(fd)) closeFd(fd); // else whoever borrowed it releases it when done
            return 0;
        });
    }

    @Override
    public int fsyncdir(String path, FuseFileInfo fi) {
        return call("fsyncdir", path, () -> {
            await(top.fsyncdir(callers.current(), fds.get(fi.fh.get()), false, Xdata.EMPTY));
            return 0;
        });
    }

    // ---- extended attributes ----

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        return call("setxattr", path, () -> {
            byte[] bytes = new byte[(int) size];
            if (size > 0) value.get(0, bytes, 0, bytes.length);
            Caller c = callers.current();
            Gfid changed = retryStale(path, fresh -> {
                Target t = resolve(c, path, fresh);
                await(top.setxattr(c, t.loc(), Map.of(name, bytes), flags, Xdata.EMPTY));
                return t.inode().gfid();
            });
            kernelInodes.changed(changed);
            return 0;
        });
    }

    @Override
    public int getxattr(String path, String name, Pointer value, long size) {
        return call("getxattr", path, () -> {
            Caller c = callers.current();
            Map<String, byte[]> values = retryStale(path, fresh ->
                    await(top.getxattr(c, resolve(c, path, fresh).loc(), name, Xdata.EMPTY)).values());
            byte[] v = values == null ? null : values.get(name);
            if (v == null) throw Errno.ENODATA.exception(name);
            return copyXattrOut(v, value, size);
        });
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        return call("listxattr", path, () -> {
            Caller c = callers.current();
            Map<String, byte[]> values = retryStale(path, fresh ->
                    await(top.getxattr(c, resolve(c, path, fresh).loc(), null, Xdata.EMPTY)).values());
            java.io.ByteArrayOutputStream names = new java.io.ByteArrayOutputStream();
            if (values != null) {
                for (String n : values.keySet()) {
                    names.writeBytes(n.getBytes(StandardCharsets.UTF_8));
                    names.write(0);
                }
            }
            return copyXattrOut(names.toByteArray(), list, size);
        });
    }

    /** getxattr(2)/listxattr(2) convention: size 0 asks for the length, too small a buffer is ERANGE. */
    private static int copyXattrOut(byte[] bytes, Pointer dst, long size) {
        if (size == 0) return bytes.length;
        if (bytes.length > size) throw Errno.ERANGE.exception("value of " + bytes.length + " bytes, buffer of " + size);
        if (bytes.length > 0) dst.put(0, bytes, 0, bytes.length);
        return bytes.length;
    }

    @Override
    public int removexattr(String path, String name) {
        return call("removexattr", path, () -> {
            Caller c = callers.current();
            Gfid changed = retryStale(path, fresh -> {
                Target t = resolve(c, path, fresh);
                await(top.removexattr(c, t.loc(), name, Xdata.EMPTY));
                return t.inode().gfid();
            });
            kernelInodes.changed(changed);
            return 0;
        });
    }

    // ---- resolution ----

    /** A resolved object and the entry it was reached through (null for the root). */
    private record Target(Inode inode, Gfid parent, String name, String path) {
        Loc loc() {
            return new Loc(inode.gfid(), parent, name, path);
        }
    }

    /** The parent directory and final name of a path, for fops that create or name an entry. */
    private record ParentEntry(Inode parent, String name, String path) {
        Loc newLoc(Gfid gfid) {
            return new Loc(gfid, parent.gfid(), name, path);
        }
    }

    private static final int STALE_RETRIES = 5;

    private record Looked(Inode inode, Iatt attr) {
    }

    private static boolean isRoot(String path) {
        return path == null || InodeTable.components(path).isEmpty();
    }

    /**
     * Walks the path from the root, using cached dentries unless {@code fresh} (after an ESTALE)
     * and a named lookup for each component not known.
     */
    private Target resolve(Caller c, String path, boolean fresh) {
        if (path == null) throw Errno.EBADF.exception("no path for a file that was removed");
        Inode hiddenFile = hidden.get(path);
        if (hiddenFile != null) return new Target(hiddenFile, null, null, path);
        Inode cur = inodes.root();
        Gfid parent = null;
        String name = null;
        StringBuilder sofar = new StringBuilder(path.length());
        for (String part : InodeTable.components(path)) {
            if (cur.type() != 0 && !cur.isDirectory()) throw Errno.ENOTDIR.exception(sofar.toString());
            sofar.append('/').append(part);
            Inode next = fresh ? null : inodes.cached(cur.gfid(), part);
            if (next == null) next = lookupEntry(c, cur, part, sofar.toString()).inode();
            parent = cur.gfid();
            name = part;
            cur = next;
        }
        return new Target(cur, parent, name, path);
    }

    private ParentEntry resolveParent(Caller c, String path, boolean fresh) {
        List<String> parts = InodeTable.components(path);
        if (parts.isEmpty()) throw Errno.EEXIST.exception("the root has no parent");
        int cut = path.lastIndexOf('/', path.length() - (path.endsWith("/") ? 2 : 1));
        String parentPath = cut <= 0 ? "/" : path.substring(0, cut);
        Inode parent = resolve(c, parentPath, fresh).inode();
        if (parent.type() != 0 && !parent.isDirectory()) throw Errno.ENOTDIR.exception(parentPath);
        return new ParentEntry(parent, parts.get(parts.size() - 1), path);
    }

    /** A named lookup; links the answer, or drops a dentry the bricks no longer have. */
    private Looked lookupEntry(Caller c, Inode parent, String name, String path) {
        try {
            Iatt attr = await(top.lookup(c, Loc.entry(parent.gfid(), name, path), Xdata.EMPTY)).attr();
            return new Looked(inodes.link(parent.gfid(), name, attr), attr);
        } catch (FopException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ESTALE) inodes.unlink(parent.gfid(), name);
            throw e;
        }
    }

    /**
     * Runs an attempt; if a fop by gfid says ESTALE (another client replaced or removed the object
     * the name led to), resolves the path afresh and tries again. More than once, because a busy
     * directory can change again between the fresh lookup and the fop, and a program that asked for
     * a name must get that name's object or ENOENT, as on a local filesystem.
     */
    private <T> T retryStale(String path, Function<Boolean, T> attempt) {
        for (int tries = 1; ; tries++) {
            try {
                return attempt.apply(tries > 1);
            } catch (FopException e) {
                if (e.errno() != Errno.ESTALE || tries == STALE_RETRIES) throw e;
                log.debug("ESTALE on {}: resolving it again", path);
            }
        }
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface Callback {
        int run();
    }

    /** The single place where failures become errnos for the kernel. */
    private int call(String op, String path, Callback body) {
        try {
            return body.run();
        } catch (Throwable t) {
            FopException fe = FopException.unwrap(t);
            if (fe != null) {
                if (log.isTraceEnabled()) log.trace("{} {}: {}", op, path, fe.getMessage());
                return -fe.errno().code;
            }
            log.error("{} {} failed unexpectedly; answering EIO", op, path, t);
            return -Errno.EIO.code;
        }
    }

    /** A failed fop's cause as FopException, or anything else wrapped in CompletionException. */
    private static RuntimeException failure(ExecutionException e) {
        FopException fe = FopException.unwrap(e);
        return fe != null ? fe : new CompletionException(e.getCause());
    }

    /** Waits for a fop on this libfuse thread. Failures surface as FopException or CompletionException. */
    private <T> T await(CompletableFuture<T> future) {
        if (future == null) throw new IllegalStateException("an xlator returned no future");
        if (future.isDone()) {
            // Answered from a cache on this thread: take the outcome as it is, because get() would
            // build an ExecutionException (a stack trace) for every failure, e.g. ENODATA for the
            // kernel's security.capability getxattr before each write.
            Object[] outcome = new Object[2];
            future.handle((r, x) -> {
                outcome[0] = r;
                outcome[1] = x;
                return null;
            });
            if (outcome[1] instanceof Throwable x) {
                FopException fe = FopException.unwrap(x);
                throw fe != null ? fe : new CompletionException(x);
            }
            @SuppressWarnings("unchecked")
            T value = (T) outcome[0];
            return value;
        }
        try {
            T value = future.get(FOP_WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            return value;
        } catch (ExecutionException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errno.EINTR.exception("interrupted while waiting for a fop");
        } catch (TimeoutException e) {
            log.error("a fop did not answer within {}; giving up on it", FOP_WAIT_LIMIT);
            throw Errno.ETIMEDOUT.exception("no answer within " + FOP_WAIT_LIMIT);
        }
    }

    private static void fillStat(FileStat st, Iatt a) {
        if (a == null) throw new IllegalStateException("reply without attributes");
        st.st_mode.set(a.mode());
        st.st_ino.set(a.ino());
        st.st_nlink.set(a.nlink());
        st.st_uid.set(Integer.toUnsignedLong(a.uid()));
        st.st_gid.set(Integer.toUnsignedLong(a.gid()));
        st.st_rdev.set(a.rdev());
        st.st_size.set(a.size());
        st.st_blksize.set(a.blksize());
        st.st_blocks.set(a.blocks());
        st.st_atim.tv_sec.set(a.atimeSec());
        st.st_atim.tv_nsec.set(a.atimeNsec());
        st.st_mtim.tv_sec.set(a.mtimeSec());
        st.st_mtim.tv_nsec.set(a.mtimeNsec());
        st.st_ctim.tv_sec.set(a.ctimeSec());
        st.st_ctim.tv_nsec.set(a.ctimeNsec());
    }

    /** Reads uid/gid/pid of the request from libfuse's per-thread context. */
    private final class ContextCallers implements CallerSource {
        private final SupplementaryGroups groups = new SupplementaryGroups();

        @Override
        public Caller current() {
            FuseContext ctx = getContext();
            int pid = ctx.pid.intValue();
            return new Caller(ctx.uid.intValue(), ctx.gid.intValue(), groups.of(pid), pid, 0L);
        }
    }
}
