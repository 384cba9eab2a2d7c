package org.glusterj.xlators.storage.posix;

import java.util.Map;

import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.RenameReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace fops (GlusterFS posix-entry-ops): lookup, creating, linking, removing and
 * renaming entries, each keeping the gfid xattr and the .glusterfs index in step. Methods throw
 * {@link org.glusterj.core.FopException}; {@link PosixXlator} turns that into failed futures.
 */
final class EntryOps {
    private static final Logger LOG = LoggerFactory.getLogger(EntryOps.class);
    private static final int S_ISGID = 02000;
    private static final int CREATE_ATTEMPTS = 3;

    private final BrickStore store;
    private final HandleFirst handleFirst;

    EntryOps(BrickStore store) {
        this.store = store;
        this.handleFirst = new HandleFirst(store);
    }

    EntryReply lookup(Loc loc) {
        return lookup(loc, -1);
    }

    /** With {@code contentMax} ≥ 0, also the content of a regular file of at most that size (quick-read). */
    EntryReply lookup(Loc loc, long contentMax) {
        if (!loc.hasEntry()) {
            try (Obj o = store.locate(loc.gfid())) {
                return FileOps.withContent(new EntryReply(o.iatt(), null, null, null), o.dirFd, o.name, contentMax);
            }
        }
        Names.check(loc.name());
        try (Obj parent = store.locateDir(loc.parent())) {
            Obj e = store.locateEntry(parent, loc.name());
            Iatt attr = store.checkHandle(parent, e) ? e.restat() : e.iatt();
            return FileOps.withContent(new EntryReply(attr, null, parent.iatt(), null), e.dirFd, e.name,
                    contentMax);
        }
    }

    // ---- creating ----

    EntryReply mkdir(Caller c, Loc loc, int mode, int umask) {
        String name = Names.check(loc.name());
        Gfid gfid = newGfid(loc);
        int perm = perm(mode, umask);
        try (Obj parent = store.locateDir(loc.parent())) {
            BrickStore.checkVisible(parent, name, Errno.EPERM);
            Iatt pre = parent.iatt();
            // Directories cannot be made at their handle and linked, so the name exists untagged
            // for a moment; lookups wait for the gfid of such fresh objects (BrickStore#locateEntry).
            // The gfid comes last: whoever sees it sees the final owner, mode and handle.
            Sys.check(Sys.C.mkdirat(parent.dirFd, Sys.cstr(name), perm), "mkdir " + name);
            boolean handleMade = false;
            try {
                Sys.check(Sys.C.fchownat(parent.dirFd, Sys.cstr(name), c.uid(), gidFor(c, parent.stat),
                        Sys.AT_SYMLINK_NOFOLLOW), "chown");
                StatBuf st = Sys.fstatat(parent.dirFd, name);
                int want = wanted(perm, st, parent.stat);
                if ((st.mode & FileType.PERM_MASK) != want) Sys.chmodNoFollow(parent.dirFd, name, want);
                store.createDirHandle(gfid, parent.gfid, name);
                handleMade = true;
                String path = Sys.procPath(parent.dirFd, name);
                Sys.check(Sys.C.lsetxattr(Sys.cstr(path), Sys.cstr(BrickStore.GFID_XATTR), gfid.toBytes(), 16,
                        Sys.XATTR_CREATE), "set gfid");
            } catch (RuntimeException e) {
                if (handleMade) store.dropDirHandle(gfid);
                Sys.C.unlinkat(parent.dirFd, Sys.cstr(name), Sys.AT_REMOVEDIR);
                throw e;
            }
            Iatt attr = Sys.fstatat(parent.dirFd, name).toIatt(gfid);
            return new EntryReply(attr, pre, parent.restat(), null);
        }
    }

    /** {@code xattrs}: set on the new node before it has its name, so no lookup sees it without them. */
    EntryReply mknod(Caller c, Loc loc, int mode, long rdev, int umask, Map<String, byte[]> xattrs) {
        int type = mode & FileType.S_IFMT;
        if (type == FileType.S_IFDIR || type == FileType.S_IFLNK) {
            throw Errno.EINVAL.exception("mknod cannot make "
                    + (type == FileType.S_IFDIR ? "directories (use mkdir)" : "symlinks (use symlink)"));
        }
        int t = type == 0 ? FileType.S_IFREG : type;
        int perm = perm(mode, umask);
        return makeNode(c, loc, perm, "mknod", (d, path) -> Sys.C.mknodat(d, path, t | perm, rdev), xattrs);
    }

    EntryReply symlink(Caller c, String target, Loc loc) {
        Names.checkSymlinkTarget(target);
        byte[] t = Sys.cstr(target);
        return makeNode(c, loc, 0777, "symlink", (d, path) -> Sys.C.symlinkat(t, d, path), Map.of());
    }

    private EntryReply makeNode(Caller c, Loc loc, int perm, String what, HandleFirst.Maker maker,
                                Map<String, byte[]> xattrs) {
        String name = Names.check(loc.name());
        Gfid gfid = newGfid(loc);
        try (Obj parent = store.locateDir(loc.parent())) {
            BrickStore.checkVisible(parent, name, Errno.EPERM);
            Iatt pre = parent.iatt();
            HandleFirst.Made made = handleFirst.makeNode(parent, name, gfid, owner(c, parent, perm), what, maker, xattrs);
            return new EntryReply(made.stat().toIatt(gfid), pre, parent.restat(), null);
        }
    }

    /** What create made or opened: the reply, and the native fd for the caller's Fd. */
    record Created(EntryReply reply, OpenFile file) {
    }

    Created create(Caller c, Loc loc, int flags, int mode, int umask) {
        String name = Names.check(loc.name());
        Gfid gfid = newGfid(loc);
        int perm = perm(mode, umask);
        try (Obj parent = store.locateDir(loc.parent())) {
            BrickStore.checkVisible(parent, name, Errno.EPERM);
            Iatt pre = parent.iatt();
            Opened o = createOrOpen(c, parent, name, gfid, flags, owner(c, parent, perm));
            return new Created(new EntryReply(o.attr(), pre, parent.restat(), null), o.file());
        }
    }

    /** An open file and its attributes as they were when it was opened. */
    private record Opened(OpenFile file, Iatt attr) {
    }

    /**
     * A new file, or without O_EXCL the file already at that name, opened as open(2) would
     * (keeping its own gfid). The name can vanish between our failed link and our open: then the
     * creation is tried again, a few times.
     */
    private Opened createOrOpen(Caller c, Obj parent, String name, Gfid gfid, int flags, HandleFirst.Owner owner) {
        int oflags = FileOps.flagsForOpen(flags) | Sys.O_CLOEXEC | Sys.O_CREAT | Sys.O_EXCL;
        for (int attempt = 1; ; attempt++) {
            try {
                HandleFirst.Made made = handleFirst.createFile(parent, name, gfid, owner,
                        (d, path) -> Sys.C.openat(d, path, oflags, owner.perm()));
                // The stat taken after linking is the new file's: no second fstat for the reply.
                return new Opened(new OpenFile(made.fd(), gfid, null), made.stat().toIatt(gfid));
            } catch (FopException e) {
                if (e.errno() != Errno.EEXIST || (flags & Sys.O_EXCL) != 0) throw e;
                OpenFile existing = openExisting(c, parent, name, flags);
                if (existing != null) return new Opened(existing, existing.iatt());
                if (attempt == CREATE_ATTEMPTS) throw e;
            }
        }
    }

    /** The file at {@code name} opened with the client's flags; null when it vanished or was replaced meanwhile. */
    private OpenFile openExisting(Caller c, Obj parent, String name, int flags) {
        Obj existing = store.findEntry(parent, name);
        if (existing == null) return null;
        // The client's kernel checked permissions for a create, not for an open of a file another
        // client made meanwhile; the brick opens as root, so it checks the caller's access here.
        if (!InodeOps.permits(c, existing.stat, accessFor(flags))) {
            throw Errno.EACCES.exception(name + " exists and uid " + c.uid() + " may not open it so");
        }
        if (existing.isDir()) throw Errno.EISDIR.exception(name + " exists and is a directory");
        if (existing.stat.isSymlink()) throw Errno.ELOOP.exception(name + " exists and is a symlink (not followed)");
        if (!existing.stat.isRegular()) {
            throw Errno.EINVAL.exception(name + " exists and is not a regular file; special files are opened by the client's kernel");
        }
        int nfd = Sys.C.openat(parent.dirFd, Sys.cstr(name), FileOps.flagsForOpen(flags) | Sys.O_CLOEXEC, 0);
        if (nfd < 0) {
            if (Sys.errno() == Errno.ENOENT.code) return null;
            throw Sys.fail("open " + name);
        }
        if (!Sys.fstat(nfd).sameFile(existing.stat)) {
            Sys.closeQuietly(nfd);
            return null;
        }
        store.opened(existing.gfid);
        return new OpenFile(nfd, existing.gfid, null);
    }

    EntryReply link(Loc oldLoc, Loc newLoc) {
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
    }

    /** access(2) bits an open with these flags needs. */
    private static int accessFor(int flags) {
        int mode = switch (flags & Sys.O_ACCMODE) {
            case Sys.O_WRONLY -> 2;
            case Sys.O_RDWR -> 6;
            default -> 4;
        };
        return (flags & Sys.O_TRUNC) != 0 ? mode | 2 : mode;
    }

    private static Gfid newGfid(Loc loc) {
        if (loc.gfid() != null && !loc.gfid().isNull()) return loc.gfid();
        Gfid g = Gfid.random();
        LOG.debug("no gfid requested for {}; using {}", loc, g);
        return g;
    }

    private static HandleFirst.Owner owner(Caller c, Obj parent, int perm) {
        return new HandleFirst.Owner(c.uid(), gidFor(c, parent.stat), perm);
    }

    /** New objects in a set-group-id directory take the directory's group, as the kernel does. */
    private static int gidFor(Caller c, StatBuf parent) {
        return (parent.mode & S_ISGID) != 0 ? parent.gid : c.gid();
    }

    /** The permission bits a new object should end up with; directories inherit set-group-id. */
    private static int wanted(int perm, StatBuf st, StatBuf parent) {
        int w = perm & FileType.PERM_MASK;
        if (st.isDir() && (parent.mode & S_ISGID) != 0) w |= S_ISGID;
        return w;
    }

    private static int perm(int mode, int umask) {
        return mode & ~umask & FileType.PERM_MASK;
    }

    // ---- removing and renaming ----

    ParentReply unlink(Loc loc) {
        String name = Names.check(loc.name());
        try (Obj parent = store.locateDir(loc.parent())) {
            BrickStore.checkVisible(parent, name, Errno.EPERM);
            Obj e = store.locateEntry(parent, name);
            if (e.isDir()) throw Errno.EISDIR.exception(loc + " is a directory (use rmdir)");
            checkStillNames(loc, e);
            Iatt pre = parent.iatt();
            synchronized (store.lockFor(e.gfid)) {
                Sys.check(Sys.C.unlinkat(parent.dirFd, Sys.cstr(name), 0), "unlink " + name);
                store.dropHandleIfOrphan(e.gfid);
            }
            return new ParentReply(pre, parent.restat(), null);
        }
    }

    ParentReply rmdir(Loc loc) {
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
    }

    /**
     * Renames an entry. A directory rename changes the paths gfid resolution walks, so it must run
     * under the exclusive namespace lock: called without it ({@code exclusive} false) for a
     * directory, this returns null and changes nothing.
     */
    RenameReply rename(Loc oldLoc, Loc newLoc, boolean exclusive) {
        String oldName = Names.check(oldLoc.name());
        String newName = Names.check(newLoc.name());
        try (Obj op = store.locateDir(oldLoc.parent()); Obj np = store.locateDir(newLoc.parent())) {
            BrickStore.checkVisible(op, oldName, Errno.EPERM);
            BrickStore.checkVisible(np, newName, Errno.EPERM);
            Obj src = store.locateEntry(op, oldName);
            if (src.isDir() && !exclusive) return null;
            checkStillNames(oldLoc, src);
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
            return new RenameReply(movedStat(np, newName, src).toIatt(src.gfid), preOld, op.restat(), preNew, np.restat(), null);
        }
    }

    /**
     * The renamed object's attributes after the rename. Another client may rename or remove the
     * new name the moment after ours, and the rename did happen: so when the name no longer leads
     * to the object, they are read through its gfid handle, or are the ones from before the rename
     * if the object is gone too.
     */
    private StatBuf movedStat(Obj dir, String name, Obj moved) {
        StatBuf st = Sys.fstatatOrNull(dir.dirFd, name);
        if (st != null && st.sameFile(moved.stat)) return st;
        try (Obj o = store.locate(moved.gfid)) {
            return o.stat;
        } catch (FopException e) {
            if (e.errno() != Errno.ESTALE) throw e;
            return moved.stat; // removed already as well: what it was when it moved
        }
    }

    /**
     * A Loc that carries a gfid asks for that object under that name: if another client's rename
     * or create has put a different object there since the caller looked, the caller must look
     * again (ESTALE; FUSE does) rather than remove or move an object it never saw.
     */
    private static void checkStillNames(Loc loc, Obj found) {
        Gfid wanted = loc.gfid();
        if (wanted != null && !wanted.isNull() && !wanted.equals(found.gfid)) {
            throw Errno.ESTALE.exception(loc + " now names " + found.gfid);
        }
    }
}
