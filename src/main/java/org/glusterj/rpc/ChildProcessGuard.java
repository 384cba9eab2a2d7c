package org.glusterj.rpc;

import io.netty.channel.ChannelFactory;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this process's descriptors, brick connections above all, out of programs it starts.
 * libfuse forks fusermount to mount, and with auto_unmount fusermount lives as long as the mount:
 * a brick socket it inherited would stay open after this client closed it, and the brick would
 * not see the connection go (nor a killed client, until the guard exits). The JVM and Netty open
 * most descriptors without close-on-exec. {@link #forking} marks every one open before the fork;
 * sockets are marked right after they are made, and none is made while a fork is on its way (a
 * connection attempted meanwhile waits on its event loop for the mount to be done). The NIO
 * transport, used only where epoll is not available, offers no descriptor to mark.
 */
public final class ChildProcessGuard {
    private static final Logger log = LoggerFactory.getLogger(ChildProcessGuard.class);
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final ReadWriteLock SOCKET_BIRTHS = new ReentrantReadWriteLock();

    public interface LibC {
        int fcntl(int fd, int cmd, int arg);

        int close(int fd);
    }

    private static final LibC LIBC = load();

    private ChildProcessGuard() {
    }

    /**
     * Runs {@code fork} (which starts a child process) with every descriptor open now but stdin,
     * stdout and stderr marked close-on-exec, and no socket made meanwhile.
     */
    public static <T> T forking(Supplier<T> fork) {
        SOCKET_BIRTHS.writeLock().lock();
        try {
            int marked = 0;
            for (int fd : openDescriptors()) {
                if (fd > 2 && markCloseOnExec(fd)) marked++;
            }
            log.debug("marked {} descriptors close-on-exec before starting a child process", marked);
            return fork.get();
        } finally {
            SOCKET_BIRTHS.writeLock().unlock();
        }
    }

    /** Makes epoll client sockets that a child process does not inherit. */
    static ChannelFactory<SocketChannel> epollSockets() {
        return () -> {
            SOCKET_BIRTHS.readLock().lock();
            try {
                EpollSocketChannel ch = new EpollSocketChannel();
                markCloseOnExec(ch.fd().intValue());
                return ch;
            } finally {
                SOCKET_BIRTHS.readLock().unlock();
            }
        };
    }

    /** A duplicate of {@code fd} that a child process does not inherit, or -1. */
    static int dupCloseOnExec(int fd) {
        return LIBC == null ? -1 : LIBC.fcntl(fd, F_DUPFD_CLOEXEC, 0);
    }

    /**
     * A duplicate of {@code fd} that a child process does not inherit, numbered above every
     * descriptor open now (at exit the kernel releases the highest first), or -1.
     */
    public static int dupAboveAllOpen(int fd) {
        if (LIBC == null) return -1;
        int above = openDescriptors().stream().mapToInt(Integer::intValue).max().orElse(fd) + 1;
        return LIBC.fcntl(fd, F_DUPFD_CLOEXEC, above);
    }

    /** Closes a duplicate made here. */
    public static void closeDuplicate(int fd) {
        if (LIBC != null && fd >= 0) LIBC.close(fd);
    }

    /** True if it was inheritable and is not any more. */
    private static boolean markCloseOnExec(int fd) {
        if (LIBC == null) return false;
        int flags = LIBC.fcntl(fd, F_GETFD, 0);
        if (flags < 0 || (flags & FD_CLOEXEC) != 0) return false;
        if (LIBC.fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0) return true;
        log.debug("cannot mark descriptor {} close-on-exec", fd);
        return false;
    }

    private static List<Integer> openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Integer::valueOf).toList();
        } catch (IOException e) {
            log.warn("cannot list /proc/self/fd ({}); a child process may inherit this process's descriptors",
                    e.toString());
            return List.of();
        }
    }

    private static LibC load() {
        try {
            return LibraryLoader.create(LibC.class).load("c");
        } catch (RuntimeException | LinkageError e) {
            log.warn("cannot load libc through jnr-ffi ({}); child processes inherit this process's descriptors "
                    + "(auto_unmount may miss a killed client) and RPC writes go through the event loop", e.toString());
            return null;
        }
    }
}
