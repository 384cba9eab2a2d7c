package org.glusterj.xlators.storage.posix;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.SeekReply;
import org.glusterj.xlators.performance.iothreads.IoThreadsXlator;

/** Opening files and directories, and the data fops on an open native fd (positional I/O). */
final class FileOps {
    /** Reads bigger than this return short, as read(2) may; it bounds one reply's memory. */
    static final int MAX_READ = 32 << 20;
    private static final int SEEK_DATA = 3, SEEK_HOLE = 4;
    private static final int EOPNOTSUPP = 95;
    private static final int FLOCK_SIZE = 32;
    /** Lookup xdata: in the request, the largest file size (decimal) whose content is wanted; in the reply, the content. */
    static final String CONTENT_KEY = "glusterfs.content";

    private final BrickStore store;

    FileOps(BrickStore store) {
        this.store = store;
    }

    /** The client's open flags as the brick applies them: never create, never follow a symlink, no O_DIRECT. */
    static int flagsForOpen(int flags) {
        return (flags & ~(Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOCTTY | Sys.O_DIRECT)) | Sys.O_NOFOLLOW;
    }

    OpenFile open(Loc loc, int flags) {
        try (Obj o = store.resolve(loc)) {
            if (o.isDir()) {
                if ((flags & Sys.O_ACCMODE) != Sys.O_RDONLY) throw Errno.EISDIR.exception(loc.toString());
                return openDir(o);
            }
            if (!o.stat.isRegular()) {
                throw Errno.EINVAL.exception(loc + " is not a regular file; special files are opened by the client's kernel");
            }
            int nfd = Sys.openat(o.dirFd, o.name, flagsForOpen(flags), 0);
            store.opened(o.gfid);
            return new OpenFile(nfd, o.gfid, null);
        }
    }

    OpenFile opendir(Loc loc) {
        try (Obj o = store.resolve(loc)) {
            if (!o.isDir()) throw Errno.ENOTDIR.exception(loc.toString());
            return openDir(o);
        }
    }

    private static OpenFile openDir(Obj o) {
        int nfd = Sys.openat(o.dirFd, o.name, Sys.O_RDONLY | Sys.O_DIRECTORY | Sys.O_NOFOLLOW, 0);
        Pointer dir = Sys.C.fdopendir(nfd);
        if (dir == null) {
            FopException e = Sys.fail("opendir");
            Sys.closeQuietly(nfd);
            throw e;
        }
        return new OpenFile(nfd, o.gfid, dir);
    }

    /** For an fd nobody opened here (GlusterFS's anonymous fds): read-write if allowed, else read-only. */
    OpenFile openAnonymous(Gfid g) {
        try (Obj o = store.locate(g)) {
            if (o.isDir()) return openDir(o);
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

    /**
     * {@code r} (a lookup's answer for the object {@code name} in the directory open as
     * {@code dirFd}) with the whole content of the file under xdata {@link #CONTENT_KEY} when it is
     * a regular file of at most {@code max} bytes (GlusterFS's quick-read asks this way). The
     * attributes are replaced by those of the file as opened, so that content and size agree; a
     * file that cannot be read is answered without content, since the content is only an offer.
     */
    static EntryReply withContent(EntryReply r, int dirFd, String name, long max) {
        Iatt a = r.attr();
        if (max < 0 || a == null || !a.isRegular() || a.size() > max) return r;
        int nfd;
        try {
            nfd = openNoAtime(dirFd, name);
        } catch (FopException e) {
            return r;
        }
        try {
            StatBuf st = Sys.fstat(nfd);
            if (!st.isRegular() || st.size > max) return r;
            int n = (int) st.size;
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(n, 1));
            try {
                if (NativeIo.pread(nfd, buf, n, 0) != n) return r; // shrank meanwhile
                byte[] content = new byte[n];
                buf.getBytes(0, content);
                return new EntryReply(st.toIatt(a.gfid()), r.preParent(), r.postParent(),
                        r.xdata().with(CONTENT_KEY, content));
            } finally {
                buf.release();
            }
        } catch (FopException e) {
            return r;
        } finally {
            Sys.closeQuietly(nfd);
        }
    }

    /**
     * Content offered with a lookup is not a read by anyone: it must not move the file's atime
     * (with relatime, a read after a utime that set atime before mtime would). O_NOATIME needs the
     * file's owner or CAP_FOWNER; a brick without them reads as any reader does.
     */
    private static int openNoAtime(int dirFd, String name) {
        try {
            return Sys.openat(dirFd, name, Sys.O_RDONLY | Sys.O_NOFOLLOW | Sys.O_NOATIME, 0);
        } catch (FopException e) {
            if (e.errno() != Errno.EPERM) throw e;
            return Sys.openat(dirFd, name, Sys.O_RDONLY | Sys.O_NOFOLLOW, 0);
        }
    }

    /** With {@code cachedOnly}, EAGAIN rather than wait for the disk (see {@link IoThreadsXlator#NOWAIT}). */
    ReadReply readv(OpenFile of, int size, long offset, boolean cachedOnly) {
        if (size < 0 || offset < 0) throw Errno.EINVAL.exception("size " + size + ", offset " + offset);
        int want = Math.min(size, MAX_READ);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(want, 1));
        try {
            int got = cachedOnly ? NativeIo.preadCached(of.fd, buf, want, offset) : NativeIo.pread(of.fd, buf, want, offset);
            if (got < 0) throw Errno.EAGAIN.exception("not all in the page cache");
            buf.writerIndex(got);
            return new ReadReply(buf, of.iatt(), null);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }

    /** Does not release {@code data}: the xlator does, whatever happens. */
    ChangeReply writev(OpenFile of, ByteBuf data, long offset, boolean killSetId) {
        if (offset < 0) throw Errno.EINVAL.exception("negative offset " + offset);
        Iatt pre = of.iatt();
        if (killSetId) SetIdBits.clear(of.fd, of.gfid, pre.mode());
        NativeIo.pwriteAll(of.fd, data, offset);
        return new ChangeReply(pre, of.iatt(), null);
    }

    ChangeReply fsync(OpenFile of, boolean datasync) {
        Iatt pre = of.iatt();
        Sys.check(datasync ? Sys.C.fdatasync(of.fd) : Sys.C.fsync(of.fd), "fsync");
        return new ChangeReply(pre, of.iatt(), null);
    }

    ChangeReply ftruncate(OpenFile of, long size, boolean killSetId) {
        if (size < 0) throw Errno.EINVAL.exception("negative size " + size);
        Iatt pre = of.iatt();
        if (killSetId) SetIdBits.clear(of.fd, of.gfid, pre.mode());
        Sys.check(Sys.C.ftruncate(of.fd, size), "ftruncate");
        return new ChangeReply(pre, of.iatt(), null);
    }

    ChangeReply fallocate(OpenFile of, int mode, long offset, long len) {
        checkRange(offset, len);
        Iatt pre = of.iatt();
        Sys.check(Sys.C.fallocate(of.fd, mode, offset, len), "fallocate");
        return new ChangeReply(pre, of.iatt(), null);
    }

    ChangeReply discard(OpenFile of, long offset, long len) {
        return fallocate(of, Sys.FALLOC_FL_PUNCH_HOLE | Sys.FALLOC_FL_KEEP_SIZE, offset, len);
    }

    ChangeReply zerofill(OpenFile of, long offset, long len) {
        checkRange(offset, len);
        Iatt pre = of.iatt();
        if (Sys.C.fallocate(of.fd, Sys.FALLOC_FL_ZERO_RANGE, offset, len) < 0) {
            int e = Sys.errno();
            if (e != EOPNOTSUPP) throw Errno.of(e).exception("zerofill");
            NativeIo.writeZeros(of.fd, offset, len);
        }
        return new ChangeReply(pre, of.iatt(), null);
    }

    private static void checkRange(long offset, long len) {
        if (offset < 0 || len <= 0) throw Errno.EINVAL.exception("offset " + offset + ", length " + len);
    }

    SeekReply seek(OpenFile of, long offset, int what) {
        if (what != SEEK_DATA && what != SEEK_HOLE) {
            throw Errno.EINVAL.exception("seek whence " + what + "; use SEEK_DATA 3 or SEEK_HOLE 4");
        }
        return new SeekReply(Sys.check(Sys.C.lseek(of.fd, offset, what), "seek"), null);
    }

    /**
     * Byte-range locks with Linux open-file-description locks on this fd. They conflict per fd,
     * not per lock owner, and F_SETLKW does not wait (EAGAIN): waiting and owner semantics belong
     * to features/locks, which normally sits above storage/posix.
     */
    LkReply lk(OpenFile of, int cmd, Flock lock) {
        int ofdCmd = switch (cmd) {
            case Flock.F_GETLK -> Sys.F_OFD_GETLK;
            case Flock.F_SETLK, Flock.F_SETLKW -> Sys.F_OFD_SETLK;
            default -> throw Errno.EINVAL.exception("lk command " + cmd + "; use F_GETLK 5, F_SETLK 6 or F_SETLKW 7");
        };
        // struct flock on x86_64: l_type, l_whence (short), l_start, l_len (off_t), l_pid (must be 0 for OFD locks).
        ByteBuffer b = ByteBuffer.allocate(FLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) lock.type()).putShort(2, (short) lock.whence())
                .putLong(8, lock.start()).putLong(16, lock.len()).putInt(24, 0);
        byte[] raw = b.array();
        Sys.check(Sys.C.fcntl(of.fd, ofdCmd, raw), "lk");
        if (ofdCmd != Sys.F_OFD_GETLK) return new LkReply(lock, null);
        ByteBuffer r = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return new LkReply(new Flock(r.getShort(0), r.getShort(2), r.getLong(8), r.getLong(16), r.getInt(24),
                lock.owner()), null);
    }
}
