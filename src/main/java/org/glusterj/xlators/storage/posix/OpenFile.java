package org.glusterj.xlators.storage.posix;

import jnr.ffi.Pointer;
import org.glusterj.core.Gfid;

/**
 * storage/posix's state for an open {@link org.glusterj.core.Fd}: the native fd, and for
 * directories the libc DIR stream with the cookie it stands at (readdir resumes without seeking
 * when the next request continues where the last one stopped).
 */
final class OpenFile {
    final int fd;
    final Gfid gfid;
    final Pointer dirStream;
    /** The cookie after the last entry returned; guarded by this object. */
    long position = -1;
    /** Whether the directory stream was closed; guarded by this object. */
    private boolean closed;

    OpenFile(int fd, Gfid gfid, Pointer dirStream) {
        this.fd = fd;
        this.gfid = gfid;
        this.dirStream = dirStream;
    }

    org.glusterj.core.Iatt iatt() {
        return Sys.fstat(fd).toIatt(gfid);
    }

    boolean isDir() {
        return dirStream != null;
    }

    /**
     * Closes it. A directory's stream is closed under this object's lock, which a readdir holds
     * while it walks the stream: a releasedir that overtakes a readdir still running (a client's
     * read-ahead in flight as it closes) must not free the stream under it.
     */
    void close() {
        if (dirStream == null) {
            Sys.closeQuietly(fd);
            return;
        }
        synchronized (this) {
            if (closed) return;
            closed = true;
            Sys.C.closedir(dirStream);
        }
    }

    /** Whether the directory stream was closed; the caller holds this object's lock. */
    boolean closed() {
        return closed;
    }
}
