package org.glusterj.xlators.mount.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks every open descriptor of the process close-on-exec before libfuse mounts. With
 * auto_unmount, libfuse forks fusermount, which stays alive for the life of the mount; the JVM opens
 * most descriptors without FD_CLOEXEC, so fusermount would otherwise inherit the client's brick
 * connections and keep them open after the client is killed. A brick would then never see that
 * client go, nor drop its locks.
 */
final class CloseOnExec {
    private static final Logger log = LoggerFactory.getLogger(CloseOnExec.class);
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;

    public interface LibC {
        int fcntl(int fd, int cmd, int arg);
    }

    private CloseOnExec() {
    }

    /** Returns how many descriptors were marked (-1 if /proc/self/fd or libc could not be used). */
    static int markAll() {
        LibC libc;
        try {
            libc = LibraryLoader.create(LibC.class).load("c");
        } catch (RuntimeException | LinkageError e) {
            log.warn("cannot load libc to mark descriptors close-on-exec: {}; fusermount may inherit them", e.toString());
            return -1;
        }
        int marked = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                int fd = Integer.parseInt(p.getFileName().toString());
                if (fd <= 2) continue;
                int flags = libc.fcntl(fd, F_GETFD, 0);
                if (flags >= 0 && (flags & FD_CLOEXEC) == 0 && libc.fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0) {
                    marked++;
                }
            }
        } catch (IOException | NumberFormatException e) {
            log.warn("cannot list /proc/self/fd to mark descriptors close-on-exec: {}; fusermount may inherit them",
                    e.toString());
            return -1;
        }
        log.debug("marked {} descriptors close-on-exec before mounting", marked);
        return marked;
    }
}
