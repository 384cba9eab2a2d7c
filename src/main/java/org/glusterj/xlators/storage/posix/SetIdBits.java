package org.glusterj.xlators.storage.posix;

import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;

/**
 * Clears a file's set-user-ID bit, and its set-group-ID bit when it is group-executable (without
 * group execute it marks mandatory locking, not a set-group-ID program), as Linux does when a
 * process without CAP_FSETID writes to or truncates it. The brick writes as root, so its own kernel
 * keeps the bits: the client says when to clear them ({@link PosixXlator#KILL_SETID_KEY}).
 */
final class SetIdBits {
    private static final int S_ISUID = 04000, S_ISGID = 02000, S_IXGRP = 010, PERMS = 07777;

    private SetIdBits() {
    }

    /** {@code after} (the file's attributes after the change), with the bits cleared if set. */
    static Iatt clear(int fd, Gfid gfid, Iatt after) {
        int perms = after.mode() & PERMS;
        int kill = perms & S_ISUID;
        if ((perms & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) kill |= S_ISGID;
        if (kill == 0) return after;
        Sys.check(Sys.C.fchmod(fd, perms & ~kill), "fchmod (clearing set-id bits)");
        return Sys.fstat(fd).toIatt(gfid);
    }
}
