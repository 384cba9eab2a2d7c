package org.glusterj.xlators.mount.fuse;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FUSE_LSEEK (SEEK_DATA/SEEK_HOLE), which libfuse 2.9 does not know: it would answer ENOSYS, and
 * the kernel would then treat every file as all data (SEEK_DATA returns the offset, SEEK_HOLE the
 * size), so sparse-aware programs copy holes as zeros. The session loop hands the raw request
 * here instead of to libfuse, and the answer is written to /dev/fuse directly.
 */
final class LseekRequests {
    private static final Logger log = LoggerFactory.getLogger(LseekRequests.class);
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();

    static final int FUSE_LSEEK = 46;
    // struct fuse_in_header: len u32, opcode u32, unique u64, nodeid u64, uid, gid, pid u32, padding u32.
    private static final int UNIQUE_AT = 8, UID_AT = 24, GID_AT = 28, PID_AT = 32, IN_HEADER = 40;
    // struct fuse_lseek_in: fh u64, offset u64, whence u32, padding u32.
    private static final int FH_AT = IN_HEADER, OFFSET_AT = IN_HEADER + 8, WHENCE_AT = IN_HEADER + 16;
    private static final int LSEEK_IN_END = IN_HEADER + 24;
    // struct fuse_out_header, then fuse_lseek_out: offset u64.
    private static final int OUT_HEADER = DevFuseAnswers.OUT_HEADER, OUT_WITH_OFFSET = OUT_HEADER + 8;
    private static final int EINVAL = 22;

    /** What answers the seek: the resulting offset, or -errno. */
    @FunctionalInterface
    interface Seeker {
        long seek(long fh, long offset, int whence, int uid, int gid, int pid);
    }

    private LseekRequests() {
    }

    /**
     * Answers the request in {@code data} ({@code size} bytes) on {@code devFuse}.
     *
     * @return false if the answer could not be written (the kernel then waits for it until the
     *         session ends; there is nothing better to do)
     */
    static boolean answer(Pointer data, int size, int devFuse, Seeker seeker) {
        long unique = data.getLong(UNIQUE_AT);
        long result;
        if (size < LSEEK_IN_END) {
            log.warn("FUSE_LSEEK request of {} bytes, shorter than its {}-byte layout", size, LSEEK_IN_END);
            result = -EINVAL;
        } else {
            result = seeker.seek(data.getLong(FH_AT), data.getLong(OFFSET_AT), data.getInt(WHENCE_AT),
                    data.getInt(UID_AT), data.getInt(GID_AT), data.getInt(PID_AT));
        }
        String what = "FUSE_LSEEK " + unique;
        if (result < 0) return DevFuseAnswers.error(devFuse, unique, (int) -result, what);
        Pointer reply = Memory.allocateDirect(RUNTIME, OUT_WITH_OFFSET, true);
        reply.putInt(0, OUT_WITH_OFFSET);
        reply.putInt(4, 0);
        reply.putLong(8, unique);
        reply.putLong(OUT_HEADER, result);
        return DevFuseAnswers.write(devFuse, reply, OUT_WITH_OFFSET, what);
    }
}
