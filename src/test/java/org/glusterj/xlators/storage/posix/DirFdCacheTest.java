package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.junit.jupiter.api.Test;

/** The brick's cache of open directory fds (BrickStore.dirs): hits stay right after renames and removals, and it stays bounded. */
class DirFdCacheTest extends BrickFixture {

    private static Errno errnoOf(Runnable r) {
        return assertThrows(FopException.class, r::run).errno();
    }

    private static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** A BrickStore of its own on the fixture's brick directory, with the given cache bounds. */
    private BrickStore store(int capacity, long maxAgeNanos) {
        return new BrickStore(brick, capacity, maxAgeNanos);
    }

    @Test
    void aResolvedDirectoryIsCachedAndAHitFindsTheSameDirectory() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "d");
        try (BrickStore s = store(8, TimeUnit.HOURS.toNanos(1))) {
            try (Obj o = s.locateDir(d)) {
                assertTrue(s.dirs.contains(d));
            }
            try (Obj o = s.locateDir(d)) {
                assertEquals(ino(brick.resolve("d")), o.stat.ino);
                Files.writeString(brick.resolve("d").resolve("marker"), "x");
                assertNotNull(s.findEntry(o, "marker"));
            }
        }
    }

    @Test
    void renameThroughTheBrickMovesWhereNewEntriesGo() throws Exception {
        Gfid a = mkdir(Gfid.ROOT, "a");
        Gfid d = mkdir(a, "d");
        create(d, "before"); // puts d in the cache
        ok(posix.rename(ROOT, entry(a, "d"), entry(Gfid.ROOT, "moved"), null));
        create(d, "after");
        assertTrue(Files.exists(brick.resolve("moved").resolve("before")));
        assertTrue(Files.exists(brick.resolve("moved").resolve("after")));
        assertFalse(Files.exists(brick.resolve("a").resolve("d")));
    }

    @Test
    void rmdirThroughTheBrickMakesTheGfidStale() {
        Gfid d = mkdir(Gfid.ROOT, "d");
        assertErrno(Errno.ENOENT, posix.lookup(ROOT, entry(d, "nothing"), null)); // cached now
        ok(posix.rmdir(ROOT, entry(Gfid.ROOT, "d"), 0, null));
        assertErrno(Errno.ESTALE, posix.lookup(ROOT, entry(d, "nothing"), null));
        assertErrno(Errno.ESTALE, posix.mkdir(ROOT, newEntry(d, "sub", Gfid.random()), 0755, 022, null));
        assertFalse(Files.exists(brick.resolve("d")));
    }

    @Test
    void rmdirThroughTheBrickDropsTheEntry() {
        Gfid d = mkdir(Gfid.ROOT, "d");
        try (BrickStore s = store(8, TimeUnit.HOURS.toNanos(1))) {
            EntryOps ops = new EntryOps(s);
            s.locateDir(d).close();
            assertTrue(s.dirs.contains(d));
            ops.rmdir(entry(Gfid.ROOT, "d"));
            assertFalse(s.dirs.contains(d));
            assertEquals(Errno.ESTALE, errnoOf(() -> s.locateDir(d)));
        }
    }

    @Test
    void directoryRemovedBehindTheBricksBackIsStaleAtOnce() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "d");
        try (BrickStore s = store(8, TimeUnit.HOURS.toNanos(1))) {
            s.locateDir(d).close();
            assertTrue(s.dirs.contains(d));
            Files.delete(brick.resolve("d"));
            assertEquals(Errno.ESTALE, errnoOf(() -> s.locateDir(d)));
            assertFalse(s.dirs.contains(d));
        }
    }

    @Test
    void directoryMovedBehindTheBricksBackIsResolvedAgainOnceItsEntryIsOld() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "d");
        Path outside = Files.createTempDirectory(BRICKS, "outside-");
        try (BrickStore s = store(8, 0)) {
            s.locateDir(d).close();
            Files.move(brick.resolve("d"), outside.resolve("d"));
            // The handle still names d in the root, where there is nothing now: the cached fd,
            // which would lead out of the brick, is not used.
            assertEquals(Errno.ESTALE, errnoOf(() -> s.locateDir(d)));
        } finally {
            deleteTree(outside);
        }
    }

    @Test
    void theCacheEvictsBeyondItsCapacityAndHoldsABoundedNumberOfFds() throws Exception {
        List<Gfid> dirs = new ArrayList<>();
        for (int i = 0; i < 40; i++) dirs.add(mkdir(Gfid.ROOT, "d" + i));
        long before = openFds();
        try (BrickStore s = store(4, TimeUnit.HOURS.toNanos(1))) {
            long opened = openFds();
            for (Gfid d : dirs) {
                try (Obj o = s.locateDir(d)) {
                    assertTrue(o.isDir());
                }
            }
            assertEquals(4, s.dirs.size());
            for (Gfid d : dirs.subList(36, 40)) assertTrue(s.dirs.contains(d), "the most recently used stay");
            assertFalse(s.dirs.contains(dirs.get(0)));
            assertEquals(opened + 4, openFds(), "one fd per cached directory, none leaked by hits or evictions");
            try (Obj o = s.locateDir(dirs.get(0))) { // evicted: resolved afresh, still right
                assertEquals(ino(brick.resolve("d0")), o.stat.ino);
            }
        }
        assertEquals(before, openFds(), "closing the store closes every cached fd");
    }

    @Test
    void dirHandleTargetsAreParsedStrictly() {
        Gfid p = Gfid.random();
        BrickStore.DirHandle h = BrickStore.DirHandle.parse(BrickStore.dirHandleTarget(p, "name with spaces"));
        assertNotNull(h);
        assertEquals(p, h.parent());
        assertEquals("name with spaces", h.name());
        assertEquals(BrickStore.handleDirName(p), h.hashDir());
        String good = BrickStore.dirHandleTarget(p, "n");
        assertNull(BrickStore.DirHandle.parse(good.toUpperCase()));
        assertNull(BrickStore.DirHandle.parse(good + "/x"));
        assertNull(BrickStore.DirHandle.parse(good.substring(0, good.length() - 1)));
        assertNull(BrickStore.DirHandle.parse("../" + good.substring(6)));
        assertNull(BrickStore.DirHandle.parse(good.replace("-", "x")));
        assertNull(BrickStore.DirHandle.parse("../../.."));
    }
}
