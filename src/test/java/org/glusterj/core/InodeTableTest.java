package org.glusterj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InodeTableTest {
    private final AtomicLong now = new AtomicLong();
    private final List<Inode> forgotten = new CopyOnWriteArrayList<>();
    private final InodeTable table = new InodeTable(Duration.ofSeconds(1), 1000, forgotten::add, now::get);

    static Iatt attr(Gfid g, int type) {
        return new Iatt(g, type | 0644, 1, 0, 0, 0, 0, 0, 4096, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void rootIsPreloadedAndNeverForgotten() {
        assertTrue(table.root().isDirectory());
        assertSame(table.root(), table.get(Gfid.ROOT));
        assertSame(table.root(), table.resolveCached("/"));
        assertEquals(1, table.size());
    }

    @Test
    void linkThenResolveComponentWise() {
        Gfid d = Gfid.random();
        Gfid f = Gfid.random();
        Inode dir = table.link(Gfid.ROOT, "d", attr(d, FileType.S_IFDIR));
        Inode file = table.link(d, "f", attr(f, FileType.S_IFREG));
        assertSame(file, table.resolveCached("/d/f"));
        assertSame(file, table.resolveCached("//d/f/"));
        assertSame(dir, table.cached(Gfid.ROOT, "d"));
        assertNull(table.resolveCached("/d/g"));
        assertEquals(1, file.nlookup());
        assertSame(file, table.link(d, "f", attr(f, FileType.S_IFREG)), "same gfid, same inode object");
        assertEquals(1, file.nlookup(), "relinking the same dentry does not count twice");
    }

    @Test
    void dentriesExpireAndRelinkingRefreshesThem() {
        Gfid f = Gfid.random();
        table.link(Gfid.ROOT, "f", attr(f, FileType.S_IFREG));
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertNotNull(table.cached(Gfid.ROOT, "f"));
        now.addAndGet(Duration.ofMillis(2).toNanos());
        assertNull(table.cached(Gfid.ROOT, "f"), "expired: to be revalidated");
        assertNotNull(table.get(f), "the inode itself stays until its name is dropped");
        table.link(Gfid.ROOT, "f", attr(f, FileType.S_IFREG));
        assertNotNull(table.cached(Gfid.ROOT, "f"));
    }

    @Test
    void unlinkPurgesAndForgetsUnreferencedInodes() {
        Gfid f = Gfid.random();
        Inode file = table.link(Gfid.ROOT, "f", attr(f, FileType.S_IFREG));
        table.unlink(Gfid.ROOT, "f");
        assertNull(table.get(f));
        assertEquals(List.of(file), forgotten);
        assertEquals(0, file.nlookup());
        table.unlink(Gfid.ROOT, "f");
        assertEquals(1, forgotten.size(), "a second unlink forgets nothing");
    }

    @Test
    void hardLinksKeepTheInodeUntilTheLastName() {
        Gfid f = Gfid.random();
        Inode a = table.link(Gfid.ROOT, "a", attr(f, FileType.S_IFREG));
        Inode b = table.link(Gfid.ROOT, "b", attr(f, FileType.S_IFREG));
        assertSame(a, b);
        assertEquals(2, a.nlookup());
        table.unlink(Gfid.ROOT, "a");
        assertSame(a, table.get(f));
        table.unlink(Gfid.ROOT, "b");
        assertNull(table.get(f));
    }

    @Test
    void openReferenceOutlivesTheName() {
        Gfid f = Gfid.random();
        Inode file = table.link(Gfid.ROOT, "f", attr(f, FileType.S_IFREG));
        assertSame(file, table.ref(file));
        table.unlink(Gfid.ROOT, "f");
        assertSame(file, table.get(f));
        assertTrue(forgotten.isEmpty());
        table.unref(file);
        assertNull(table.get(f));
        assertEquals(List.of(file), forgotten);
    }

    @Test
    void refOfAnUnknownInodeAddsItForTheFdsLifetime() {
        Inode fresh = new Inode(Gfid.random(), FileType.S_IFREG);
        assertSame(fresh, table.ref(fresh));
        assertSame(fresh, table.get(fresh.gfid()));
        Inode linked = table.link(Gfid.ROOT, "new", attr(fresh.gfid(), FileType.S_IFREG));
        assertSame(fresh, linked, "create's reply links to the inode its fd already uses");
    }

    @Test
    void renameMovesTheDentryAndReplacesTheTarget() {
        Gfid d = Gfid.random();
        Gfid x = Gfid.random();
        Gfid y = Gfid.random();
        table.link(Gfid.ROOT, "d", attr(d, FileType.S_IFDIR));
        Inode xi = table.link(Gfid.ROOT, "x", attr(x, FileType.S_IFREG));
        Inode yi = table.link(d, "y", attr(y, FileType.S_IFREG));
        table.rename(Gfid.ROOT, "x", d, "y");
        assertNull(table.cached(Gfid.ROOT, "x"));
        assertSame(xi, table.resolveCached("/d/y"));
        assertNull(table.get(y), "the replaced file lost its only name");
        assertEquals(List.of(yi), forgotten);
        assertEquals(1, xi.nlookup());
    }

    @Test
    void aDirectoryHasOneNameAndItsPurgeDropsItsChildren() {
        Gfid d = Gfid.random();
        Gfid c = Gfid.random();
        Inode dir = table.link(Gfid.ROOT, "old", attr(d, FileType.S_IFDIR));
        Inode child = table.link(d, "c", attr(c, FileType.S_IFREG));
        // another client renamed the directory; a lookup of the new name shows the same gfid
        table.link(Gfid.ROOT, "new", attr(d, FileType.S_IFDIR));
        assertNull(table.cached(Gfid.ROOT, "old"));
        assertSame(child, table.resolveCached("/new/c"), "children follow the directory");
        assertEquals(1, dir.nlookup());
        table.unlink(Gfid.ROOT, "new");
        assertNull(table.get(d));
        assertNull(table.get(c), "unreachable children are purged with their directory");
        assertTrue(forgotten.containsAll(List.of(dir, child)));
        assertEquals(0, table.dentryCount());
    }

    @Test
    void invalidateDropsEveryName() {
        Gfid f = Gfid.random();
        Inode file = table.link(Gfid.ROOT, "a", attr(f, FileType.S_IFREG));
        table.link(Gfid.ROOT, "b", attr(f, FileType.S_IFREG));
        table.invalidate(file);
        assertNull(table.cached(Gfid.ROOT, "a"));
        assertNull(table.cached(Gfid.ROOT, "b"));
        assertNull(table.get(f));
    }

    @Test
    void aLookupShowingANewGfidReplacesTheOldInode() {
        Inode old = table.link(Gfid.ROOT, "f", attr(Gfid.random(), FileType.S_IFREG));
        Inode replacement = table.link(Gfid.ROOT, "f", attr(Gfid.random(), FileType.S_IFREG));
        assertSame(replacement, table.cached(Gfid.ROOT, "f"));
        assertNull(table.get(old.gfid()));
        assertEquals(List.of(old), forgotten);
    }

    @Test
    void pastTheLimitExpiredDentriesArePruned() {
        InodeTable small = new InodeTable(Duration.ofSeconds(1), 4, forgotten::add, now::get);
        for (int i = 0; i < 4; i++) small.link(Gfid.ROOT, "f" + i, attr(Gfid.random(), FileType.S_IFREG));
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        small.link(Gfid.ROOT, "fresh", attr(Gfid.random(), FileType.S_IFREG));
        assertEquals(1, small.dentryCount());
        assertEquals(2, small.size());
        assertEquals(4, forgotten.size());
    }

    @Test
    void badInputIsRejectedWithAReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> table.link(Gfid.ROOT, "x", attr(null, FileType.S_IFREG)));
        assertTrue(e.getMessage().contains("gfid"));
        assertThrows(IllegalArgumentException.class, () -> table.resolveCached("relative/path"));
        assertThrows(IllegalArgumentException.class, () -> new InodeTable(Duration.ofSeconds(-1), i -> { }));
    }

    /**
     * Many threads linking, unlinking and renaming the same few names: afterwards every inode was
     * forgotten at most once, only with no names left, and an emptied table holds only the root.
     */
    @Test
    void concurrentLinkUnlinkRenameKeepTheTableConsistent() throws Exception {
        Map<Inode, Integer> forgets = Collections.synchronizedMap(new IdentityHashMap<>());
        List<String> violations = new CopyOnWriteArrayList<>();
        InodeTable t = new InodeTable(Duration.ofHours(1), 100_000, inode -> {
            if (inode.nlookup() != 0) violations.add(inode + " forgotten with nlookup " + inode.nlookup());
            forgets.merge(inode, 1, Integer::sum);
        }, System::nanoTime);
        Gfid dir = Gfid.random();
        t.link(Gfid.ROOT, "dir", attr(dir, FileType.S_IFDIR));
        List<Gfid> pool = new ArrayList<>();
        for (int i = 0; i < 24; i++) pool.add(Gfid.random());
        List<Gfid> parents = List.of(Gfid.ROOT, dir);

        int threads = 8;
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int n = 0; n < threads; n++) {
            done.add(ex.submit(() -> {
                start.await();
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < 5000; i++) {
                    Gfid p = parents.get(r.nextInt(2));
                    String name = "n" + r.nextInt(12);
                    switch (r.nextInt(4)) {
                        case 0, 1 -> t.link(p, name, attr(pool.get(r.nextInt(pool.size())), FileType.S_IFREG));
                        case 2 -> t.unlink(p, name);
                        default -> t.rename(p, name, parents.get(r.nextInt(2)), "n" + r.nextInt(12));
                    }
                    Inode seen = t.cached(p, name);
                    if (seen != null && seen.nlookup() < 0) violations.add("negative nlookup on " + seen);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        ex.shutdown();

        for (Gfid p : parents) {
            for (int i = 0; i < 12; i++) t.unlink(p, "n" + i);
        }
        t.unlink(Gfid.ROOT, "dir");
        assertEquals(List.of(), violations);
        assertEquals(1, t.size(), "only the root is left");
        assertEquals(0, t.dentryCount());
        forgets.forEach((inode, count) -> assertEquals(1, count, inode + " forgotten more than once"));
        for (Gfid g : pool) assertNull(t.get(g));
    }
}
