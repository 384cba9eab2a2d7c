package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    void killedClientLeavesNoStaleMountpoint() throws Exception {
        try (Cluster cluster = new Cluster("killed-client-it")) {
            cluster.startBrick("b1");
            FuseMount first = cluster.mount("mnt");
            Files.writeString(first.mountpoint.resolve("f"), "x");
            first.process().destroyForcibly();
            first.process().waitFor();
            Waits.until(Duration.ofSeconds(30), "the dead client's mount to go away",
                    () -> !FuseMount.isMounted(first.mountpoint));
            try (FuseMount second = new FuseMount(cluster.clientVolfile(), first.mountpoint,
                    cluster.root.resolve("logs").resolve("second.log"), List.of()).start()) {
                assertEquals("x", Files.readString(second.mountpoint.resolve("f")));
            }
            assertFalse(FuseMount.isMounted(first.mountpoint));
        }
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
