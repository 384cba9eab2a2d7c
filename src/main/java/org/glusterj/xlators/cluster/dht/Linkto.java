package org.glusterj.xlators.cluster.dht;

import java.nio.charset.StandardCharsets;
import org.glusterj.core.FileType;
import org.glusterj.core.Iatt;

/**
 * Linkto files: a zero-byte regular file with mode exactly {@code ---------T} on a name's hashed
 * subvolume, whose xattr names the subvolume that holds the data (GlusterFS stores the name with
 * a trailing NUL).
 */
final class Linkto {
    static final int MODE = FileType.S_IFREG | 01000;

    private Linkto() {
    }

    static String xattrName(String layoutXattr) {
        return layoutXattr + ".linkto";
    }

    /**
     * Looks like a linkto file by its attributes alone (all that readdirp gives us): mode exactly
     * sticky, any size, since a file being migrated is filled while it still has that mode.
     */
    static boolean looksLike(Iatt a) {
        return a != null && a.isRegular() && (a.mode() & FileType.PERM_MASK) == 01000;
    }

    /**
     * Mode bits added to a file's old copy while a rebalance copies it elsewhere (GlusterFS's
     * phase 1): sticky and set-group-id, on top of its permissions. Writes through fds open on it
     * must also be done on the new copy, which its linkto xattr names.
     */
    static final int MIGRATING_BITS = 03000;
    private static final int S_ISUID = 04000, S_ISGID = 02000;

    /**
     * The mode a moved file ends with: its permissions at the end of the copy (a chmod meanwhile
     * stays) and the set-group-ID and sticky bits it had before the move borrowed them, but not
     * set-group-ID if a write cleared set-user-ID meanwhile (storage/posix leaves the borrowed
     * bits alone, and such a write clears both).
     */
    static int movedMode(Iatt before, Iatt atEnd) {
        int now = atEnd.mode() & FileType.PERM_MASK & ~MIGRATING_BITS;
        int borrowed = before.mode() & MIGRATING_BITS;
        if ((before.mode() & S_ISUID) != 0 && (now & S_ISUID) == 0) borrowed &= ~S_ISGID;
        return now | borrowed;
    }

    static boolean migrating(Iatt a) {
        return a != null && a.isRegular() && (a.mode() & MIGRATING_BITS) == MIGRATING_BITS;
    }

    /**
     * Attributes as applications should see them: without the migration bits a rebalance adds for
     * the duration of a copy (GlusterFS strips them too).
     */
    static Iatt visible(Iatt a) {
        if (!migrating(a)) return a;
        return new Iatt(a.gfid(), a.mode() & ~MIGRATING_BITS, a.nlink(), a.uid(), a.gid(), a.rdev(), a.size(),
                a.blocks(), a.blksize(), a.atimeSec(), a.atimeNsec(), a.mtimeSec(), a.mtimeNsec(), a.ctimeSec(),
                a.ctimeNsec());
    }

    static byte[] encode(String subvolName) {
        return (subvolName + "\0").getBytes(StandardCharsets.UTF_8);
    }

    static String decode(byte[] raw) {
        int len = raw.length;
        while (len > 0 && raw[len - 1] == 0) len--;
        return new String(raw, 0, len, StandardCharsets.UTF_8);
    }
}
