package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.junit.jupiter.api.Test;

class PosixConcurrencyTest extends BrickFixture {

    @Test
    void openFilesStayReachableByGfidWhileTheirLastNameIsRemoved() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "unlinking");
        int files = 600;
        List<Fd> open = new ArrayList<>();
        for (int i = 0; i < files; i++) open.add(create(d, "f" + i));
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread prober = new Thread(() -> {
            try {
                while (!done.get()) {
                    for (Fd fd : open) {
                        // A second path operation after locating the object: where the window was.
                        try {
                            posix.getxattr(ROOT, org.glusterj.core.Loc.of(fd.gfid(), null), "user.absent", null).get();
                        } catch (java.util.concurrent.ExecutionException e) {
                            if (org.glusterj.core.FopException.errnoOf(e) != org.glusterj.core.Errno.ENODATA) throw e;
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "gfid-prober");
        prober.start();
        for (int i = 0; i < files; i++) ok(posix.unlink(ROOT, entry(d, "f" + i), 0, null));
        done.set(true);
        prober.join(60_000);
        if (failure.get() != null) throw new AssertionError("an open file was not found by its gfid", failure.get());
        for (Fd fd : open) posix.release(fd);
    }

    @Test
    void concurrentAppendsAndDirectoryRenamesLoseNothing() throws Exception {
        Gfid top = mkdir(Gfid.ROOT, "top");
        Gfid d = mkdir(top, "d");
        Fd log = create(d, "log");
        int writers = 4, perWriter = 200;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                jobs.add(pool.submit(() -> {
                    Fd app = open(log.gfid(), Sys.O_WRONLY | Sys.O_APPEND);
                    for (int i = 0; i < perWriter; i++) {
                        write(app, String.format("%d:%04d\n", id, i).getBytes(), 0);
                        Fd tmp = create(d, "tmp-" + id + "-" + i);
                        posix.release(tmp);
                        ok(posix.unlink(ROOT, entry(d, "tmp-" + id + "-" + i), 0, null));
                    }
                    posix.release(app);
                    return null;
                }));
            }
            jobs.add(pool.submit(() -> {
                // Moves d back and forth between two parents while the writers resolve it by gfid.
                Gfid other = mkdir(Gfid.ROOT, "other");
                for (int i = 0; i < 100; i++) {
                    boolean there = i % 2 == 0;
                    ok(posix.rename(ROOT, entry(there ? top : other, "d"), entry(there ? other : top, "d"), null));
                }
                return null;
            }));
            for (Future<?> j : jobs) j.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        posix.release(log);
        List<String> lines = Files.readAllLines(brick.resolve("top/d/log"));
        assertEquals(writers * perWriter, lines.size());
        assertEquals(writers * perWriter, lines.stream().distinct().count());
        try (var s = Files.list(brick.resolve("top/d"))) {
            assertEquals(1, s.count(), "every temporary file was removed");
        }
        try (var s = Files.list(brick.resolve(".glusterfs/unlink"))) {
            assertEquals(0, s.count());
        }
        assertTrue(Files.isSymbolicLink(handle(d)));
    }
}
