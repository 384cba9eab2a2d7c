package org.glusterj.xlators.mount.fuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers written to /dev/fuse directly, for the requests the session loop serves without libfuse
 * (FUSE_LSEEK, renames onto themselves) or whose libfuse answer it rewrites (FUSE_INIT).
 */
final class DevFuseAnswers {
    private static final Logger log = LoggerFactory.getLogger(DevFuseAnswers.class);
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();
    // struct fuse_out_header: len u32, error s32, unique u64.
    static final int OUT_HEADER = 16;

    /** libc's write(2), to answer on the /dev/fuse descriptor. */
    public interface Write {
        @IgnoreError
        @ssize_t
        long write(int fd, Pointer buf, @size_t long count);
    }

    private static volatile Write libc;

    private DevFuseAnswers() {
    }

    /**
     * Writes the {@code len}-byte answer in {@code answer} to {@code devFuse}.
     *
     * @return false if it did not all go (logged, naming {@code what}); the kernel then waits for
     *         it until the session ends, and there is nothing better to do
     */
    static boolean write(int devFuse, Pointer answer, int len, String what) {
        long written = libc().write(devFuse, answer, len);
        if (written != len) {
            log.error("answering {} on /dev/fuse wrote {} of {} bytes", what, written, len);
            return false;
        }
        return true;
    }

    /** Answers request {@code unique} with {@code -errno}; false as {@link #write}. */
    static boolean error(int devFuse, long unique, int errno, String what) {
        Pointer answer = Memory.allocateDirect(RUNTIME, OUT_HEADER, true);
        answer.putInt(0, OUT_HEADER);
        answer.putInt(4, -errno);
        answer.putLong(8, unique);
        return write(devFuse, answer, OUT_HEADER, what);
    }

    private static Write libc() {
        Write w = libc;
        if (w == null) {
            synchronized (DevFuseAnswers.class) {
                if (libc == null) libc = LibraryLoader.create(Write.class).failImmediately().load("c");
                w = libc;
            }
        }
        return w;
    }
}
