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

    void close() {
        if (dirStream != null) Sys.C.closedir(dirStream);
        else Sys.closeQuietly(fd);
    }
}
