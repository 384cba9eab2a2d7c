package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * fcntl and flock locks through two real mounts of one two-brick volume, taken by real processes
 * (python3), on a file of each brick.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LocksIT {
    private static final String EAGAIN = "err 11";
    private static Cluster cluster;
    private static Path m1;
    private static Path m2;
    /** One file name whose data lives on b1 and one on b2. */
    private static List<String> files;

    @BeforeAll
    static void mount() throws Exception {
        cluster = new Cluster("locks-it");
        cluster.startBrick("b1");
        cluster.startBrick("b2");
        m1 = cluster.mount("m1").mountpoint;
        m2 = cluster.mount("m2").mountpoint;
        files = oneFilePerBrick();
    }

    @AfterAll
    static void unmount() throws Exception {
        if (cluster != null) cluster.close();
    }

    private static List<String> oneFilePerBrick() throws Exception {
        List<String> picked = new ArrayList<>();
        for (BrickProcess b : cluster.bricks) {
            for (int i = 0; ; i++) {
                String name = "lock-" + i;
                if (!Files.exists(m1.resolve(name))) Files.writeString(m1.resolve(name), "data");
                if (Files.isRegularFile(b.dir.resolve(name)) && Files.size(b.dir.resolve(name)) > 0) {
                    picked.add(name);
                    break;
                }
                if (i > 200) throw new AssertionError("no file landed on " + b.name);
            }
        }
        return picked;
    }

    @Test
    void fcntlLockConflictsAcrossMountsAndGetlkNamesTheHolder() throws Exception {
        for (String f : files) {
            try (LockProcess holder = new LockProcess(m1.resolve(f)); LockProcess other = new LockProcess(m2.resolve(f))) {
                assertEquals("ok", holder.call("setlk w 0 0"), f);
                assertEquals(EAGAIN, other.call("setlk w 10 5"), f);
                assertEquals(EAGAIN, other.call("setlk r 0 1"), f);
                assertEquals("lock w 0 0 " + holder.pid, other.call("getlk r 100 1"), f + ": type, range, pid of the holder");
                assertEquals("ok", holder.call("setlk r 0 0"), f + ": downgrade");
                assertEquals("ok", other.call("setlk r 0 10"), f + ": readers share");
                assertEquals("lock r 0 0 " + holder.pid, other.call("getlk w 5 1"), f);
                assertEquals("ok", holder.call("setlk u 0 0"), f);
                assertEquals("lock u 5 1 0", holder.call("getlk r 5 1").replaceFirst(" \\d+$", " 0"),
                        f + ": a read lock does not block a reader");
                assertEquals("lock r 0 10 " + other.pid, holder.call("getlk w 5 1"), f);
            }
        }
    }

    @Test
    void whatWasWrittenUnderTheLockIsWhatTheNextHolderReads() throws Exception {
        for (String f : files) {
            try (LockProcess writer = new LockProcess(m1.resolve(f)); LockProcess reader = new LockProcess(m2.resolve(f))) {
                for (String text : List.of("AAAA", "BBBB", "CCCC")) {
                    assertEquals("ok", writer.call("setlk w 0 0"), f);
                    reader.send("setlkw r 0 0");
                    // Same length as the file: a size cached by the reader's mount is not under test here.
                    assertEquals("ok", writer.call("write " + text), f);
                    assertEquals("ok", writer.call("setlk u 0 0"), f);
                    assertEquals("ok", reader.next(Duration.ofSeconds(5)), f);
                    // Read through a new fd: within one open fd the kernel may serve pages it cached
                    // before the write (coherence of open files across mounts is cache invalidation's
                    // job, not the locks'). Closing that fd releases the reader's lock, as POSIX says.
                    assertEquals("data " + text, reader.call("reread " + m2.resolve(f) + " 4"), f);
                }
            }
        }
    }

    @Test
    void twoProcessesOnOneMountConflict() throws Exception {
        for (String f : files) {
            try (LockProcess a = new LockProcess(m1.resolve(f)); LockProcess b = new LockProcess(m1.resolve(f))) {
                assertEquals("ok", a.call("setlk w 0 100"), f);
                assertEquals(EAGAIN, b.call("setlk w 50 1"), f);
                assertEquals("ok", b.call("setlk w 100 1"), f + ": just past a's range");
            }
        }
    }

    @Test
    void blockedSetlkwIsWokenPromptlyByTheUnlock() throws Exception {
        for (String f : files) {
            try (LockProcess holder = new LockProcess(m1.resolve(f)); LockProcess waiter = new LockProcess(m2.resolve(f))) {
                assertEquals("ok", holder.call("setlk w 0 0"), f);
                waiter.send("setlkw w 0 0");
                assertNull(waiter.next(Duration.ofMillis(700)), f + ": the waiter must block");
                long unlocked = System.nanoTime();
                assertEquals("ok", holder.call("setlk u 0 0"), f);
                assertEquals("ok", waiter.next(Duration.ofSeconds(1)), f + ": woken within a second of the unlock");
                assertTrue(System.nanoTime() - unlocked < Duration.ofSeconds(1).toNanos());
                assertEquals(EAGAIN, holder.call("setlk r 0 1"), f + ": the waiter holds it now");
            }
        }
    }

    @Test
    void manyWaitersOnOneMountDoNotStarveIt() throws Exception {
        String f = files.get(0);
        List<LockProcess> waiters = new ArrayList<>();
        try (LockProcess holder = new LockProcess(m1.resolve(f))) {
            assertEquals("ok", holder.call("setlk w 0 0"));
            // More blocked requests than the mount's 4 reader threads.
            for (int i = 0; i < 8; i++) {
                LockProcess w = new LockProcess(m1.resolve(f));
                waiters.add(w);
                w.send("setlkw w 0 0");
            }
            assertNull(waiters.get(7).next(Duration.ofMillis(500)));
            // On a starved mount this read would hang: it runs aside, bounded.
            CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.readAllBytes(m1.resolve(f)).length;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertEquals(4, read.get(10, TimeUnit.SECONDS), "the mount still serves other requests");
            assertEquals("ok", holder.call("setlk u 0 0"), "the unlock gets a worker");
            List<LockProcess> left = new ArrayList<>(waiters);
            while (!left.isEmpty()) {
                LockProcess owner = firstToAnswer(left, Duration.ofSeconds(5));
                left.remove(owner);
                for (LockProcess w : left) assertNull(w.next(Duration.ZERO), "two waiters got one write lock");
                assertEquals("ok", owner.call("setlk u 0 0"));
            }
        } finally {
            for (LockProcess w : waiters) w.close();
        }
    }

    /** The waiter that answers first, which must answer "ok". */
    private static LockProcess firstToAnswer(List<LockProcess> waiters, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (LockProcess w : waiters) {
                String a = w.next(Duration.ofMillis(5));
                if (a != null) {
                    assertEquals("ok", a);
                    return w;
                }
            }
        }
        throw new AssertionError("none of " + waiters.size() + " waiters was granted the lock within " + limit);
    }

    @Test
    void flockConflictsAcrossMountsButNotWithFcntlLocks() throws Exception {
        for (String f : files) {
            try (LockProcess a = new LockProcess(m1.resolve(f)); LockProcess b = new LockProcess(m2.resolve(f))) {
                assertEquals("ok", a.call("flock ex nb"), f);
                assertEquals(EAGAIN, b.call("flock ex nb"), f + " (EWOULDBLOCK)");
                assertEquals(EAGAIN, b.call("flock sh nb"), f);
                assertEquals("ok", b.call("setlk w 0 0"), f + ": fcntl locks are another namespace, as on Linux");
                b.send("flock sh");
                assertNull(b.next(Duration.ofMillis(500)), f + ": blocking flock waits");
                assertEquals("ok", a.call("flock un"), f);
                assertEquals("ok", b.next(Duration.ofSeconds(2)), f);
            }
        }
    }

    @Test
    void closeReleasesTheProcesssLocks() throws Exception {
        for (String f : files) {
            try (LockProcess a = new LockProcess(m1.resolve(f)); LockProcess b = new LockProcess(m2.resolve(f))) {
                assertEquals("ok", a.call("setlk w 0 0"), f);
                assertEquals(EAGAIN, b.call("setlk w 0 0"), f);
                assertEquals("ok", a.call("close"), f);
                assertEquals("ok", b.call("setlk w 0 0"), f + ": closed, so released");
                assertEquals("ok", a.call("open " + m1.resolve(f)), f);
                assertEquals(EAGAIN, a.call("setlk w 0 1"), f + ": b holds it now");
                assertEquals("ok", a.call("flock ex nb"), f);
                assertEquals("ok", b.call("close"), f);
                assertEquals("ok", b.call("open " + m2.resolve(f)), f);
                assertEquals(EAGAIN, b.call("flock sh nb"), f);
                assertEquals("ok", a.call("close"), f);
                // The kernel sends the RELEASE that drops a flock after close(2) has returned, not
                // before: the lock goes moments later, never at once as on a local filesystem.
                Waits.until(Duration.ofSeconds(5), f + ": the last close of the open file drops its flock",
                        () -> "ok".equals(b.call("flock sh nb")));
            }
        }
    }

    @Test
    void ctrlCEndsABlockedSetlkw() throws Exception {
        String f = files.get(1);
        try (LockProcess holder = new LockProcess(m1.resolve(f)); LockProcess waiter = new LockProcess(m2.resolve(f));
             LockProcess third = new LockProcess(m2.resolve(f))) {
            assertEquals("ok", holder.call("setlk w 0 0"));
            waiter.send("setlkw w 0 0");
            assertNull(waiter.next(Duration.ofMillis(500)));
            waiter.signal("INT");
            assertEquals("interrupted", waiter.next(Duration.ofSeconds(3)), "SIGINT ends the wait (FUSE interrupt)");
            assertEquals("ok", holder.call("setlk u 0 0"));
            assertEquals("ok", third.call("setlk w 0 0"), "the interrupted request was withdrawn, not granted");
            assertEquals("lock w 0 0 " + third.pid, waiter.call("getlk w 0 0"));
        }
    }

    @Test
    void killedClientsLocksAreReleased() throws Exception {
        for (String f : files) {
            FuseMount doomed = cluster.mount("doomed-" + f);
            try (LockProcess victim = new LockProcess(doomed.mountpoint.resolve(f));
                 LockProcess waiter = new LockProcess(m1.resolve(f))) {
                assertEquals("ok", victim.call("setlk w 0 0"), f);
                waiter.send("setlkw w 0 0");
                assertNull(waiter.next(Duration.ofMillis(500)), f);
                doomed.process().destroyForcibly(); // kill -9 of the client holding the lock
                assertEquals("ok", waiter.next(Duration.ofSeconds(5)), f + ": the bricks released the dead client's lock");
            } finally {
                doomed.close();
            }
        }
    }
}
