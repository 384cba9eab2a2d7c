package org.glusterj.rpc;

import io.netty.channel.ChannelFactory;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps brick connections out of programs this process starts. libfuse forks fusermount to mount,
 * and with auto_unmount fusermount lives as long as the mount: a brick socket it inherited would
 * stay open after this client closed it, and the brick would not see the connection go. Netty
 * opens sockets without close-on-exec, so each is marked right after it is made; {@link #forking}
 * keeps any socket from being made between a caller's own sweep of open descriptors and its fork
 * (a connection attempted meanwhile waits on its event loop for the mount to be done). The NIO
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

    static final LibC LIBC = load();

    private ChildProcessGuard() {
    }

    /** Runs {@code fork} (which starts a child process) while no socket is being made. */
    public static <T> T forking(Supplier<T> fork) {
        SOCKET_BIRTHS.writeLock().lock();
        try {
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

    private static void markCloseOnExec(int fd) {
        if (LIBC == null) return;
        int flags = LIBC.fcntl(fd, F_GETFD, 0);
        if (flags < 0 || LIBC.fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
            log.debug("cannot mark socket descriptor {} close-on-exec", fd);
        }
    }

    private static LibC load() {
        try {
            return LibraryLoader.create(LibC.class).load("c");
        } catch (RuntimeException | LinkageError e) {
            log.debug("libc not loadable through jnr-ffi; sockets stay inheritable and RPC writes go through the event loop", e);
            return null;
        }
    }
}
