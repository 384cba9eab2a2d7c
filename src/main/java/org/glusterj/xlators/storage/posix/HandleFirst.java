package org.glusterj.xlators.storage.posix;

import java.util.Map;

import org.glusterj.core.Errno;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;

/**
 * Makes a non-directory atomically with respect to lookups: the object is made at its handle
 * path {@code .glusterfs/xx/yy/<gfid>}, given its gfid, owner, mode and any xattrs asked for
 * there (distribute's linkto target), and only then hard-linked to its name. A lookup therefore never sees the name without its gfid (and never
 * gives it a gfid of its own); linkat's EEXIST is the atomic "name already exists" test.
 * Directories cannot be hard-linked: mkdir keeps its own path (see {@link EntryOps#mkdir}).
 */
final class HandleFirst {

    /** The native call that makes the object at {@code path} in {@code dirFd}: a libc result, the new fd for create. */
    @FunctionalInterface
    interface Maker {
        int make(int dirFd, byte[] path);
    }

    /** What was made: its attributes (after linking) and, for create, the open native fd (else -1). */
    record Made(int fd, StatBuf stat) {
    }

    /** Who the new object belongs to and the permission bits it ends up with. */
    record Owner(int uid, int gid, int perm) {
    }

    private final BrickStore store;

    HandleFirst(BrickStore store) {
        this.store = store;
    }

    /** Creates and opens a regular file; the fd is counted as open (see {@link BrickStore#opened}). */
    Made createFile(Obj parent, String name, Gfid gfid, Owner owner, Maker open) {
        return make(parent, name, gfid, owner, "create", open, true, Map.of());
    }

    /** Makes a special file or symlink, with {@code xattrs} set before it has a name. */
    Made makeNode(Obj parent, String name, Gfid gfid, Owner owner, String what, Maker maker, Map<String, byte[]> xattrs) {
        return make(parent, name, gfid, owner, what, maker, false, xattrs);
    }

    private Made make(Obj parent, String name, Gfid gfid, Owner owner, String what, Maker maker, boolean opens,
                      Map<String, byte[]> xattrs) {
        // Same-gfid creations, unlinks and handle repairs serialize on the gfid's lock, so a handle
        // without a name seen under it is a leftover, never someone's creation in progress.
        synchronized (store.lockFor(gfid)) {
            int hd = store.openHandleDir(gfid, true);
            try {
                String handle = gfid.toString();
                int made = makeAtHandle(hd, handle, gfid, what + " " + name, maker);
                int fd = opens ? made : -1;
                try {
                    tag(hd, handle, fd, gfid, owner);
                    for (Map.Entry<String, byte[]> e : xattrs.entrySet()) {
                        byte[] v = e.getValue();
                        Sys.check(Sys.C.lsetxattr(Sys.cstr(Sys.procPath(hd, handle)), Sys.cstr(e.getKey()), v, v.length, 0),
                                "set " + e.getKey());
                    }
                    if (Sys.C.linkat(hd, Sys.cstr(handle), parent.dirFd, Sys.cstr(name), 0) < 0) {
                        throw Sys.fail(what + " " + name);
                    }
                } catch (RuntimeException e) {
                    Sys.C.unlinkat(hd, Sys.cstr(handle), 0);
                    Sys.closeQuietly(fd);
                    throw e;
                }
                StatBuf st;
                try {
                    st = opens ? Sys.fstat(fd) : Sys.fstatat(hd, handle);
                } catch (RuntimeException e) {
                    Sys.closeQuietly(fd);
                    throw e;
                }
                if (opens) store.opened(gfid);
                return new Made(fd, st);
            } finally {
                Sys.closeQuietly(hd);
            }
        }
    }

    /** Runs the maker at the handle path; a handle left by an interrupted creation is cleared once. */
    private int makeAtHandle(int hd, String handle, Gfid gfid, String what, Maker maker) {
        for (boolean retried = false; ; retried = true) {
            int r;
            do {
                r = maker.make(hd, Sys.cstr(handle));
            } while (r < 0 && Sys.isEintr());
            if (r >= 0) return r;
            FopException e = Sys.fail(what);
            if (e.errno() != Errno.EEXIST) throw e;
            if (retried || !store.removeLeftoverHandle(hd, gfid)) {
                throw Errno.EEXIST.exception(what + ": gfid " + gfid + " already names another object");
            }
        }
    }

    /** Gives the new, still nameless object its gfid, owner and mode. */
    private static void tag(int hd, String handle, int fd, Gfid gfid, Owner owner) {
        byte[] g = gfid.toBytes();
        if (fd >= 0) {
            Sys.check(Sys.C.fsetxattr(fd, Sys.cstr(BrickStore.GFID_XATTR), g, 16, Sys.XATTR_CREATE), "set gfid");
            // The brick often made it with the right owner already (root creating as root): then
            // no chown, and no second stat. A chown clears set-user/group-id bits, so it is
            // followed by a fresh look at the mode.
            StatBuf st = Sys.fstat(fd);
            if (st.uid != owner.uid() || st.gid != owner.gid()) {
                Sys.check(Sys.C.fchown(fd, owner.uid(), owner.gid()), "chown");
                st = Sys.fstat(fd);
            }
            if ((st.mode & FileType.PERM_MASK) != owner.perm()) {
                Sys.check(Sys.C.fchmod(fd, owner.perm()), "chmod");
            }
            return;
        }
        Sys.check(Sys.C.lsetxattr(Sys.cstr(Sys.procPath(hd, handle)), Sys.cstr(BrickStore.GFID_XATTR), g, 16,
                Sys.XATTR_CREATE), "set gfid");
        Sys.check(Sys.C.fchownat(hd, Sys.cstr(handle), owner.uid(), owner.gid(), Sys.AT_SYMLINK_NOFOLLOW), "chown");
        StatBuf st = Sys.fstatat(hd, handle);
        if (!st.isSymlink() && (st.mode & FileType.PERM_MASK) != owner.perm()) {
            Sys.chmodNoFollow(hd, handle, owner.perm());
        }
    }
}
