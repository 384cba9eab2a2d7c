package org.glusterj.xlators.storage.posix;

import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.FileType;
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

    private final BrickStore store;

    EntryOps(BrickStore store) {
        this.store = store;
    }

    EntryReply lookup(Loc loc) {
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
    }

    // ---- creating ----

    /** How a creation fop makes its object: given the parent fd, the name and the permission bits. */
    @FunctionalInterface
    interface Maker {
        void make(int parentFd, String name, int perm);
    }

    EntryReply mkdir(Caller c, Loc loc, int mode, int umask) {
        return make(c, loc, perm(mode, umask), true,
                (p, n, perm) -> Sys.check(Sys.C.mkdirat(p, Sys.cstr(n), perm), "mkdir " + n));
    }

    EntryReply mknod(Caller c, Loc loc, int mode, long rdev, int umask) {
        int type = mode & FileType.S_IFMT;
        if (type == FileType.S_IFDIR || type == FileType.S_IFLNK) {
            throw Errno.EINVAL.exception("mknod cannot make "
                    + (type == FileType.S_IFDIR ? "directories (use mkdir)" : "symlinks (use symlink)"));
        }
        int t = type == 0 ? FileType.S_IFREG : type;
        return make(c, loc, perm(mode, umask), false,
                (p, n, perm) -> Sys.check(Sys.C.mknodat(p, Sys.cstr(n), t | perm, rdev), "mknod " + n));
    }

    EntryReply symlink(Caller c, String target, Loc loc) {
        Names.checkSymlinkTarget(target);
        return make(c, loc, 0777, false,
                (p, n, perm) -> Sys.check(Sys.C.symlinkat(Sys.cstr(target), p, Sys.cstr(n)), "symlink " + n));
    }

    /** Makes the object, then tags it (gfid, owner, mode, handle); a failure removes it again. */
    private EntryReply make(Caller c, Loc loc, int perm, boolean dir, Maker maker) {
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
                int want = wanted(perm, st, parent.stat);
                if (!st.isSymlink() && (st.mode & FileType.PERM_MASK) != want) {
                    Sys.chmodNoFollow(parent.dirFd, name, want);
                }
                if (dir) store.createDirHandle(gfid, parent.gfid, name);
                else store.linkHandle(parent.dirFd, name, gfid, st);
            } catch (RuntimeException e) {
                Sys.C.unlinkat(parent.dirFd, Sys.cstr(name), dir ? Sys.AT_REMOVEDIR : 0);
                throw e;
            }
            Iatt attr = Sys.fstatat(parent.dirFd, name).toIatt(gfid);
            return new EntryReply(attr, pre, parent.restat(), null);
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
            int oflags = FileOps.flagsForOpen(flags) | Sys.O_CLOEXEC;
            int nfd = Sys.C.openat(parent.dirFd, Sys.cstr(name), oflags | Sys.O_CREAT | Sys.O_EXCL, perm);
            if (nfd < 0) {
                if (Sys.errno() != Errno.EEXIST.code || (flags & Sys.O_EXCL) != 0) throw Sys.fail("create " + name);
                // Plain O_CREAT on an existing name opens it, keeping its own gfid.
                Obj existing = store.locateEntry(parent, name);
                if (existing.isDir()) throw Errno.EISDIR.exception(loc.toString());
                nfd = Sys.openat(parent.dirFd, name, FileOps.flagsForOpen(flags), 0);
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
            store.opened(gfid);
            OpenFile of = new OpenFile(nfd, gfid, null);
            return new Created(new EntryReply(of.iatt(), pre, parent.restat(), null), of);
        }
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

    private static Gfid newGfid(Loc loc) {
        if (loc.gfid() != null && !loc.gfid().isNull()) return loc.gfid();
        Gfid g = Gfid.random();
        LOG.debug("no gfid requested for {}; using {}", loc, g);
        return g;
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
}
