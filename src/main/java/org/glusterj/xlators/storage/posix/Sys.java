package org.glusterj.xlators.storage.posix;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Runtime;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;

/**
 * Thin checked wrappers over {@link LibC}: a failing call becomes a {@link FopException} carrying
 * the native errno, so fops can propagate errors without translating each call site.
 */
final class Sys {
    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3;
    static final int O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000;
    static final int O_NONBLOCK = 04000, O_DIRECT = 040000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000;
    static final int O_CLOEXEC = 02000000, O_PATH = 010000000, O_NOATIME = 01000000;
    static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    static final int XATTR_CREATE = 1, XATTR_REPLACE = 2;
    static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2, FALLOC_FL_ZERO_RANGE = 0x10;
    static final int F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_DUPFD_CLOEXEC = 1030;

    private static final long SYS_OPENAT2 = 437;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;
    private static final int EINTR = 4, ENOSYS = 38, ERANGE = 34;
    /** First buffer size for reading an xattr value; larger values take a second call for their size. */
    static final int XATTR_GUESS = 256;

    static final LibC C = LibraryLoader.create(LibC.class)
            .option(LibraryOption.SaveError, true)
            .load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(C);

    /** openat2(2) exists since Linux 5.6; older kernels (or seccomp filters) fall back to a walk. */
    static volatile boolean openat2Works = true;

    private Sys() {
    }

    static int errno() {
        return LastError.getLastError(RUNTIME);
    }

    static FopException fail(String what) {
        int e = errno();
        return Errno.of(e).exception(what);
    }

    static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    static int check(int r, String what) {
        if (r < 0) throw fail(what);
        return r;
    }

    static long check(long r, String what) {
        if (r < 0) throw fail(what);
        return r;
    }

    static void closeQuietly(int fd) {
        if (fd >= 0) C.close(fd);
    }

    /** A new fd (close-on-exec) for the open file description behind {@code fd}. */
    static int dup(int fd) {
        return check(C.fcntl(fd, F_DUPFD_CLOEXEC, 0), "dup");
    }

    static int openat(int dirfd, String name, int flags, int mode) {
        while (true) {
            int fd = C.openat(dirfd, cstr(name), flags | O_CLOEXEC, mode);
            if (fd >= 0) return fd;
            if (errno() != EINTR) throw fail("open " + name);
        }
    }

    /**
     * Opens {@code relPath} below {@code rootFd} without following any symlink and without
     * leaving the tree (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or a component-by-component
     * O_NOFOLLOW walk). An empty path opens the root itself.
     */
    static int openBeneath(int rootFd, String relPath, int flags) {
        if (relPath.getBytes(StandardCharsets.UTF_8).length < PATH_PIECE) return openBeneathOnce(rootFd, relPath, flags);
        // One open resolves at most PATH_MAX (4096) bytes, but a directory may be nested deeper
        // than that (users reach it relative to their working directory): open it piece by piece.
        List<String> pieces = pathPieces(relPath);
        int dir = rootFd;
        try {
            for (int i = 0; i < pieces.size() - 1; i++) {
                int next = openBeneathOnce(dir, pieces.get(i), O_PATH | O_DIRECTORY);
                if (dir != rootFd) C.close(dir);
                dir = next;
            }
            return openBeneathOnce(dir, pieces.get(pieces.size() - 1), flags);
        } finally {
            if (dir != rootFd) C.close(dir);
        }
    }

    /** Below PATH_MAX with room to spare; a piece is whole components (each at most 255 bytes). */
    static final int PATH_PIECE = 2048;

    /** relPath cut at slashes into pieces of fewer than PATH_PIECE bytes each. */
    static List<String> pathPieces(String relPath) {
        List<String> pieces = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int curBytes = 0;
        for (String part : relPath.split("/")) {
            int bytes = part.getBytes(StandardCharsets.UTF_8).length;
            if (cur.length() > 0 && curBytes + 1 + bytes >= PATH_PIECE) {
                pieces.add(cur.toString());
                cur.setLength(0);
                curBytes = 0;
            }
            if (cur.length() > 0) {
                cur.append('/');
                curBytes++;
            }
            cur.append(part);
            curBytes += bytes;
        }
        pieces.add(cur.toString());
        return pieces;
    }

    private static int openBeneathOnce(int rootFd, String relPath, int flags) {
        if (relPath.isEmpty()) return openat(rootFd, ".", flags, 0);
        if (openat2Works) {
            long[] how = {flags | O_CLOEXEC | O_NOFOLLOW, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
            while (true) {
                long fd = C.syscall(SYS_OPENAT2, rootFd, cstr(relPath), how, 24);
                if (fd >= 0) return (int) fd;
                int e = errno();
                if (e == EINTR) continue;
                if (e == ENOSYS || e == 1 /* EPERM from a seccomp filter */) {
                    openat2Works = false;
                    break;
                }
                throw Errno.of(e).exception("open " + relPath);
            }
        }
        String[] parts = relPath.split("/");
        int dir = rootFd;
        try {
            for (int i = 0; i < parts.length - 1; i++) {
                if (parts[i].equals("..")) throw Errno.EXDEV.exception("path leaves the brick: " + relPath);
                int next = openat(dir, parts[i], O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
                if (dir != rootFd) C.close(dir);
                dir = next;
            }
            String last = parts[parts.length - 1];
            if (last.equals("..")) throw Errno.EXDEV.exception("path leaves the brick: " + relPath);
            return openat(dir, last, flags | O_NOFOLLOW, 0);
        } finally {
            if (dir != rootFd) C.close(dir);
        }
    }

    static StatBuf fstatat(int dirfd, String name) {
        byte[] b = new byte[StatBuf.SIZE];
        check(C.fstatat(dirfd, cstr(name), b, AT_SYMLINK_NOFOLLOW), "stat " + name);
        return new StatBuf(b);
    }

    /** Like {@link #fstatat} but null when the name does not exist. */
    static StatBuf fstatatOrNull(int dirfd, String name) {
        byte[] b = new byte[StatBuf.SIZE];
        if (C.fstatat(dirfd, cstr(name), b, AT_SYMLINK_NOFOLLOW) == 0) return new StatBuf(b);
        if (errno() == Errno.ENOENT.code) return null;
        throw fail("stat " + name);
    }

    static StatBuf fstat(int fd) {
        byte[] b = new byte[StatBuf.SIZE];
        check(C.fstat(fd, b), "fstat");
        return new StatBuf(b);
    }

    /** A path that names {@code name} inside the directory open as {@code dirfd}, for calls that have no *at form. */
    static String procPath(int dirfd, String name) {
        return "/proc/self/fd/" + dirfd + "/" + name;
    }

    /** The value of an xattr, or null when it does not exist (ENODATA). */
    static byte[] lgetxattr(String path, String name) {
        byte[] p = cstr(path);
        byte[] n = cstr(name);
        return getxattr(name, (value, size) -> C.lgetxattr(p, n, value, size));
    }

    static byte[] fgetxattr(int fd, String name) {
        byte[] n = cstr(name);
        return getxattr(name, (value, size) -> C.fgetxattr(fd, n, value, size));
    }

    /** One getxattr call: the value's length, or with a null value its size; -1 and errno on failure. */
    private interface XattrRead {
        long into(byte[] value, long size);
    }

    private static byte[] getxattr(String name, XattrRead read) {
        // Most values (gfid, linkto) fit a small buffer: one call instead of asking the size first.
        byte[] v = new byte[XATTR_GUESS];
        while (true) {
            long got = read.into(v, v.length);
            if (got >= 0) return got == v.length ? v : Arrays.copyOf(v, (int) got);
            if (errno() == Errno.ENODATA.code) return null;
            if (errno() != ERANGE) throw fail("getxattr " + name);
            long len = read.into(null, 0); // the value grew past the buffer: ask its size
            if (len < 0) {
                if (errno() == Errno.ENODATA.code) return null;
                throw fail("getxattr " + name);
            }
            v = new byte[(int) len];
        }
    }

    /** The NUL-separated name list of llistxattr/flistxattr, split. */
    static String[] splitNames(byte[] list, int len) {
        if (len == 0) return new String[0];
        return new String(list, 0, len - (list[len - 1] == 0 ? 1 : 0), StandardCharsets.UTF_8).split("\0");
    }

    static String[] llistxattr(String path) {
        byte[] p = cstr(path);
        while (true) {
            long len = check(C.llistxattr(p, null, 0), "listxattr");
            byte[] b = new byte[(int) len];
            long got = C.llistxattr(p, b, b.length);
            if (got >= 0) return splitNames(b, (int) got);
            if (errno() != ERANGE) throw fail("listxattr");
        }
    }

    static String[] flistxattr(int fd) {
        while (true) {
            long len = check(C.flistxattr(fd, null, 0), "listxattr");
            byte[] b = new byte[(int) len];
            long got = C.flistxattr(fd, b, b.length);
            if (got >= 0) return splitNames(b, (int) got);
            if (errno() != ERANGE) throw fail("listxattr");
        }
    }

    static String readlinkat(int dirfd, String name) {
        byte[] buf = new byte[4096];
        long n = check(C.readlinkat(dirfd, cstr(name), buf, buf.length), "readlink " + name);
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }

    /** readlinkat, or null when the name does not exist. */
    static String readlinkatOrNull(int dirfd, String name) {
        byte[] buf = new byte[4096];
        long n = C.readlinkat(dirfd, cstr(name), buf, buf.length);
        if (n < 0) {
            int e = errno();
            if (e == Errno.ENOENT.code || e == Errno.EINVAL.code) return null;
            throw Errno.of(e).exception("readlink " + name);
        }
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    }

    /**
     * chmod without following a symlink: Linux has no lchmod, so the object is pinned with an
     * O_PATH|O_NOFOLLOW fd and changed through that fd's /proc link. Symlinks have no mode of their own.
     */
    static void chmodNoFollow(int dirFd, String name, int mode) {
        int pfd = openat(dirFd, name, O_PATH | O_NOFOLLOW, 0);
        try {
            if (fstat(pfd).isSymlink()) return;
            check(C.chmod(cstr("/proc/self/fd/" + pfd), mode), "chmod " + name);
        } finally {
            closeQuietly(pfd);
        }
    }

    static boolean isEintr() {
        return errno() == EINTR;
    }
}
