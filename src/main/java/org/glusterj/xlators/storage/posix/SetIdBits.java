package org.glusterj.xlators.storage.posix;

import org.glusterj.core.Gfid;

/**
 * Clears a file's set-user-ID bit, and its set-group-ID bit when it is group-executable (without
 * group execute it marks mandatory locking, not a set-group-ID program), as Linux does when a
 * process without CAP_FSETID writes to or truncates it. The brick writes as root, so its own kernel
 * keeps the bits: the client says when to clear them ({@link PosixXlator#KILL_SETID_KEY}).
 *
 * <p>Like Linux, before the data changes, so that nothing sees the new data with the bits, and
 * under a lock that every chmod here takes too ({@link #lockFor}): the clearing writes back
 * permissions it has just read, which must not undo a chmod that came in between.
 */
final class SetIdBits {
    private static final int S_ISUID = 04000, S_ISGID = 02000, S_ISVTX = 01000, S_IXGRP = 010, PERMS = 07777;
    /**
     * cluster/distribute marks a file that a rebalance is moving with set-group-ID and sticky
     * together (its MIGRATING_BITS); that set-group-ID is no program's, and clearing it would make
     * distribute stop mirroring writes to the new copy. The rebalance drops it when done.
     */
    private static final int MIGRATING = S_ISGID | S_ISVTX;
    private static final Object[] LOCKS = new Object[64];

    static {
        for (int i = 0; i < LOCKS.length; i++) LOCKS[i] = new Object();
    }

    private SetIdBits() {
    }

    /** Held while this brick reads and changes a file's mode. */
    static Object lockFor(Gfid gfid) {
        return LOCKS[Math.floorMod(gfid.hashCode(), LOCKS.length)];
    }

    /** The bits a write or truncate clears from {@code mode}; 0 if none. */
    static int toClear(int mode) {
        int perms = mode & PERMS;
        int clear = perms & S_ISUID;
        if ((perms & MIGRATING) != MIGRATING && (perms & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) clear |= S_ISGID;
        return clear;
    }

    /**
     * Clears them on the open file {@code fd} if {@code modeBefore} (read just before) says there
     * are any; reads the mode again under the lock.
     */
    static void clear(int fd, Gfid gfid, int modeBefore) {
        if (toClear(modeBefore) == 0) return;
        synchronized (lockFor(gfid)) {
            int perms = Sys.fstat(fd).mode & PERMS;
            int clear = toClear(perms);
            if (clear != 0) Sys.check(Sys.C.fchmod(fd, perms & ~clear), "fchmod (clearing set-id bits)");
        }
    }
}
