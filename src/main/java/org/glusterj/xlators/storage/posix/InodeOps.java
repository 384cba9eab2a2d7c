package org.glusterj.xlators.storage.posix;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.Errno;
import org.glusterj.core.FileType;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadlinkReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.StatfsReply;
import org.glusterj.core.XattrReply;

/**
 * Attribute and xattr fops on an existing object (GlusterFS posix-inode-fd-ops), by Loc or by
 * open fd. Never follows a symlink: path-based calls are *at calls with AT_SYMLINK_NOFOLLOW or
 * l* xattr calls through the object's directory fd.
 */
final class InodeOps {
    private static final int R_OK = 4, W_OK = 2, X_OK = 1;

    private final BrickStore store;

    InodeOps(BrickStore store) {
        this.store = store;
    }

    Iatt stat(Loc loc) {
        try (Obj o = store.resolve(loc)) {
            return o.iatt();
        }
    }

    Done access(Caller c, Loc loc, int mask) {
        try (Obj o = store.resolve(loc)) {
            if (!permits(c, o.stat, mask)) throw Errno.EACCES.exception("access " + mask + " to " + loc);
            return Done.OK;
        }
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

    ReadlinkReply readlink(Loc loc, int size) {
        try (Obj o = store.resolve(loc)) {
            if (!o.stat.isSymlink()) throw Errno.EINVAL.exception(loc + " is not a symlink");
            String target = Sys.readlinkat(o.dirFd, o.name);
            byte[] b = target.getBytes(StandardCharsets.UTF_8);
            if (size > 0 && b.length > size) target = new String(b, 0, size, StandardCharsets.UTF_8);
            return new ReadlinkReply(target, o.iatt(), null);
        }
    }

    /** Owner first: chown clears set-id bits, which a chmod in the same request may set again. */
    ChangeReply setattr(Loc loc, SetAttr attr) {
        try (Obj o = store.resolve(loc)) {
            Iatt pre = o.iatt();
            if (attr.has(SetAttr.UID) || attr.has(SetAttr.GID)) {
                Sys.check(Sys.C.fchownat(o.dirFd, Sys.cstr(o.name), attr.has(SetAttr.UID) ? attr.uid() : -1,
                        attr.has(SetAttr.GID) ? attr.gid() : -1, Sys.AT_SYMLINK_NOFOLLOW), "chown " + loc);
            }
            if (attr.has(SetAttr.MODE)) {
                synchronized (SetIdBits.lockFor(o.gfid)) {
                    Sys.chmodNoFollow(o.dirFd, o.name, attr.mode() & FileType.PERM_MASK);
                }
            }
            if (attr.has(SetAttr.ATIME) || attr.has(SetAttr.MTIME)) {
                Sys.check(Sys.C.utimensat(o.dirFd, Sys.cstr(o.name), times(attr), Sys.AT_SYMLINK_NOFOLLOW),
                        "utimensat " + loc);
            }
            return new ChangeReply(pre, o.restat(), null);
        }
    }

    ChangeReply fsetattr(OpenFile of, SetAttr attr) {
        Iatt pre = of.iatt();
        if (attr.has(SetAttr.UID) || attr.has(SetAttr.GID)) {
            Sys.check(Sys.C.fchown(of.fd, attr.has(SetAttr.UID) ? attr.uid() : -1,
                    attr.has(SetAttr.GID) ? attr.gid() : -1), "fchown");
        }
        if (attr.has(SetAttr.MODE)) {
            synchronized (SetIdBits.lockFor(of.gfid)) {
                Sys.check(Sys.C.fchmod(of.fd, attr.mode() & FileType.PERM_MASK), "fchmod");
            }
        }
        if (attr.has(SetAttr.ATIME) || attr.has(SetAttr.MTIME)) {
            Sys.check(Sys.C.futimens(of.fd, times(attr)), "futimens");
        }
        return new ChangeReply(pre, of.iatt(), null);
    }

    /** struct timespec[2] for utimensat: atime, mtime; an unset one is UTIME_OMIT. */
    private static long[] times(SetAttr a) {
        return new long[] {
            a.atimeSec(), a.has(SetAttr.ATIME) ? a.atimeNsec() : SetAttr.UTIME_OMIT,
            a.mtimeSec(), a.has(SetAttr.MTIME) ? a.mtimeNsec() : SetAttr.UTIME_OMIT};
    }

    ChangeReply truncate(Loc loc, long size, boolean killSetId) {
        if (size < 0) throw Errno.EINVAL.exception("negative size " + size);
        try (Obj o = store.resolve(loc)) {
            if (o.isDir()) throw Errno.EISDIR.exception(loc.toString());
            if (!o.stat.isRegular()) throw Errno.EINVAL.exception(loc + " is not a regular file");
            int nfd = Sys.openat(o.dirFd, o.name, Sys.O_WRONLY | Sys.O_NOFOLLOW | Sys.O_NONBLOCK, 0);
            try {
                Iatt pre = Sys.fstat(nfd).toIatt(o.gfid);
                if (killSetId) SetIdBits.clear(nfd, o.gfid, pre.mode());
                Sys.check(Sys.C.ftruncate(nfd, size), "truncate " + loc);
                return new ChangeReply(pre, Sys.fstat(nfd).toIatt(o.gfid), null);
            } finally {
                Sys.closeQuietly(nfd);
            }
        }
    }

    /** The brick's filesystem, whatever object the Loc names (it only has to exist). */
    StatfsReply statfs(Loc loc) {
        store.resolve(loc).close();
        return new StatfsReply(StatvfsBuf.of(store.rootFd), null);
    }

    // ---- extended attributes ----

    XattrReply getxattr(Loc loc, String name) {
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
    }

    XattrReply fgetxattr(OpenFile of, String name) {
        if (name != null) return single(name, Sys.fgetxattr(of.fd, name));
        Map<String, byte[]> all = new LinkedHashMap<>();
        for (String n : Sys.flistxattr(of.fd)) {
            if (hidden(n)) continue;
            byte[] v = Sys.fgetxattr(of.fd, n);
            if (v != null) all.put(n, v);
        }
        return new XattrReply(all, null);
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
        for (String n : values.keySet()) checkName(n);
    }

    private static void checkName(String n) {
        if (n == null || n.isEmpty()) throw Errno.EINVAL.exception("empty xattr name");
        if (hidden(n)) throw Errno.EPERM.exception(n + " is maintained by the brick");
    }

    Done setxattr(Loc loc, Map<String, byte[]> values, int flags) {
        checkSettable(values, flags);
        try (Obj o = store.resolve(loc)) {
            byte[] path = Sys.cstr(o.procPath());
            values.forEach((n, v) -> {
                byte[] val = v == null ? new byte[0] : v;
                Sys.check(Sys.C.lsetxattr(path, Sys.cstr(n), val, val.length, flags), "setxattr " + n);
            });
            return Done.OK;
        }
    }

    Done fsetxattr(OpenFile of, Map<String, byte[]> values, int flags) {
        checkSettable(values, flags);
        values.forEach((n, v) -> {
            byte[] val = v == null ? new byte[0] : v;
            Sys.check(Sys.C.fsetxattr(of.fd, Sys.cstr(n), val, val.length, flags), "setxattr " + n);
        });
        return Done.OK;
    }

    Done removexattr(Loc loc, String name) {
        checkName(name);
        try (Obj o = store.resolve(loc)) {
            Sys.check(Sys.C.lremovexattr(Sys.cstr(o.procPath()), Sys.cstr(name)), "removexattr " + name);
            return Done.OK;
        }
    }

    Done fremovexattr(OpenFile of, String name) {
        checkName(name);
        Sys.check(Sys.C.fremovexattr(of.fd, Sys.cstr(name)), "removexattr " + name);
        return Done.OK;
    }
}
