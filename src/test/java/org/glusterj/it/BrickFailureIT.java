package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A brick that dies and comes back, and a client that is killed. */
class BrickFailureIT {

    @Test
    void deadBrickFailsPromptlyAndTheMountRecovers() throws Exception {
        try (Cluster cluster = new Cluster("brick-failure-it")) {
            BrickProcess brick = cluster.startBrick("b1");
            Path mnt = cluster.mount("mnt").mountpoint;
            Files.writeString(mnt.resolve("before.txt"), "survives");

            brick.kill9();
            long start = System.nanoTime();
            String reason = failureOf(() -> Files.readString(mnt.resolve("never-seen.txt")));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(reason.contains("Transport endpoint is not connected") || reason.contains("Input/output error"),
                    "a dead brick gives ENOTCONN or EIO, got: " + reason);
            assertTrue(seconds <= Cluster.PING_TIMEOUT_SECONDS + 5, "failed after " + seconds + " s");

            try (BrickProcess again = new BrickProcess("b1", brick.dir, brick.port, cluster.root.resolve("logs")).start()) {
                Waits.until(Duration.ofSeconds(20), "the mount to work again after the brick restarted",
                        () -> "survives".equals(Files.readString(mnt.resolve("before.txt"))));
                Files.writeString(mnt.resolve("after.txt"), "new");
                assertEquals("new", Files.readString(again.dir.resolve("after.txt")));
            }
        }
    }

    @Test
    void brickKilledDuringWritesFailsTheWriterAndKeepsWhatFsyncAcknowledged() throws Exception {
        try (Cluster cluster = new Cluster("kill-during-writes-it")) {
            cluster.startBrick("b1");
            cluster.startBrick("b2");
            Path mnt = cluster.mount("mnt").mountpoint;
            Path file = mnt.resolve("stream.dat");
            Files.write(file, new byte[0]);
            BrickProcess holder = cluster.bricks.stream().filter(b -> Files.exists(b.dir.resolve("stream.dat")))
                    .findFirst().orElseThrow();

            int block = 1 << 20;
            int fsyncedBlocks = 8;
            CountDownLatch synced = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor(daemon());
            Future<IOException> writer = pool.submit(() -> {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    for (long i = 0; ; i++) {
                        ByteBuffer buf = ByteBuffer.wrap(blockContent(i, block));
                        while (buf.hasRemaining()) ch.write(buf);
                        if (i == fsyncedBlocks - 1) {
                            ch.force(false);
                            synced.countDown();
                        }
                    }
                } catch (IOException e) {
                    return e;
                }
            });
            assertTrue(synced.await(60, TimeUnit.SECONDS), "the writer reached its fsync");
            Thread.sleep(200); // let more writes be in flight, acknowledged early by write-behind
            holder.kill9();
            long killed = System.nanoTime();
            IOException error = writer.get(Cluster.PING_TIMEOUT_SECONDS + 20, TimeUnit.SECONDS);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed);
            assertTrue(seconds <= Cluster.PING_TIMEOUT_SECONDS + 5, "the writer failed only after " + seconds + " s");
            String reason = error instanceof FileSystemException f ? f.getReason() : error.getMessage();
            assertTrue(String.valueOf(reason).contains("Transport endpoint is not connected")
                    || String.valueOf(reason).contains("Input/output error"), "writer error: " + error);
            pool.shutdownNow();

            assertFsyncedPrefix(holder.dir.resolve("stream.dat"), fsyncedBlocks, block);

            try (BrickProcess again = new BrickProcess(holder.name, holder.dir, holder.port, cluster.root.resolve("logs")).start()) {
                Waits.until(Duration.ofSeconds(20), "the mount to reach the restarted brick",
                        () -> Files.size(file) >= (long) fsyncedBlocks * block);
                assertFsyncedPrefix(file, fsyncedBlocks, block);
                Path fresh = mnt.resolve("stream.dat.after");
                Files.write(file, "rewritten".getBytes());
                Files.writeString(fresh, "new");
                assertEquals("rewritten", Files.readString(file));
                assertEquals("new", Files.readString(fresh));
            }
        }
    }

    private static void assertFsyncedPrefix(Path file, int blocks, int block) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertTrue(ch.size() >= (long) blocks * block, file + " holds " + ch.size() + " bytes, fsync acknowledged "
                    + (long) blocks * block);
            ByteBuffer buf = ByteBuffer.allocate(block);
            for (long i = 0; i < blocks; i++) {
                buf.clear();
                while (buf.hasRemaining() && ch.read(buf, i * block + buf.position()) > 0) {
                }
                assertArrayEquals(blockContent(i, block), buf.array(), "block " + i + " of " + file);
            }
        }
    }

    private static byte[] blockContent(long index, int size) {
        byte[] b = new byte[size];
        new Random(index * 7919 + 17).nextBytes(b);
        return b;
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "writer");
            t.setDaemon(true); // a writer stuck in the kernel must not keep the test JVM alive
            return t;
        };
    }

    @Test
    void killedClientLeavesNoStaleMountpoint() throws Exception {
        try (Cluster cluster = new Cluster("killed-client-it")) {
            cluster.startBrick("b1");
            FuseMount first = cluster.mount("mnt");
            Files.writeString(first.mountpoint.resolve("f"), "x");
            List<ProcessHandle> guards = fusermountsOf(first.mountpoint);
            assertEquals(1, guards.size(), "libfuse's auto_unmount guard for " + first.mountpoint);
            assertEquals(List.of(), socketsBesidesOne(guards.get(0)),
                    "the guard holds only its socket to the client, none of the client's brick connections");
            first.process().destroyForcibly();
            first.process().waitFor();
            Waits.until(Duration.ofSeconds(30), "the dead client's mount to go away (guard: "
                    + guards.get(0).info().commandLine().orElse("gone") + ")", () -> !FuseMount.isMounted(first.mountpoint));
            try (FuseMount second = new FuseMount(cluster.clientVolfile(), first.mountpoint,
                    cluster.root.resolve("logs").resolve("second.log"), List.of()).start()) {
                assertEquals("x", Files.readString(second.mountpoint.resolve("f")));
            }
            assertFalse(FuseMount.isMounted(first.mountpoint));
        }
    }

    /** The fusermount processes that libfuse left to unmount {@code mountpoint} when its client dies. */
    private static List<ProcessHandle> fusermountsOf(Path mountpoint) {
        String mp = mountpoint.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(cmd -> cmd.contains("fusermount") && cmd.endsWith(" " + mp))
                        .orElse(false))
                .toList();
    }

    /** The sockets {@code p} holds, less one (the guard's own socket to its client). */
    private static List<String> socketsBesidesOne(ProcessHandle p) throws IOException {
        List<String> sockets = new java.util.ArrayList<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(p.pid()), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target = Files.readSymbolicLink(fd).toString();
                if (target.startsWith("socket:")) sockets.add(fd.getFileName() + " -> " + target);
            }
        }
        return sockets.isEmpty() ? sockets : sockets.subList(1, sockets.size());
    }

    @Test
    void deadMountOfAKilledClientIsClearedByTheNextMount() throws Exception {
        try (Cluster cluster = new Cluster("stale-mount-it")) {
            cluster.startBrick("b1");
            // Without auto_unmount, kill -9 leaves a dead mount ("Transport endpoint is not connected").
            FuseMount first = cluster.mount("mnt", "-o", "noauto_unmount");
            first.process().destroyForcibly();
            first.process().waitFor();
            assertTrue(FuseMount.isMounted(first.mountpoint), "the dead mount is still there");
            try (FuseMount second = new FuseMount(cluster.clientVolfile(), first.mountpoint,
                    cluster.root.resolve("logs").resolve("second.log"), List.of()).start()) {
                Files.writeString(second.mountpoint.resolve("f"), "works");
                assertEquals("works", Files.readString(second.mountpoint.resolve("f")));
                assertTrue(second.logText().contains("dead FUSE mount"), "the client says what it cleared");
            }
        }
    }

    @Test
    void sigtermUnmountsAndExitsZero() throws Exception {
        try (Cluster cluster = new Cluster("sigterm-it")) {
            cluster.startBrick("b1");
            FuseMount m = cluster.mount("mnt");
            m.process().destroy();
            assertTrue(m.process().waitFor(15, TimeUnit.SECONDS), "client exits after SIGTERM");
            assertEquals(0, m.process().exitValue(), m.logText());
            assertFalse(FuseMount.isMounted(m.mountpoint));
        }
    }

    interface IoAction {
        void run() throws IOException;
    }

    private static String failureOf(IoAction action) {
        try {
            action.run();
        } catch (FileSystemException e) {
            return String.valueOf(e.getReason());
        } catch (IOException e) {
            return String.valueOf(e.getMessage());
        }
        return fail("the operation succeeded although the brick is dead");
    }
}
