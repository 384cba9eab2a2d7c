package org.glusterj.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChildProcessGuardTest {
    private static final int O_CLOEXEC = 02000000;

    @Test
    void clientSocketsAndTheirDuplicatesAreNotInherited() throws IOException {
        assumeTrue(Transport.isEpoll(), "epoll transport only");
        EpollSocketChannel ch = (EpollSocketChannel) Transport.socketChannels().newChannel();
        int dup = -1;
        try {
            assertTrue(closeOnExec(ch.fd().intValue()), "a new client socket is close-on-exec");
            dup = ChildProcessGuard.dupCloseOnExec(ch.fd().intValue());
            assertTrue(dup > 2, "duplicate descriptor " + dup);
            assertTrue(closeOnExec(dup), "the direct writer's duplicate is close-on-exec");
        } finally {
            ChildProcessGuard.closeDuplicate(dup);
            ch.unsafe().closeForcibly();
        }
    }

    @Test
    void descriptorsOpenBeforeAForkAreNotInherited() throws Exception {
        Path file = Files.createTempFile("child-process-guard", ".txt");
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file.toFile(), "r")) {
            int fd = descriptorOf(file);
            assumeTrue(!closeOnExec(fd), "the JDK opened it close-on-exec already");
            assertEquals("forked", ChildProcessGuard.forking(() -> "forked"));
            assertTrue(closeOnExec(fd));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aDuplicateAboveAllOpenIsAboveAllOpen() throws IOException {
        int max;
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            max = fds.mapToInt(p -> Integer.parseInt(p.getFileName().toString())).max().orElse(0);
        }
        int dup = ChildProcessGuard.dupAboveAllOpen(0);
        try {
            assertTrue(dup > max, dup + " above " + max);
            assertTrue(closeOnExec(dup));
        } finally {
            ChildProcessGuard.closeDuplicate(dup);
        }
    }

    private static int descriptorOf(Path file) throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(p).equals(file.toAbsolutePath())) {
                        return Integer.parseInt(p.getFileName().toString());
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor
                }
            }
        }
        throw new AssertionError("no descriptor open on " + file);
    }

    @Test
    void noSocketIsMadeWhileAChildIsForked() throws Exception {
        CountDownLatch forkStarted = new CountDownLatch(1);
        CountDownLatch forkMayEnd = new CountDownLatch(1);
        CompletableFuture<String> fork = CompletableFuture.supplyAsync(() -> ChildProcessGuard.forking(() -> {
            forkStarted.countDown();
            await(forkMayEnd);
            return "forked";
        }));
        assertTrue(forkStarted.await(10, TimeUnit.SECONDS));
        CompletableFuture<SocketChannel> socket = CompletableFuture.supplyAsync(() -> Transport.socketChannels().newChannel());
        Thread.sleep(200);
        assertFalse(socket.isDone(), "a socket was made while the fork was in progress");
        forkMayEnd.countDown();
        assertEquals("forked", fork.get(10, TimeUnit.SECONDS));
        socket.get(10, TimeUnit.SECONDS).unsafe().closeForcibly();
    }

    private static boolean closeOnExec(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) return (Integer.parseInt(line.substring(6).trim(), 8) & O_CLOEXEC) != 0;
        }
        throw new AssertionError("no flags line in /proc/self/fdinfo/" + fd);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
