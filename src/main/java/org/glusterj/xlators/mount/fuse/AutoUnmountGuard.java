package org.glusterj.xlators.mount.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jnr.ffi.LibraryLoader;
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
 *       a killed client go (nor drop its locks) until the guard exits. {@link #beforeMount()} marks
 *       every descriptor close-on-exec.</li>
 *   <li>At exit the kernel releases a process's files highest descriptor first, and libfuse leaves
 *       /dev/fuse one below the socket: fusermount could wake before the connection is aborted,
 *       find the mountpoint still answering (then ECONNABORTED), and leave a dead mount behind.
 *       {@link #afterMount(int)} holds /dev/fuse again above every open descriptor, so that it is
 *       released first.</li>
 * </ul>
 */
final class AutoUnmountGuard {
    private static final Logger log = LoggerFactory.getLogger(AutoUnmountGuard.class);
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int F_DUPFD_CLOEXEC = 1030;

    public interface LibC {
        int fcntl(int fd, int cmd, int arg);

        int close(int fd);
    }

    private final LibC libc = load();
    private int heldDevFuse = -1;

    private static LibC load() {
        try {
            return LibraryLoader.create(LibC.class).load("c");
        } catch (RuntimeException | LinkageError e) {
            log.warn("cannot load libc through jnr-ffi ({}); auto_unmount may miss a killed client", e.toString());
            return null;
        }
    }

    /** Marks every open descriptor (but stdin, stdout and stderr) close-on-exec. */
    void beforeMount() {
        if (libc == null) return;
        int marked = 0;
        for (int fd : openDescriptors()) {
            if (fd <= 2) continue;
            int flags = libc.fcntl(fd, F_GETFD, 0);
            if (flags >= 0 && (flags & FD_CLOEXEC) == 0 && libc.fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0) marked++;
        }
        log.debug("marked {} descriptors close-on-exec before mounting", marked);
    }

    /** Holds the mount's /dev/fuse descriptor again, above every descriptor open now. */
    void afterMount(int devFuse) {
        if (libc == null || devFuse < 0) return;
        int above = openDescriptors().stream().mapToInt(Integer::intValue).max().orElse(devFuse) + 1;
        heldDevFuse = libc.fcntl(devFuse, F_DUPFD_CLOEXEC, above);
        if (heldDevFuse < 0) {
            log.warn("cannot duplicate /dev/fuse above descriptor {}; auto_unmount may miss a killed client", above);
        }
    }

    /** Lets go of the duplicate once the mount is torn down. */
    void afterTeardown() {
        if (heldDevFuse >= 0) libc.close(heldDevFuse);
        heldDevFuse = -1;
    }

    private static List<Integer> openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Integer::valueOf).toList();
        } catch (IOException e) {
            log.warn("cannot list /proc/self/fd ({}); auto_unmount may miss a killed client", e.toString());
            return List.of();
        }
    }
}
