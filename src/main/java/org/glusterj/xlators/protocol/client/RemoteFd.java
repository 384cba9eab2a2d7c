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
    final Gfid gfid;
    final int flags;
    final boolean directory;
    private volatile long remoteId;
    private volatile boolean lost;
    private boolean reopening; // guarded by this
    private boolean released; // guarded by this

    RemoteFd(Gfid gfid, int flags, boolean directory, long remoteId) {
        this.gfid = gfid;
        this.flags = flags;
        this.directory = directory;
        this.remoteId = remoteId;
    }

    long remoteId() {
        return remoteId;
    }

    /** The open(2) flags to reopen with: not those that would create or truncate again. */
    int reopenFlags() {
        return flags & ~(O_CREAT | O_EXCL | O_TRUNC);
    }

    void reopened(long id) {
        remoteId = id;
    }

    /**
     * A reconnection's setup is about to reopen this fd: false if it was released meanwhile (it
     * must not be opened again). Until {@link #setupDone} its id is not one a RELEASE may carry
     * yet: the old one died with the old connection, the new one may still be on its way.
     */
    synchronized boolean startReopen() {
        if (released) return false;
        reopening = true;
        return true;
    }

    /**
     * The connection that reopened this fd is set up and serving: whether it was released while
     * being reopened, so that its RELEASE, held back until now, must be sent.
     */
    synchronized boolean setupDone() {
        reopening = false;
        return released && !lost;
    }

    /**
     * The fd is released: whether its RELEASE is to be sent now. Not while a reconnection's setup is
     * reopening it ({@link #setupDone} says when), nor if it could not be reopened.
     */
    synchronized boolean release() {
        released = true;
        return !reopening && !lost;
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
