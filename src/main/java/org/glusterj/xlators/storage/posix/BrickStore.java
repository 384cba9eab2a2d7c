package org.glusterj.xlators.storage.posix;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk layout of a brick: files at their volume paths, every object tagged with
 * {@code trusted.gfid}, and the GlusterFS gfid index under {@code .glusterfs} (a hard link per
 * non-directory, a symlink {@code ../../<p0>/<p1>/<parent-gfid>/<name>} per directory).
 * Resolves gfids and entries to {@link Obj}s without ever following a symlink out of the brick.
 */
final class BrickStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrickStore.class);

    static final String GFID_XATTR = "trusted.gfid";
    static final String META = ".glusterfs";
    private static final String UNLINK = "unlink";
    private static final String ROOT_HANDLE_TARGET = "../../..";
    private static final String DIR_HANDLE_PREFIX = "../../";
    /** "../../xx/yy/" + a 36-character gfid + "/": where the name starts in a directory handle's target. */
    private static final int DIR_HANDLE_NAME_START = DIR_HANDLE_PREFIX.length() + 6 + 36 + 1;
    /** Directories whose fds are kept open, and how long before an entry is resolved again from its handle. */
    static final int DIR_CACHE_SIZE = 1024;
    static final long DIR_CACHE_MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_DEPTH = 4096;
    private static final int STRIPES = 64;
    /** GlusterFS posix's is_fresh_file: an object younger than this may still be being tagged by its creator. */
    static final Duration FRESH = Duration.ofSeconds(1);
    private static final long MAX_WAIT_FOR_CREATOR_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long MAX_POLL_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    final Path directory;
    final int rootFd;
    private final int metaFd;
    private final int unlinkFd;

    /** Directory renames take it exclusively: they change the paths that gfid resolution walks. */
    final ReentrantReadWriteLock namespace = new ReentrantReadWriteLock();
    private final Object[] gfidLocks = new Object[STRIPES];
    private final ConcurrentHashMap<Gfid, AtomicInteger> openCounts = new ConcurrentHashMap<>();
    final DirFdCache dirs;

    BrickStore(Path directory) {
        this(directory, DIR_CACHE_SIZE, DIR_CACHE_MAX_AGE_NANOS);
    }

    BrickStore(Path directory, int dirCacheSize, long dirCacheMaxAgeNanos) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("storage/posix: option directory \"" + directory
                    + "\" does not exist or is not a directory; create it (the brick root) first");
        }
        this.directory = directory.toAbsolutePath().normalize();
        this.dirs = new DirFdCache(dirCacheSize, dirCacheMaxAgeNanos);
        for (int i = 0; i < STRIPES; i++) gfidLocks[i] = new Object();
        int root = -1, meta = -1, unl = -1;
        try {
            root = Sys.openat(-100 /* AT_FDCWD */, this.directory.toString(), Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
            initRootGfid(root);
            mkdirIfMissing(root, META);
            meta = Sys.openat(root, META, Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
            mkdirIfMissing(meta, UNLINK);
            unl = Sys.openat(meta, UNLINK, Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
            purgeUnlinked(unl);
        } catch (FopException e) {
            Sys.closeQuietly(unl);
            Sys.closeQuietly(meta);
            Sys.closeQuietly(root);
            throw new IllegalStateException("storage/posix: cannot prepare brick directory " + this.directory + ": "
                    + e.getMessage() + " (the brick must run as root on a filesystem with trusted.* xattrs)", e);
        }
        rootFd = root;
        metaFd = meta;
        unlinkFd = unl;
        ensureRootHandle();
    }

    private void initRootGfid(int root) {
        byte[] g = Sys.fgetxattr(root, GFID_XATTR);
        if (g == null) {
            Sys.check(Sys.C.fsetxattr(root, Sys.cstr(GFID_XATTR), Gfid.ROOT.toBytes(), 16, Sys.XATTR_CREATE),
                    "set root gfid");
        } else if (g.length != 16 || !Gfid.fromBytes(g).isRoot()) {
            throw new IllegalArgumentException("storage/posix: brick directory " + directory
                    + " carries trusted.gfid " + describe(g) + " instead of the root gfid "
                    + Gfid.ROOT + ": it is a directory inside another brick, not a brick root");
        }
    }

    private static String describe(byte[] g) {
        return g.length == 16 ? Gfid.fromBytes(g).toString() : g.length + " bytes";
    }

    private static void mkdirIfMissing(int dirFd, String name) {
        if (Sys.C.mkdirat(dirFd, Sys.cstr(name), 0700) < 0 && Sys.errno() != Errno.EEXIST.code) {
            throw Sys.fail("mkdir " + name);
        }
    }

    /** Files whose last name went while open were kept here; after a restart nobody holds them. */
    private void purgeUnlinked(int unl) {
        Path dir = directory.resolve(META).resolve(UNLINK);
        try (var names = Files.list(dir)) {
            names.forEach(p -> {
                String n = p.getFileName().toString();
                if (Sys.C.unlinkat(unl, Sys.cstr(n), 0) < 0) {
                    LOG.warn("could not remove leftover {}/{}: errno {}", dir, n, Sys.errno());
                }
            });
        } catch (java.io.IOException e) {
            LOG.warn("could not list {}: {}", dir, e.toString());
        }
    }

    private void ensureRootHandle() {
        int hd = openHandleDir(Gfid.ROOT, true);
        try {
            String t = Sys.readlinkatOrNull(hd, Gfid.ROOT.toString());
            if (!ROOT_HANDLE_TARGET.equals(t)) {
                replaceSymlink(hd, Gfid.ROOT.toString(), ROOT_HANDLE_TARGET);
            }
        } finally {
            Sys.closeQuietly(hd);
        }
    }

    @Override
    public void close() {
        dirs.close();
        Sys.closeQuietly(unlinkFd);
        Sys.closeQuietly(metaFd);
        Sys.closeQuietly(rootFd);
    }

    // ---- naming ----

    static String handleDirName(Gfid g) {
        String s = g.toString();
        return s.substring(0, 2) + "/" + s.substring(2, 4);
    }

    /** The relative path, as seen from a handle directory, of entry {@code name} in directory {@code parent}. */
    static String dirHandleTarget(Gfid parent, String name) {
        return "../../" + handleDirName(parent) + "/" + parent + "/" + name;
    }

    Object lockFor(Gfid g) {
        return gfidLocks[Math.floorMod(g.hashCode(), STRIPES)];
    }

    // ---- gfid xattr ----

    static Gfid gfidOf(int dirFd, String name) {
        byte[] b = Sys.lgetxattr(Sys.procPath(dirFd, name), GFID_XATTR);
        return b != null && b.length == 16 ? Gfid.fromBytes(b) : null;
    }

    // ---- handle directories ----

    /** Opens {@code .glusterfs/xx/yy} for a gfid, creating it when asked. */
    int openHandleDir(Gfid g, boolean create) {
        String rel = handleDirName(g);
        try {
            return Sys.openBeneath(metaFd, rel, Sys.O_RDONLY | Sys.O_DIRECTORY);
        } catch (FopException e) {
            if (e.errno() != Errno.ENOENT || !create) throw e;
        }
        // Of the 256 first-level directories most exist soon: try the second level alone first.
        if (Sys.C.mkdirat(metaFd, Sys.cstr(rel), 0700) < 0) {
            int err = Sys.errno();
            if (err == Errno.ENOENT.code) {
                mkdirIfMissing(metaFd, rel.substring(0, 2));
                mkdirIfMissing(metaFd, rel);
            } else if (err != Errno.EEXIST.code) {
                throw Sys.fail("mkdir " + rel);
            }
        }
        return Sys.openBeneath(metaFd, rel, Sys.O_RDONLY | Sys.O_DIRECTORY);
    }

    private static void replaceSymlink(int dirFd, String name, String target) {
        String tmp = name + ".tmp." + Thread.currentThread().getId();
        Sys.C.unlinkat(dirFd, Sys.cstr(tmp), 0);
        Sys.check(Sys.C.symlinkat(Sys.cstr(target), dirFd, Sys.cstr(tmp)), "symlink handle " + name);
        if (Sys.C.renameat(dirFd, Sys.cstr(tmp), dirFd, Sys.cstr(name)) < 0) {
            FopException e = Sys.fail("rename handle " + name);
            Sys.C.unlinkat(dirFd, Sys.cstr(tmp), 0);
            throw e;
        }
    }

    /** Adds the hard-link handle of a non-directory found as {@code name} in {@code dirFd}. */
    void linkHandle(int dirFd, String name, Gfid g, StatBuf st) {
        int hd = openHandleDir(g, true);
        try {
            if (Sys.C.linkat(dirFd, Sys.cstr(name), hd, Sys.cstr(g.toString()), 0) == 0) return;
            int e = Sys.errno();
            if (e == Errno.EEXIST.code && st.sameFile(Sys.fstatatOrNull(hd, g.toString()))) return;
            throw Errno.of(e).exception("handle for gfid " + g + " (" + name + ")");
        } finally {
            Sys.closeQuietly(hd);
        }
    }

    /** Points a directory's handle at its (new) parent and name. */
    void setDirHandle(Gfid g, Gfid parent, String name) {
        dirs.drop(g);
        int hd = openHandleDir(g, true);
        try {
            replaceSymlink(hd, g.toString(), dirHandleTarget(parent, name));
        } finally {
            Sys.closeQuietly(hd);
        }
    }

    /** Creates a directory's handle; EEXIST when the gfid already names another live directory. */
    void createDirHandle(Gfid g, Gfid parent, String name) {
        int hd = openHandleDir(g, true);
        try {
            byte[] target = Sys.cstr(dirHandleTarget(parent, name));
            if (Sys.C.symlinkat(target, hd, Sys.cstr(g.toString())) == 0) return;
            if (Sys.errno() != Errno.EEXIST.code) throw Sys.fail("handle for gfid " + g);
        } finally {
            Sys.closeQuietly(hd);
        }
        // A stale handle (its directory was removed behind our back) may be reused; a file's may not.
        StatBuf existing = Sys.fstatatOrNull(metaFd, handleDirName(g) + "/" + g);
        if (existing != null && !(existing.isSymlink() && existing.nlink == 1)) {
            throw Errno.EEXIST.exception("gfid " + g + " already names a file");
        }
        if (directoryExists(g)) throw Errno.EEXIST.exception("gfid " + g + " already names a directory");
        setDirHandle(g, parent, name);
    }

    private boolean directoryExists(Gfid g) {
        try (Obj o = locate(g)) {
            return o.isDir();
        } catch (FopException e) {
            return false;
        }
    }

    /**
     * A creation found the handle path of its gfid taken. When that handle has no name, is not a
     * live directory's handle and is not open, a creation was interrupted between making the
     * handle and naming it (a brick crash): it is removed and true returned. Caller holds
     * {@link #lockFor}(g), under which creations of g make and name their handle.
     */
    boolean removeLeftoverHandle(int handleDirFd, Gfid g) {
        String n = g.toString();
        StatBuf st = Sys.fstatatOrNull(handleDirFd, n);
        if (st == null) return true;
        if (st.isDir() || st.nlink > 1 || isOpen(g)) return false;
        if (st.isSymlink()) {
            String t = Sys.readlinkatOrNull(handleDirFd, n);
            if (t != null && DirHandle.parse(t) != null && directoryExists(g)) return false;
        }
        LOG.warn("removing leftover handle of gfid {}: its creation was interrupted before it got a name", g);
        return Sys.C.unlinkat(handleDirFd, Sys.cstr(n), 0) == 0 || Sys.errno() == Errno.ENOENT.code;
    }

    void dropDirHandle(Gfid g) {
        dirs.drop(g);
        int hd;
        try {
            hd = openHandleDir(g, false);
        } catch (FopException e) {
            return;
        }
        try {
            if (Sys.C.unlinkat(hd, Sys.cstr(g.toString()), 0) < 0 && Sys.errno() != Errno.ENOENT.code) {
                LOG.warn("could not remove handle of directory {}: errno {}", g, Sys.errno());
            }
        } finally {
            Sys.closeQuietly(hd);
        }
    }

    /**
     * After a name of non-directory {@code g} went away: when only the handle is left, the object
     * is gone for the namespace. If fds are still open it moves to .glusterfs/unlink until the
     * last release, else the handle is removed. Caller holds {@link #lockFor}(g).
     */
    void dropHandleIfOrphan(Gfid g) {
        // Relative to .glusterfs, as checkHandle does: xx/yy are the brick's own directories, and
        // this saves opening one on every unlink.
        String handle = handleDirName(g) + "/" + g;
        StatBuf st = Sys.fstatatOrNull(metaFd, handle);
        if (st == null || st.isDir() || st.nlink > 1) return;
        if (isOpen(g)) {
            Sys.check(Sys.C.renameat(metaFd, Sys.cstr(handle), unlinkFd, Sys.cstr(g.toString())),
                    "move handle to unlink dir");
        } else {
            Sys.check(Sys.C.unlinkat(metaFd, Sys.cstr(handle), 0), "remove handle");
        }
    }

    // ---- open counts: unlinked files stay reachable while open ----

    void opened(Gfid g) {
        openCounts.computeIfAbsent(g, k -> new AtomicInteger()).incrementAndGet();
    }

    void closed(Gfid g) {
        synchronized (lockFor(g)) {
            AtomicInteger n = openCounts.get(g);
            if (n == null || n.decrementAndGet() > 0) return;
            openCounts.remove(g);
            String name = g.toString();
            if (Sys.C.unlinkat(unlinkFd, Sys.cstr(name), 0) < 0 && Sys.errno() != Errno.ENOENT.code) {
                LOG.warn("could not remove unlinked file {}: errno {}", name, Sys.errno());
            }
        }
    }

    private boolean isOpen(Gfid g) {
        AtomicInteger n = openCounts.get(g);
        return n != null && n.get() > 0;
    }

    /** A file whose last name went while open gets a name again (link): its handle comes back. */
    void reviveIfUnlinked(Gfid g) {
        String n = g.toString();
        if (Sys.fstatatOrNull(unlinkFd, n) == null) return;
        int hd = openHandleDir(g, true);
        try {
            Sys.check(Sys.C.renameat(unlinkFd, Sys.cstr(n), hd, Sys.cstr(n)), "restore handle");
        } finally {
            Sys.closeQuietly(hd);
        }
    }

    // ---- resolution ----

    /** The path, relative to the brick root, of directory {@code g}, found by walking handle symlinks. */
    String dirPath(Gfid g) {
        StringBuilder path = new StringBuilder();
        Gfid cur = g;
        for (int depth = 0; !cur.isRoot(); depth++) {
            if (depth > MAX_DEPTH) throw Errno.ELOOP.exception("handle chain of " + g + " too deep");
            String target = Sys.readlinkatOrNull(metaFd, handleDirName(cur) + "/" + cur);
            if (target == null) throw Errno.ESTALE.exception("no directory with gfid " + cur);
            DirHandle h = DirHandle.parse(target);
            if (h == null) throw Errno.ESTALE.exception("gfid " + cur + " is not a directory handle");
            Gfid parent = h.parent();
            String name = h.name();
            if (!handleDirName(parent).equals(h.hashDir()) || name.equals(".") || name.equals("..")
                    || (parent.isRoot() && name.equals(META))) {
                throw Errno.ESTALE.exception("malformed handle of " + cur + ": " + target);
            }
            path.insert(0, path.length() == 0 ? name : name + "/");
            cur = parent;
        }
        return path.toString();
    }

    /** Opens directory {@code g} and checks that what the path leads to really carries that gfid. */
    Obj openDir(Gfid g) {
        if (g.isRoot()) {
            // Checked to carry the root gfid when the brick started; it is never renamed or removed.
            int fd = Sys.dup(rootFd);
            return ownedDir(fd, g, () -> Sys.fstat(fd));
        }
        long now = System.nanoTime();
        String rel = dirPath(g);
        int fd;
        try {
            fd = Sys.openBeneath(rootFd, rel, Sys.O_RDONLY | Sys.O_DIRECTORY);
        } catch (FopException e) {
            throw Errno.ESTALE.exception("directory " + g + " not found at " + rel + " (" + e.errno() + ")");
        }
        return ownedDir(fd, g, () -> {
            byte[] have = Sys.fgetxattr(fd, GFID_XATTR);
            if (have == null || have.length != 16 || !Gfid.fromBytes(have).equals(g)) {
                throw Errno.ESTALE.exception("directory handle of " + g + " leads to another object");
            }
            StatBuf st = Sys.fstat(fd);
            dirs.put(g, fd, now);
            return st;
        });
    }

    /** An Obj owning directory fd {@code fd}, with the attributes {@code stat} gets; the fd is closed if that fails. */
    private static Obj ownedDir(int fd, Gfid g, java.util.function.Supplier<StatBuf> stat) {
        try {
            return new Obj(fd, true, ".", stat.get(), g);
        } catch (RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
    }

    /**
     * Directory {@code g} from {@link #dirs}, or null on a miss. An entry whose directory was
     * removed behind the brick's back (nlink 0) is dropped and resolved afresh, which answers ESTALE.
     */
    private Obj cachedDir(Gfid g) {
        int fd = dirs.borrow(g, System.nanoTime());
        if (fd < 0) return null;
        StatBuf st;
        try {
            st = Sys.fstat(fd);
        } catch (RuntimeException e) {
            Sys.closeQuietly(fd);
            throw e;
        }
        if (st.nlink > 0 && st.isDir()) return new Obj(fd, true, ".", st, g);
        Sys.closeQuietly(fd);
        dirs.drop(g);
        return null;
    }

    /**
     * Any fop's target: by gfid when the Loc has one (ESTALE if gone), else by parent + name
     * (ENOENT if missing). The returned Obj owns its directory fd.
     */
    Obj resolve(org.glusterj.core.Loc loc) {
        if (loc.gfid() != null && !loc.gfid().isNull()) return locate(loc.gfid());
        if (!loc.hasEntry()) throw Errno.EINVAL.exception("location names neither a gfid nor a parent and name");
        Names.check(loc.name());
        Obj parent = locateDir(loc.parent());
        try {
            Obj e = locateEntry(parent, loc.name());
            return new Obj(parent.dirFd, true, e.name, e.stat, e.gfid);
        } catch (RuntimeException e) {
            parent.close();
            throw e;
        }
    }

    /** Nameless resolution: the object with gfid {@code g}, ESTALE when it no longer exists. */
    Obj locate(Gfid g) {
        if (g == null || g.isNull()) throw Errno.EINVAL.exception("no gfid given");
        if (g.isRoot()) return openDir(g);
        Obj cached = cachedDir(g);
        if (cached != null) return cached;
        int hd;
        try {
            hd = openHandleDir(g, false);
        } catch (FopException e) {
            if (e.errno() == Errno.ENOENT) return locateUnlinked(g);
            throw e;
        }
        boolean keep = false;
        try {
            StatBuf st = Sys.fstatatOrNull(hd, g.toString());
            if (st == null) return locateUnlinked(g);
            if (st.isSymlink() && st.nlink == 1) {
                // A symlink handle with no other name: a directory's handle, or a leftover.
                String t = Sys.readlinkatOrNull(hd, g.toString());
                if (t != null && DirHandle.parse(t) != null) return openDir(g);
                throw Errno.ESTALE.exception("gfid " + g + " has a malformed handle");
            }
            keep = true;
            return new Obj(hd, true, g.toString(), st, g);
        } finally {
            if (!keep) Sys.closeQuietly(hd);
        }
    }

    private Obj locateUnlinked(Gfid g) {
        StatBuf st = Sys.fstatatOrNull(unlinkFd, g.toString());
        if (st == null) throw Errno.ESTALE.exception("no object with gfid " + g);
        return new Obj(unlinkFd, false, g.toString(), st, g);
    }

    /** A directory to work in, by gfid: ENOTDIR when it is something else. */
    Obj locateDir(Gfid g) {
        Obj o = locate(g);
        if (!o.isDir()) {
            o.close();
            throw Errno.ENOTDIR.exception("gfid " + g + " is not a directory");
        }
        return o;
    }

    /**
     * Named resolution of an existing entry, with a gfid (assigned and indexed if the object was
     * made directly in the brick directory). ENOENT when missing.
     */
    Obj locateEntry(Obj parent, String name) {
        checkVisible(parent, name, Errno.ENOENT);
        StatBuf st = Sys.fstatatOrNull(parent.dirFd, name);
        if (st == null) throw Errno.ENOENT.exception(name);
        Gfid g = gfidOf(parent.dirFd, name);
        if (g == null) {
            g = gfidForUntagged(parent, name, st);
            st = Sys.fstatat(parent.dirFd, name);
        }
        return new Obj(parent.dirFd, false, name, st, g);
    }

    /** Like {@link #locateEntry}, null when missing. */
    Obj findEntry(Obj parent, String name) {
        try {
            return locateEntry(parent, name);
        } catch (FopException e) {
            if (e.errno() == Errno.ENOENT) return null;
            throw e;
        }
    }

    /** .glusterfs is no part of the volume: it cannot be looked up, made, removed or renamed. */
    static void checkVisible(Obj parent, String name, Errno errno) {
        if (parent.gfid.isRoot() && META.equals(name)) {
            throw errno.exception(META + " is reserved for the brick's gfid index");
        }
    }

    /**
     * The gfid of an object found without one. mkdir makes its directory at the final path and
     * tags it just after, so a fresh object may be a creation in progress: a gfid of our own would
     * make that creation fail, or two bricks disagree on the directory's gfid. So we wait for the
     * creator's gfid (microseconds, normally) rather than answer ENOENT at once, which would
     * send DHT healing a directory that is being made. Once the object is no longer fresh nobody
     * is tagging it (a user made it directly in the brick) and it is healed. One kept fresh past
     * the wait (changed over and over) is reported missing, as GlusterFS's posix_gfid_heal does.
     */
    private Gfid gfidForUntagged(Obj parent, String name, StatBuf st) {
        long start = System.nanoTime();
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (isFresh(st, Instant.now())) {
            if (System.nanoTime() - start > MAX_WAIT_FOR_CREATOR_NANOS || Thread.currentThread().isInterrupted()) {
                throw Errno.ENOENT.exception(name + " in " + parent.gfid + " was made moments ago and has no gfid yet");
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, MAX_POLL_PAUSE_NANOS);
            st = Sys.fstatatOrNull(parent.dirFd, name);
            if (st == null) throw Errno.ENOENT.exception(name);
            Gfid g = gfidOf(parent.dirFd, name);
            if (g != null) return g;
        }
        return heal(parent, name, st);
    }

    /** Whether the object's ctime lies within {@link #FRESH} of {@code now} (either side: clocks step). */
    static boolean isFresh(StatBuf st, Instant now) {
        Duration age = Duration.between(Instant.ofEpochSecond(st.ctimeSec, st.ctimeNsec), now);
        return age.abs().compareTo(FRESH) < 0;
    }

    /** Gives an object found without gfid one, and its handle. */
    private Gfid heal(Obj parent, String name, StatBuf st) {
        Gfid g = Gfid.random();
        String path = Sys.procPath(parent.dirFd, name);
        if (Sys.C.lsetxattr(Sys.cstr(path), Sys.cstr(GFID_XATTR), g.toBytes(), 16, Sys.XATTR_CREATE) < 0) {
            if (Sys.errno() != Errno.EEXIST.code) throw Sys.fail("set gfid on " + name);
            Gfid raced = gfidOf(parent.dirFd, name);
            if (raced != null) return raced;
        }
        LOG.info("assigned gfid {} to {} in directory {}", g, name, parent.gfid);
        if (st.isDir()) setDirHandle(g, parent.gfid, name);
        else linkHandle(parent.dirFd, name, g, st);
        return g;
    }

    /**
     * Repairs a missing or outdated handle of an entry found by name (lookup). True when that
     * changed the entry's own attributes (a file's new handle link adds to its nlink).
     */
    boolean checkHandle(Obj parent, Obj entry) {
        if (entry.gfid.isRoot()) return false;
        if (entry.isDir()) {
            String want = dirHandleTarget(parent.gfid, entry.name);
            String have;
            try {
                have = Sys.readlinkatOrNull(metaFd, handleDirName(entry.gfid) + "/" + entry.gfid);
            } catch (FopException e) {
                have = null;
            }
            if (have == null) {
                StatBuf other = Sys.fstatatOrNull(metaFd, handleDirName(entry.gfid) + "/" + entry.gfid);
                if (other != null && !other.isSymlink()) {
                    LOG.warn("gfid {} of directory {} in {} is also the gfid of a file; its handle is left alone",
                            entry.gfid, entry.name, parent.gfid);
                    return false;
                }
            }
            if (!want.equals(have)) {
                LOG.info("repairing handle of directory {} ({} in {})", entry.gfid, entry.name, parent.gfid);
                setDirHandle(entry.gfid, parent.gfid, entry.name);
            }
            return false;
        }
        StatBuf h;
        try {
            h = Sys.fstatatOrNull(metaFd, handleDirName(entry.gfid) + "/" + entry.gfid);
        } catch (FopException e) {
            h = null;
        }
        if (h == null) {
            synchronized (lockFor(entry.gfid)) {
                linkHandle(entry.dirFd, entry.name, entry.gfid, entry.stat);
            }
            return true;
        }
        if (!h.sameFile(entry.stat)) {
            LOG.warn("gfid {} of {} in {} is also the gfid of another file; its handle is left alone",
                    entry.gfid, entry.name, parent.gfid);
        }
        return false;
    }

    /**
     * A directory handle's target {@code ../../xx/yy/<parent-gfid>/<name>}, parsed by hand: it is
     * read on every resolution of a directory that is not in {@link #dirs}.
     */
    record DirHandle(String hashDir, Gfid parent, String name) {
        /** The parts of {@code target}, or null when it does not have the form of a directory handle. */
        static DirHandle parse(String target) {
            int p = DIR_HANDLE_PREFIX.length();
            if (target.length() <= DIR_HANDLE_NAME_START || !target.startsWith(DIR_HANDLE_PREFIX)
                    || !isLowerHex(target, p, p + 2) || target.charAt(p + 2) != '/'
                    || !isLowerHex(target, p + 3, p + 5) || target.charAt(p + 5) != '/'
                    || !isCanonicalGfid(target, p + 6) || target.charAt(DIR_HANDLE_NAME_START - 1) != '/'
                    || target.indexOf('/', DIR_HANDLE_NAME_START) >= 0) {
                return null;
            }
            return new DirHandle(target.substring(p, p + 5), Gfid.parse(target.substring(p + 6, p + 42)),
                    target.substring(DIR_HANDLE_NAME_START));
        }

        /** 8-4-4-4-12 lowercase hex digits at {@code from}. */
        private static boolean isCanonicalGfid(String s, int from) {
            for (int i = 0; i < 36; i++) {
                char c = s.charAt(from + i);
                boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? c != '-' : !isLowerHex(c)) return false;
            }
            return true;
        }

        private static boolean isLowerHex(String s, int from, int to) {
            for (int i = from; i < to; i++) {
                if (!isLowerHex(s.charAt(i))) return false;
            }
            return true;
        }

        private static boolean isLowerHex(char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        }
    }
}
