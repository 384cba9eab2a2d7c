package org.glusterj.xlators.storage.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The libc calls storage/posix needs (glibc, x86_64 Linux). Paths are NUL-terminated UTF-8 byte
 * arrays built by {@link Sys#cstr}, so that names never depend on the JVM's default charset.
 * Buffer addresses are passed as {@code long} (Netty direct memory) to avoid copies.
 */
public interface LibC {
    int openat(int dirfd, @In byte[] path, int flags, int mode);

    long syscall(long number, int dirfd, @In byte[] path, @In long[] how, long size);

    int close(int fd);

    /** For F_DUPFD_CLOEXEC. */
    int fcntl(int fd, int cmd, int arg);

    long pread(int fd, long buf, long count, long offset);

    long pwrite(int fd, long buf, long count, long offset);

    /** {@code iov} is one struct iovec: {address, length}. */
    long preadv2(int fd, @In long[] iov, int iovcnt, long offset, int flags);

    int fstat(int fd, @Out byte[] stat);

    int fstatat(int dirfd, @In byte[] path, @Out byte[] stat, int flags);

    int fstatvfs(int fd, @Out byte[] statvfs);

    long lgetxattr(@In byte[] path, @In byte[] name, @Out byte[] value, long size);

    long fgetxattr(int fd, @In byte[] name, @Out byte[] value, long size);

    int lsetxattr(@In byte[] path, @In byte[] name, @In byte[] value, long size, int flags);

    int fsetxattr(int fd, @In byte[] name, @In byte[] value, long size, int flags);

    long llistxattr(@In byte[] path, @Out byte[] list, long size);

    long flistxattr(int fd, @Out byte[] list, long size);

    int lremovexattr(@In byte[] path, @In byte[] name);

    int fremovexattr(int fd, @In byte[] name);

    int mkdirat(int dirfd, @In byte[] path, int mode);

    int mknodat(int dirfd, @In byte[] path, int mode, long dev);

    int symlinkat(@In byte[] target, int dirfd, @In byte[] path);

    long readlinkat(int dirfd, @In byte[] path, @Out byte[] buf, long size);

    int linkat(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath, int flags);

    int renameat(int olddirfd, @In byte[] oldpath, int newdirfd, @In byte[] newpath);

    int unlinkat(int dirfd, @In byte[] path, int flags);

    int fchownat(int dirfd, @In byte[] path, int uid, int gid, int flags);

    int fchown(int fd, int uid, int gid);

    int fchmod(int fd, int mode);

    int chmod(@In byte[] path, int mode);

    int utimensat(int dirfd, @In byte[] path, @In long[] times, int flags);

    int futimens(int fd, @In long[] times);

    int ftruncate(int fd, long length);

    int fallocate(int fd, int mode, long offset, long len);

    long lseek(int fd, long offset, int whence);

    int fsync(int fd);

    int fdatasync(int fd);

    int fcntl(int fd, int cmd, @In @Out byte[] flock);

    Pointer fdopendir(int fd);

    Pointer readdir(Pointer dir);

    void seekdir(Pointer dir, long loc);

    void rewinddir(Pointer dir);

    int closedir(Pointer dir);
}
