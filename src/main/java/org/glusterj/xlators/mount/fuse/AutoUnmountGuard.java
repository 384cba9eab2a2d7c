package org.glusterj.xlators.mount.fuse;

import org.glusterj.rpc.ChildProcessGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps libfuse's auto_unmount working when the client is killed. With auto_unmount libfuse
 * forks fusermount, which waits for its socket to this process to close and then unmounts, but
 * only if opening the mountpoint fails with ENOTCONN, i.e. the kernel has already aborted the
 * connection. Two things could defeat it:
 * <ul>
 *   <li>fusermount inherits every descriptor the JVM opened without FD_CLOEXEC (most of them),
 *       among them the brick connections, and would keep them open, and the bricks would not see
 *       a killed client go (nor drop its locks) until the guard exits. The mount is therefore made
 *       inside {@link ChildProcessGuard#forking}.</li>
 *   <li>At exit the kernel releases a process's files highest descriptor first, and libfuse leaves
 *       /dev/fuse one below the socket: fusermount could wake before the connection is aborted,
 *       find the mountpoint still answering (then ECONNABORTED), and leave a dead mount behind.
 *       {@link #afterMount(int)} holds /dev/fuse again above every open descriptor, so that it is
 *       released first.</li>
 * </ul>
 */
final class AutoUnmountGuard {
    private static final Logger log = LoggerFactory.getLogger(AutoUnmountGuard.class);

    private int heldDevFuse = -1;

    /** Holds the mount's /dev/fuse descriptor again, above every descriptor open now. */
    void afterMount(int devFuse) {
        if (devFuse < 0) return;
        heldDevFuse = ChildProcessGuard.dupAboveAllOpen(devFuse);
        if (heldDevFuse < 0) {
            log.warn("cannot duplicate /dev/fuse above the open descriptors; auto_unmount may miss a killed client");
        }
    }

    /** Lets go of the duplicate once the mount is torn down. */
    void afterTeardown() {
        ChildProcessGuard.closeDuplicate(heldDevFuse);
        heldDevFuse = -1;
    }
}
