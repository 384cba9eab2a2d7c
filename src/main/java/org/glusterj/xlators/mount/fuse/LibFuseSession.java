package org.glusterj.xlators.mount.fuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.types.size_t;

/**
 * The part of libfuse 2.9 that jnr-fuse does not bind: {@code fuse_setup}/{@code fuse_teardown}
 * and the session calls its {@code fuse_loop_mt} is made of, so that the request loop can run on
 * Java threads (see {@link FuseSessionLoop}). Symbol versions: the unversioned names resolve to
 * the FUSE_2.6 {@code fuse_setup}/{@code fuse_teardown} and the FUSE_2.9 buffer calls.
 */
public interface LibFuseSession {

    /** Parses argv, mounts, creates the fuse handle; NULL on failure (libfuse printed why on stderr). */
    Pointer fuse_setup(int argc, Pointer argv, Pointer op, @size_t long opSize, Pointer mountpointOut,
                       Pointer multithreadedOut, Pointer userData);

    /** Unmounts (lazily), calls the destroy op and frees the handle and the mountpoint string. */
    void fuse_teardown(Pointer fuse, Pointer mountpoint);

    @IgnoreError
    Pointer fuse_get_session(Pointer fuse);

    @IgnoreError
    int fuse_start_cleanup_thread(Pointer fuse);

    @IgnoreError
    void fuse_stop_cleanup_thread(Pointer fuse);

    @IgnoreError
    Pointer fuse_session_next_chan(Pointer session, Pointer chan);

    @IgnoreError
    @size_t
    long fuse_chan_bufsize(Pointer chan);

    @IgnoreError
    int fuse_session_exited(Pointer session);

    @IgnoreError
    void fuse_session_exit(Pointer session);

    /** Blocks for the next request; &gt;0 bytes, 0 when the session has ended, -errno on error. */
    @IgnoreError
    int fuse_session_receive_buf(Pointer session, Pointer fuseBuf, Pointer chanInOut);

    /** Runs the request, i.e. calls the filesystem's operation on this thread and replies. */
    @IgnoreError
    void fuse_session_process_buf(Pointer session, Pointer fuseBuf, Pointer chan);

    /**
     * Whether the kernel interrupted the request this thread is serving (the process that made it
     * got a signal). Reported only with the "intr" mount option; valid only inside a callback.
     */
    @IgnoreError
    int fuse_interrupted();

    /**
     * A channel with our own ops (struct fuse_chan_ops: receive, send, destroy); libfuse caps
     * max_write at its {@code bufsize} minus 4096 when it processes FUSE_INIT through it.
     */
    @IgnoreError
    Pointer fuse_chan_new(Pointer ops, int fd, @size_t long bufsize, Pointer data);

    /** Frees a channel from {@link #fuse_chan_new}; calls its destroy op if any (ours has none). */
    @IgnoreError
    void fuse_chan_destroy(Pointer chan);

    /** The /dev/fuse file descriptor of a channel. */
    @IgnoreError
    int fuse_chan_fd(Pointer chan);

    /** Tells the kernel to drop a node's cached attributes (off &lt; 0) and pages; 0 or -errno. */
    @IgnoreError
    int fuse_lowlevel_notify_inval_inode(Pointer chan, long nodeId, long off, long len);

    /** Loads libfuse 2 the way jnr-fuse does, so both bind the same library. */
    static LibFuseSession load() {
        try {
            return LibraryLoader.create(LibFuseSession.class).failImmediately().load("fuse");
        } catch (LinkageError | RuntimeException e) {
            return LibraryLoader.create(LibFuseSession.class).failImmediately().load("libfuse.so.2");
        }
    }
}
