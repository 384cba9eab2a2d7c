package org.glusterj.xlators.mount.fuse;

import java.util.Arrays;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FUSE_RENAME of a name onto itself (same directory node, same name), which libfuse 2.9 cannot
 * serve: its rename write-locks the node of the old name, then waits for the write lock on the
 * node of the new name, which is the same node, so the request waits for itself forever. The
 * kernel holds the directory locked meanwhile, and every later request on that directory queues
 * behind it: the mount hangs.
 *
 * <p>The kernel sends such a rename when its lookup of the target name, which it always
 * revalidates for a rename, disagrees with the source it looked up a moment before: another
 * client removed or replaced the name in between (rename(x, x) of one unchanged name never
 * reaches the filesystem). The name the caller meant is then gone, so the answer is ENOENT, as if
 * the other client's change had come a moment earlier. The session loop hands such requests here
 * instead of to libfuse, and the answer is written to /dev/fuse directly.
 */
final class SameNameRenames {
    private static final Logger log = LoggerFactory.getLogger(SameNameRenames.class);

    static final int FUSE_RENAME = 12;
    static final int ENOENT = 2;
    // struct fuse_in_header: len u32, opcode u32, unique u64, nodeid u64, ...; 40 bytes.
    private static final int OPCODE_AT = 4, UNIQUE_AT = 8, NODEID_AT = 16, IN_HEADER = 40;
    // struct fuse_rename_in: newdir u64; then the old and the new name, each NUL-terminated.
    private static final int NEWDIR_AT = IN_HEADER, NAMES_AT = IN_HEADER + 8;

    private SameNameRenames() {
    }

    /** Whether the {@code size}-byte request in {@code data} renames a name onto itself. */
    static boolean isOntoItself(Pointer data, int size) {
        if (size < NAMES_AT + 4 || data.getInt(OPCODE_AT) != FUSE_RENAME) return false;
        if (data.getLong(NODEID_AT) != data.getLong(NEWDIR_AT)) return false;
        byte[] names = new byte[size - NAMES_AT];
        data.get(NAMES_AT, names, 0, names.length);
        int oldEnd = indexOfNul(names, 0);
        int newEnd = oldEnd < 0 ? -1 : indexOfNul(names, oldEnd + 1);
        return newEnd >= 0 && Arrays.equals(names, 0, oldEnd, names, oldEnd + 1, newEnd);
    }

    /**
     * Answers the rename in {@code data} with ENOENT on {@code devFuse}.
     *
     * @return false if the answer could not be written
     */
    static boolean answer(Pointer data, int devFuse) {
        long unique = data.getLong(UNIQUE_AT);
        log.debug("rename {} of a name onto itself: the name changed under the kernel; answering ENOENT", unique);
        return DevFuseAnswers.error(devFuse, unique, ENOENT, "FUSE_RENAME " + unique);
    }

    private static int indexOfNul(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) return i;
        }
        return -1;
    }
}
