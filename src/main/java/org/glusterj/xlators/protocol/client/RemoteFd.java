package org.glusterj.xlators.protocol.client;

import static org.glusterj.core.OpenFlags.O_CREAT;
import static org.glusterj.core.OpenFlags.O_EXCL;
import static org.glusterj.core.OpenFlags.O_TRUNC;

import org.glusterj.core.Gfid;

/**
 * protocol/client's state for one open fd: the server's id for it, and what is needed to open it
 * again after a reconnection (server fd ids die with the connection).
 */
final class RemoteFd {
    /** open(2) flags that must not be replayed when reopening: they would create or truncate again. */

    final Gfid gfid;
    final int flags;
    final boolean directory;
    private volatile long remoteId;
    private volatile boolean lost;

    RemoteFd(Gfid gfid, int flags, boolean directory, long remoteId) {
        this.gfid = gfid;
        this.flags = flags;
        this.directory = directory;
        this.remoteId = remoteId;
    }

    long remoteId() {
        return remoteId;
    }

    int reopenFlags() {
        return flags & ~(O_CREAT | O_EXCL | O_TRUNC);
    }

    void reopened(long id) {
        remoteId = id;
    }

    /** Could not be reopened after a reconnection: its fops fail with EBADF until released. */
    void markLost() {
        lost = true;
    }

    boolean isLost() {
        return lost;
    }

    @Override
    public String toString() {
        return (directory ? "dir fd " : "fd ") + gfid + "#" + remoteId;
    }
}
