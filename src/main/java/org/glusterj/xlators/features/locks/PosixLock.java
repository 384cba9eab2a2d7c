package org.glusterj.xlators.features.locks;

import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;

/**
 * A granted lock or a waiting request over the byte range {@code start..end} (inclusive;
 * {@code end == TO_EOF} reaches past any end of file). {@code fd} is the brick fd it was taken
 * through, so that releasing that fd can drop it.
 */
record PosixLock(LockOwner owner, int type, long start, long end, int pid, Fd fd) {
    static final long TO_EOF = Long.MAX_VALUE;

    PosixLock {
        if (type != Flock.F_RDLCK && type != Flock.F_WRLCK && type != Flock.F_UNLCK) {
            throw Errno.EINVAL.exception("lock type " + type + "; use F_RDLCK 0, F_WRLCK 1 or F_UNLCK 2");
        }
    }

    /**
     * The range a struct flock names, as fcntl(2) reads it: {@code len} 0 is "to end of file", a
     * negative {@code len} covers the bytes before {@code start}. Only SEEK_SET is meaningful on
     * a brick (FUSE always sends absolute ranges).
     */
    static PosixLock of(LockOwner owner, Flock f, int pid, Fd fd) {
        if (f.whence() != 0) {
            throw Errno.EINVAL.exception("lock whence " + f.whence() + ": a brick takes only SEEK_SET (0) ranges");
        }
        long start = f.start();
        long len = f.len();
        if (len < 0) {
            if (start + len < 0) throw Errno.EINVAL.exception("lock range starts before offset 0: start " + start + ", len " + len);
            start += len;
            len = -len;
        }
        if (start < 0) throw Errno.EINVAL.exception("lock start " + start + " is negative");
        long end;
        if (len == 0) {
            end = TO_EOF;
        } else {
            end = start + len - 1;
            if (end < start) throw Errno.EOVERFLOW.exception("lock range start " + start + " len " + len + " overflows");
        }
        return new PosixLock(owner, f.type(), start, end, pid, fd);
    }

    boolean overlaps(long s, long e) {
        return start <= e && s <= end;
    }

    boolean conflictsWith(PosixLock other) {
        return !owner.equals(other.owner) && overlaps(other.start, other.end)
                && (type == Flock.F_WRLCK || other.type == Flock.F_WRLCK);
    }

    PosixLock withRange(long s, long e) {
        return new PosixLock(owner, type, s, e, pid, fd);
    }

    /** As fcntl reports it: SEEK_SET, len 0 for "to end of file". */
    Flock toFlock() {
        return new Flock(type, 0, start, end == TO_EOF ? 0 : end - start + 1, pid, owner.lkOwner());
    }

    @Override
    public String toString() {
        String t = type == Flock.F_RDLCK ? "RD" : type == Flock.F_WRLCK ? "WR" : "UN";
        return t + "[" + start + ".." + (end == TO_EOF ? "EOF" : String.valueOf(end)) + "] pid " + pid + " of " + owner;
    }
}
