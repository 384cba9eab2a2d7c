package org.glusterj.xlators.storage.posix;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.Pointer;
import org.glusterj.core.Gfid;

/**
 * storage/posix's state for an open {@link org.glusterj.core.Fd}: the native fd, and for
 * directories the libc DIR stream with the cookie it stands at (readdir resumes without seeking
 * when the next request continues where the last one stopped).
 *
 * <p>A release can come while fops on the same fd are still running (protocol/server handles it
 * on its event loop while io-threads runs them on its pool; a disconnect releases every fd of
 * the client at once). Closing then would let those fops use a descriptor number the kernel may
 * already have given to another file. So the state is reference counted: the fd itself holds one
 * reference until its release, every fop holds one while it runs ({@link #retain}/{@link #drop}),
 * and whoever drops the last closes the native fd. Once released, no new fop gets in.
 */
final class OpenFile {
    /**
     * What a release leaves on an fd that nothing was opened for here: a fop arriving after the
     * release fails with EBADF instead of opening the file by gfid for an fd nobody will release again.
     */
    static final OpenFile RELEASED = new OpenFile();

    final int fd;
    final Gfid gfid;
    final Pointer dirStream;
    /** The cookie after the last entry returned; guarded by this object. */
    long position = -1;
    /** The fd's own reference (until its release) plus one per fop running on it. */
    private final AtomicInteger users;
    private final AtomicBoolean released;
    /** Guarded by this object. */
    private boolean closed;

    OpenFile(int fd, Gfid gfid, Pointer dirStream) {
        this.fd = fd;
        this.gfid = gfid;
        this.dirStream = dirStream;
        this.users = new AtomicInteger(1);
        this.released = new AtomicBoolean();
    }

    private OpenFile() {
        this.fd = -1;
        this.gfid = null;
        this.dirStream = null;
        this.users = new AtomicInteger(0);
        this.released = new AtomicBoolean(true);
    }

    org.glusterj.core.Iatt iatt() {
        return Sys.fstat(fd).toIatt(gfid);
    }

    boolean isDir() {
        return dirStream != null;
    }

    /** A fop's reference, to be given back with {@link #drop}; false when the fd was released (or closed). */
    boolean retain() {
        if (released.get()) return false;
        for (int n = users.get(); n > 0; n = users.get()) {
            if (users.compareAndSet(n, n + 1)) return true;
        }
        return false;
    }

    /** Gives a fop's reference back; true when it was the last, and the caller must {@link #close} it. */
    boolean drop() {
        int n = users.decrementAndGet();
        if (n < 0) {
            throw new IllegalStateException("storage/posix: open file " + gfid + " dropped more often than retained");
        }
        return n == 0;
    }

    /**
     * The fd's release: gives its own reference back, once; true when no fop holds one and the
     * caller must {@link #close} it.
     */
    boolean release() {
        return released.compareAndSet(false, true) && drop();
    }

    /**
     * Closes the native fd (and a directory's stream); called by whoever dropped the last
     * reference. Idempotent, and done under this object's lock, which a readdir holds while it
     * walks the stream: even a reader that took no reference never walks a freed stream.
     */
    synchronized void close() {
        if (closed) return;
        closed = true;
        if (dirStream == null) {
            Sys.closeQuietly(fd);
        } else {
            Sys.C.closedir(dirStream);
        }
    }

    /** Whether it was closed; the caller holds this object's lock. */
    boolean closed() {
        return closed;
    }
}
