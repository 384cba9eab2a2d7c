package org.glusterj.xlators.performance.nlcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.*;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

class NlCacheXlatorTest {
    private static final Caller C = Caller.of(0, 0, 1);
    private static final Gfid DIR = Gfid.random();
    private static final Gfid OTHER = Gfid.random();

    /**
     * The graph below, scripted as a tiny namespace: directories of names. Counts lookups; can hold
     * lookups so that their answers race with changes.
     */
    static final class Brick extends Xlator {
        final Map<Gfid, TreeSet<String>> dirs = new ConcurrentHashMap<>();
        int lookups;
        boolean holdLookups;
        final Deque<Runnable> held = new ArrayDeque<>();

        Brick() {
            super(XlatorConfig.of("brick", "test/brick", Options.NONE, List.of()));
            dirs.put(DIR, new TreeSet<>());
            dirs.put(OTHER, new TreeSet<>());
        }

        static Iatt attr(Gfid g, int type) {
            return new Iatt(g, type | 0644, 1, 0, 0, 0, 0, 0, 4096, 1, 0, 1, 0, 1, 0);
        }

        private EntryReply entry(Gfid g, int type) {
            return new EntryReply(attr(g, type), null, attr(DIR, FileType.S_IFDIR), null);
        }

        @Override
        public synchronized CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
            lookups++;
            CompletableFuture<EntryReply> f = new CompletableFuture<>();
            Runnable answer = () -> {
                if (dirs.get(loc.parent()).contains(loc.name())) f.complete(entry(Gfid.random(), FileType.S_IFREG));
                else f.completeExceptionally(Errno.ENOENT.exception(loc.name()));
            };
            if (holdLookups) held.add(answer);
            else answer.run();
            return f;
        }

        void releaseLookup() {
            held.removeFirst().run();
        }

        private CompletableFuture<EntryReply> add(Loc loc, int type) {
            if (!dirs.get(loc.parent()).add(loc.name())) return CompletableFuture.failedFuture(Errno.EEXIST.exception());
            Gfid g = loc.gfid() == null ? Gfid.random() : loc.gfid();
            if (type == FileType.S_IFDIR) dirs.put(g, new TreeSet<>());
            return CompletableFuture.completedFuture(entry(g, type));
        }

        @Override
        public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
            return add(loc, FileType.S_IFREG);
        }

        @Override
        public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
            return add(loc, FileType.S_IFDIR);
        }

        @Override
        public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
            if (!dirs.get(loc.parent()).remove(loc.name())) return CompletableFuture.failedFuture(Errno.ENOENT.exception());
            return CompletableFuture.completedFuture(new ParentReply(null, null, null));
        }

        @Override
        public CompletableFuture<RenameReply> rename(Caller c, Loc o, Loc n, Xdata x) {
            if (!dirs.get(o.parent()).remove(o.name())) return CompletableFuture.failedFuture(Errno.ENOENT.exception());
            dirs.get(n.parent()).add(n.name());
            return CompletableFuture.completedFuture(new RenameReply(attr(Gfid.random(), FileType.S_IFREG),
                    null, null, null, null, null));
        }

        /** Two names per call; the cookie is the index of the last name returned, plus one. */
        @Override
        public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
            List<String> all = new ArrayList<>(dirs.get(fd.gfid()));
            List<Dirent> out = new ArrayList<>();
            for (int i = (int) offset; i < all.size() && out.size() < 2; i++) {
                out.add(new Dirent(all.get(i), 1, i + 1, 8, attr(Gfid.random(), FileType.S_IFREG), null));
            }
            return CompletableFuture.completedFuture(new ReaddirReply(out, null));
        }
    }

    private final Brick brick = new Brick();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private NlCacheXlator nlc(String... options) {
        return new NlCacheXlator(XlatorConfig.of("nlc", NlCacheXlator.TYPE.type(), Options.of(options), List.of(brick)),
                now::get);
    }

    private static Errno lookup(NlCacheXlator n, Gfid parent, String name) {
        try {
            n.lookup(C, Loc.entry(parent, name, "/" + name), Xdata.EMPTY).join();
            return null;
        } catch (CompletionException e) {
            return FopException.errnoOf(e);
        }
    }

    private static void create(NlCacheXlator n, Gfid parent, String name) {
        Gfid g = Gfid.random();
        n.create(C, new Loc(g, parent, name, "/" + name), 0101, 0644, 0, new Fd(new Inode(g, FileType.S_IFREG), 2, 1),
                Xdata.EMPTY).join();
    }

    private static Gfid mkdir(NlCacheXlator n, Gfid parent, String name) {
        Gfid g = Gfid.random();
        return n.mkdir(C, new Loc(g, parent, name, "/" + name), 0755, 0, Xdata.EMPTY).join().attr().gfid();
    }

    private static void listWhole(NlCacheXlator n, Gfid dir) {
        Fd fd = new Fd(new Inode(dir, FileType.S_IFDIR), 0, 1);
        long cookie = 0;
        while (true) {
            List<Dirent> got = n.readdirp(C, fd, 4096, cookie, Xdata.EMPTY).join().entries();
            if (got.isEmpty()) break;
            cookie = got.get(got.size() - 1).offset();
        }
        n.releasedir(fd);
    }

    @Test
    void aSecondLookupOfAMissingNameCostsNoRoundTrip() {
        NlCacheXlator n = nlc();
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        assertEquals(1, brick.lookups);
        assertEquals(Errno.ENOENT, lookup(n, DIR, "y"), "another name still asks");
        assertEquals(2, brick.lookups);
    }

    @Test
    void aLookupThatNamesItsObjectIsNeverAnsweredFromMemory() {
        NlCacheXlator n = nlc();
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        brick.dirs.get(DIR).add("x"); // another client made x; its upcall has not arrived
        Gfid held = Gfid.random();
        n.lookup(C, new Loc(held, DIR, "x", "/x"), Xdata.EMPTY).join();
        assertEquals(2, brick.lookups, "the revalidating lookup reached the brick and found x");
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"), "a lookup without an object still uses the cache");
        assertEquals(2, brick.lookups);
    }

    @Test
    void createAfterACachedEnoentMakesTheNameVisible() {
        NlCacheXlator n = nlc();
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        create(n, DIR, "x");
        assertEquals(null, lookup(n, DIR, "x"));
        assertEquals(2, brick.lookups);
    }

    @Test
    void inADirectoryWeMadeEveryLookupBeforeEachCreateIsAnswered() {
        NlCacheXlator n = nlc();
        Gfid fresh = mkdir(n, DIR, "fresh");
        int before = brick.lookups;
        for (int i = 0; i < 100; i++) {
            assertEquals(Errno.ENOENT, lookup(n, fresh, "f" + i));
            create(n, fresh, "f" + i);
        }
        assertEquals(before, brick.lookups, "no negative lookup went down");
        assertEquals(null, lookup(n, fresh, "f7"), "a name we created is asked for, and found");
        assertEquals(before + 1, brick.lookups);
    }

    @Test
    void aWholeListingMakesTheDirectoryKnown() {
        brick.dirs.get(DIR).addAll(List.of("a", "b", "c", "d", "e"));
        NlCacheXlator n = nlc();
        listWhole(n, DIR);
        assertEquals(Errno.ENOENT, lookup(n, DIR, "zz"));
        assertEquals(0, brick.lookups);
        assertEquals(null, lookup(n, DIR, "c"));
        assertEquals(1, brick.lookups);
    }

    @Test
    void listingAKnownDirectoryAgainKeepsItKnownAndOurCreatesVisible() {
        brick.dirs.get(DIR).addAll(List.of("a", "b", "c"));
        NlCacheXlator n = nlc();
        listWhole(n, DIR);
        create(n, DIR, "new");
        listWhole(n, DIR); // answered below as always; nothing is collected, nothing is lost
        assertEquals(Errno.ENOENT, lookup(n, DIR, "zz"));
        assertEquals(0, brick.lookups, "still wholly known");
        assertEquals(null, lookup(n, DIR, "new"), "our own create is asked for, and found");
        assertEquals(Errno.ENOENT, lookup(n, DIR, "a2"));
        assertEquals(1, brick.lookups);
    }

    @Test
    void aListingThatRacedACreateDoesNotMakeTheDirectoryKnown() {
        brick.dirs.get(DIR).addAll(List.of("a", "b", "c"));
        NlCacheXlator n = nlc();
        Fd fd = new Fd(new Inode(DIR, FileType.S_IFDIR), 0, 1);
        List<Dirent> first = n.readdirp(C, fd, 4096, 0, Xdata.EMPTY).join().entries();
        create(n, DIR, "zz"); // after the listing began: the listing may or may not hold it
        long cookie = first.get(first.size() - 1).offset();
        while (!(first = n.readdirp(C, fd, 4096, cookie, Xdata.EMPTY).join().entries()).isEmpty()) {
            cookie = first.get(first.size() - 1).offset();
        }
        assertEquals(Errno.ENOENT, lookup(n, DIR, "yy"));
        assertEquals(1, brick.lookups, "the directory was not taken as wholly known");
    }

    @Test
    void renameIntoACachedDirectoryShowsTheNewNameAndHidesTheOld() {
        NlCacheXlator n = nlc();
        Gfid fresh = mkdir(n, DIR, "fresh");
        brick.dirs.get(OTHER).add("moving");
        assertEquals(Errno.ENOENT, lookup(n, fresh, "moved"));
        n.rename(C, Loc.entry(OTHER, "moving", "/o/moving"), Loc.entry(fresh, "moved", "/f/moved"), Xdata.EMPTY).join();
        assertEquals(null, lookup(n, fresh, "moved"));
        int before = brick.lookups;
        assertEquals(Errno.ENOENT, lookup(n, OTHER, "moving"), "the old name is known gone");
        assertEquals(before, brick.lookups);
    }

    @Test
    void renameOutOfAndUnlinkInACachedDirectoryLeaveNamesKnownAbsent() {
        NlCacheXlator n = nlc();
        Gfid fresh = mkdir(n, DIR, "fresh");
        create(n, fresh, "a");
        create(n, fresh, "b");
        n.rename(C, Loc.entry(fresh, "a", "/f/a"), Loc.entry(OTHER, "a2", "/o/a2"), Xdata.EMPTY).join();
        n.unlink(C, Loc.entry(fresh, "b", "/f/b"), 0, Xdata.EMPTY).join();
        int before = brick.lookups;
        assertEquals(Errno.ENOENT, lookup(n, fresh, "a"));
        assertEquals(Errno.ENOENT, lookup(n, fresh, "b"));
        assertEquals(before, brick.lookups);
        assertEquals(null, lookup(n, OTHER, "a2"));
    }

    @Test
    void anEntriesUpcallMakesTheNextLookupAsk() {
        NlCacheXlator n = nlc();
        Gfid fresh = mkdir(n, DIR, "fresh");
        assertEquals(Errno.ENOENT, lookup(n, fresh, "x"));
        assertEquals(Errno.ENOENT, lookup(n, DIR, "y"));
        int before = brick.lookups;
        brick.dirs.get(fresh).add("x"); // another client created it
        n.upcall(new Upcall(fresh, Upcall.ENTRIES | Upcall.ATTR, null), brick);
        assertEquals(null, lookup(n, fresh, "x"));
        assertEquals(before + 1, brick.lookups);
        assertEquals(Errno.ENOENT, lookup(n, DIR, "y"), "other directories keep their entries");
        assertEquals(before + 1, brick.lookups);
    }

    @Test
    void aLookupAnsweredAfterAnUpcallIsNotKept() {
        NlCacheXlator n = nlc();
        brick.holdLookups = true;
        CompletableFuture<EntryReply> racing = n.lookup(C, Loc.entry(DIR, "x", "/x"), Xdata.EMPTY);
        n.upcall(new Upcall(DIR, Upcall.ENTRIES, null), brick);
        brick.releaseLookup(); // says ENOENT, but from before the other client's create
        assertTrue(racing.isCompletedExceptionally());
        brick.holdLookups = false;
        brick.dirs.get(DIR).add("x");
        assertEquals(null, lookup(n, DIR, "x"));
    }

    @Test
    void aLookupThatRacedOurOwnCreateIsNotKept() {
        NlCacheXlator n = nlc();
        brick.holdLookups = true;
        CompletableFuture<EntryReply> racing = n.lookup(C, Loc.entry(DIR, "x", "/x"), Xdata.EMPTY);
        create(n, DIR, "x");
        brick.dirs.get(DIR).remove("x");
        brick.releaseLookup(); // ENOENT, as if the brick answered before the create
        brick.dirs.get(DIR).add("x");
        assertTrue(racing.isCompletedExceptionally());
        brick.holdLookups = false;
        assertEquals(null, lookup(n, DIR, "x"));
    }

    @Test
    void entriesExpireAfterTheTimeout() {
        NlCacheXlator n = nlc("nl-cache-timeout", "60");
        Gfid fresh = mkdir(n, DIR, "fresh");
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        now.addAndGet(TimeUnit.SECONDS.toNanos(61));
        int before = brick.lookups;
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        assertEquals(Errno.ENOENT, lookup(n, fresh, "y"));
        assertEquals(before + 2, brick.lookups, "both the negative entry and the whole-directory knowledge expired");
    }

    @Test
    void theLimitEvictsTheLeastRecentlyUsedDirectories() {
        NlCacheXlator n = nlc("nl-cache-limit", "4KB");
        List<Gfid> made = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            now.addAndGet(1_000_000); // a millisecond apart, so that "least recently used" is well defined
            made.add(mkdir(n, DIR, "d" + i));
            for (int j = 0; j < 3; j++) lookup(n, made.get(i), "absent-name-" + j);
        }
        assertTrue(n.cachedBytes() <= 4096, "held " + n.cachedBytes() + " bytes");
        int before = brick.lookups;
        assertEquals(Errno.ENOENT, lookup(n, made.get(0), "absent-name-0"));
        assertEquals(before + 1, brick.lookups, "the oldest directory was evicted");
        before = brick.lookups;
        assertEquals(Errno.ENOENT, lookup(n, made.get(39), "absent-name-0"));
        assertEquals(before, brick.lookups, "the newest is still cached");
    }

    @Test
    void aLostBrickDropsEverything() {
        NlCacheXlator n = nlc();
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        n.notify(Event.CHILD_DOWN, brick);
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        assertEquals(2, brick.lookups);
    }

    @Test
    void aReconnectedBrickNoticeDropsEverything() {
        NlCacheXlator n = nlc();
        Gfid fresh = mkdir(n, DIR, "fresh");
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        int before = brick.lookups;
        n.upcall(Upcall.everything(), brick);
        assertEquals(Errno.ENOENT, lookup(n, DIR, "x"));
        assertEquals(Errno.ENOENT, lookup(n, fresh, "y"));
        assertEquals(before + 2, brick.lookups);
    }

    @Test
    void timeoutZeroPassesThrough() {
        NlCacheXlator n = nlc("nl-cache-timeout", "0");
        lookup(n, DIR, "x");
        lookup(n, DIR, "x");
        assertEquals(2, brick.lookups);
    }
}
