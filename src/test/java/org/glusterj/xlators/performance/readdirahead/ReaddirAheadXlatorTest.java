package org.glusterj.xlators.performance.readdirahead;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.Event;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

class ReaddirAheadXlatorTest {
    private static final Caller C = Caller.of(0, 0, 1);
    private final Gfid dirGfid = Gfid.random();
    private final Directory brick = new Directory();
    private final AtomicLong now = new AtomicLong();

    /** A directory on a brick: pages of {@code page} entries per readdirp, offsets 1..n; every call counted. */
    static final class Directory extends Xlator {
        final List<String> names = new ArrayList<>();
        int page = 3;
        int readdirps;
        int opendirs;
        int releasedirs;
        /** readdirps wound on an fd after its releasedir: must stay 0. */
        int readdirpsAfterRelease;
        private final java.util.Set<Fd> released = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Errno failAt;
        boolean hold;
        final List<Runnable> held = new ArrayList<>();

        Directory() {
            super(XlatorConfig.of("brick", "test/directory", Options.of(), List.of()));
        }

        @Override
        public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
            opendirs++;
            return CompletableFuture.completedFuture(Done.OK);
        }

        @Override
        public synchronized void releasedir(Fd fd) {
            releasedirs++;
            released.add(fd);
        }

        @Override
        public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
            if (opendirs == 0) return CompletableFuture.failedFuture(Errno.EBADF.exception("never opened"));
            return CompletableFuture.completedFuture(new AttrReply(
                    new Iatt(fd.gfid(), FileType.S_IFDIR | 0755, 2, 0, 0, 0, 0, 1, 4096, 0, 0, 0, 0, 0, 0), Xdata.EMPTY));
        }

        @Override
        public synchronized CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
            readdirps++;
            if (released.contains(fd)) readdirpsAfterRelease++;
            if (failAt != null) return CompletableFuture.failedFuture(failAt.exception("scripted"));
            List<Dirent> out = new ArrayList<>();
            for (int i = (int) offset; i < names.size() && out.size() < page; i++) {
                Iatt a = new Iatt(Gfid.random(), FileType.S_IFREG | 0644, 1, 0, 0, 0, 5, 1, 4096, 0, 0, 0, 0, 0, 0);
                out.add(new Dirent(names.get(i), a.ino(), i + 1, 8, a, Xdata.EMPTY));
            }
            CompletableFuture<ReaddirReply> f = new CompletableFuture<>();
            if (hold) held.add(() -> f.complete(new ReaddirReply(out, Xdata.EMPTY)));
            else f.complete(new ReaddirReply(out, Xdata.EMPTY));
            return f;
        }

        @Override
        public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
            return made(loc, FileType.S_IFREG | 0644);
        }

        @Override
        public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
            return made(loc, FileType.S_IFDIR | 0755);
        }

        /** Adds the name (in this one directory) and answers with attributes, or fails with {@link #failAt}. */
        private CompletableFuture<EntryReply> made(Loc loc, int mode) {
            CompletableFuture<EntryReply> f = new CompletableFuture<>();
            Runnable answer = () -> {
                if (failAt != null) {
                    f.completeExceptionally(failAt.exception("scripted"));
                    return;
                }
                names.add(loc.name());
                Gfid g = loc.gfid() != null ? loc.gfid() : Gfid.random();
                f.complete(new EntryReply(new Iatt(g, mode, 1, 0, 0, 0, 0, 1, 4096, 0, 0, 0, 0, 0, 0), null, null,
                        Xdata.EMPTY));
            };
            if (hold) held.add(answer);
            else answer.run();
            return f;
        }

        @Override
        public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
            names.remove(oldLoc.name());
            names.add(newLoc.name());
            Iatt a = new Iatt(oldLoc.gfid(), FileType.S_IFREG | 0644, 1, 0, 0, 0, 0, 1, 4096, 0, 0, 0, 0, 0, 0);
            return CompletableFuture.completedFuture(new RenameReply(a, null, null, null, null, Xdata.EMPTY));
        }

        @Override
        public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
            names.remove(loc.name());
            return CompletableFuture.completedFuture(new ParentReply(null, null, Xdata.EMPTY));
        }
    }

    private ReaddirAheadXlator rda(String... options) {
        return new ReaddirAheadXlator(XlatorConfig.of("rda", ReaddirAheadXlator.TYPE.type(), Options.of(options),
                List.of(brick)), now::get);
    }

    private Fd opendir(ReaddirAheadXlator rda) {
        return opendir(rda, dirGfid);
    }

    private static Fd opendir(ReaddirAheadXlator rda, Gfid dir) {
        Fd fd = new Fd(new Inode(dir, FileType.S_IFDIR), 0, 1);
        rda.opendir(C, Loc.of(dir, "/d"), fd, Xdata.EMPTY).join();
        return fd;
    }

    /** Lists the whole directory the way FuseBridge does: readdirp from each last cookie until empty. */
    private static List<String> list(ReaddirAheadXlator rda, Fd fd) {
        List<String> names = new ArrayList<>();
        long cookie = 0;
        while (true) {
            List<Dirent> page = rda.readdirp(C, fd, 4096, cookie, Xdata.EMPTY).join().entries();
            if (page.isEmpty()) return names;
            for (Dirent d : page) {
                names.add(d.name());
                cookie = d.offset();
            }
        }
    }

    private void fill(int n) {
        for (int i = 0; i < n; i++) brick.names.add("f" + i);
    }

    @Test
    void opendirStartsReadingAheadAndTheListingIsComplete() {
        fill(10);
        ReaddirAheadXlator rda = rda();
        Fd fd = opendir(rda);
        assertTrue(brick.readdirps > 0, "reading ahead started at opendir");
        assertEquals(brick.names, list(rda, fd));
        rda.releasedir(fd);
    }

    @Test
    void aLaterOpendirIsListedFromTheKeptListingWithoutAttributes() {
        fill(10);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        int before = brick.readdirps;
        Fd again = opendir(rda);
        List<Dirent> first = rda.readdirp(C, again, 4096, 0, Xdata.EMPTY).join().entries();
        assertNull(first.get(0).attr(), "kept entries carry no aged attributes");
        assertEquals(FileType.S_IFREG >>> 12, first.get(0).type());
        assertEquals(brick.names, list(rda, opendir(rda)));
        assertEquals(before, brick.readdirps, "no readdirp reached the brick");
        assertEquals(1, brick.opendirs, "a directory listed from a kept listing is not opened on the brick");
    }

    @Test
    void ownCreateAndUnlinkShowAtOnce() {
        fill(5);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        rda.create(C, Loc.entry(dirGfid, "new", "/d/new"), 0, 0644, 0, new Fd(new Inode(Gfid.random(), 0), 0, 1),
                Xdata.EMPTY).join();
        assertTrue(list(rda, opendir(rda)).contains("new"));
        rda.unlink(C, Loc.entry(dirGfid, "f0", "/d/f0"), 0, Xdata.EMPTY).join();
        assertFalse(list(rda, opendir(rda)).contains("f0"));
    }

    @Test
    void anEntriesUpcallDropsTheKeptListing() {
        fill(5);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        brick.names.add("by-another-client");
        rda.upcall(new Upcall(dirGfid, Upcall.ENTRIES, null), brick);
        assertTrue(list(rda, opendir(rda)).contains("by-another-client"));
    }

    @Test
    void aKeptListingExpiresAfterTheTimeout() {
        fill(5);
        ReaddirAheadXlator rda = rda("rda-listing-timeout", "2");
        list(rda, opendir(rda));
        brick.names.add("later");
        now.addAndGet(1_000_000_000L);
        assertFalse(list(rda, opendir(rda)).contains("later"), "still within the timeout");
        now.addAndGet(1_500_000_000L);
        assertTrue(list(rda, opendir(rda)).contains("later"));
    }

    @Test
    void timeoutZeroKeepsNothing() {
        fill(5);
        ReaddirAheadXlator rda = rda("rda-listing-timeout", "0");
        list(rda, opendir(rda));
        int before = brick.readdirps;
        list(rda, opendir(rda));
        assertTrue(brick.readdirps > before);
    }

    @Test
    void aListingReadWhileANameChangedIsNotKept() {
        fill(6);
        brick.hold = true;
        ReaddirAheadXlator rda = rda();
        Fd fd = opendir(rda);
        rda.unlink(C, Loc.entry(Gfid.random(), "elsewhere", "/e/elsewhere"), 0, Xdata.EMPTY).join();
        brick.hold = false;
        brick.held.forEach(Runnable::run);
        list(rda, fd);
        int before = brick.readdirps;
        list(rda, opendir(rda));
        assertTrue(brick.readdirps > before, "the listing was read again from the brick");
    }

    @Test
    void aListingBiggerThanTheCacheLimitIsServedButNotKept() {
        fill(200);
        ReaddirAheadXlator rda = rda("rda-cache-limit", "4KB");
        assertEquals(brick.names, list(rda, opendir(rda)));
        int before = brick.readdirps;
        assertEquals(brick.names, list(rda, opendir(rda)));
        assertTrue(brick.readdirps > before);
    }

    /**
     * The least heap a kept entry takes on a 64-bit JVM with compressed oops, counted here from
     * the objects a kept listing cannot do without, apart from readdir-ahead's own estimate: the
     * entry (a Dirent record: 12-byte header, four 4-byte fields and two longs, padded: 48) and its
     * numbered copy (48), its LinkedHashMap entry (40), the name's String (24) and its bytes
     * (16-byte array header and one byte per Latin-1 character, padded to 8).
     */
    private static long leastHeapBytes(String name) {
        return 48 + 48 + 40 + 24 + ((16 + name.length() + 7) & ~7);
    }

    @Test
    void theCacheLimitHoldsForWhatKeptListingsTake() {
        fill(100);
        long limit = 64 * 1024;
        ReaddirAheadXlator rda = rda("rda-cache-limit", "64KB", "rda-listing-timeout", "600");
        List<Gfid> dirs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Gfid d = Gfid.random();
            dirs.add(d);
            assertEquals(brick.names, list(rda, opendir(rda, d)));
        }
        // Listings are dropped least recently used first, so the kept ones are the newest: count
        // them from the newest down to the first that must be read again.
        int kept = 0;
        for (int i = dirs.size() - 1; i >= 0; i--) {
            int before = brick.readdirps;
            list(rda, opendir(rda, dirs.get(i)));
            if (brick.readdirps != before) break;
            kept++;
        }
        long perListing = brick.names.stream().mapToLong(ReaddirAheadXlatorTest::leastHeapBytes).sum();
        assertTrue(kept >= 1, "listings well under the limit are kept");
        assertTrue(kept * perListing <= limit, kept + " listings of " + brick.names.size() + " entries take at least "
                + kept * perListing + " bytes, over the limit of " + limit);
    }

    @Test
    void aSeekElsewhereIsPassedToTheChild() {
        fill(9);
        ReaddirAheadXlator rda = rda();
        Fd fd = opendir(rda);
        List<Dirent> fromFive = rda.readdirp(C, fd, 4096, 5, Xdata.EMPTY).join().entries();
        assertEquals("f5", fromFive.get(0).name());
    }

    @Test
    void aReadAheadErrorIsReportedToTheReader() {
        fill(4);
        brick.failAt = Errno.EIO;
        ReaddirAheadXlator rda = rda();
        Fd fd = opendir(rda);
        CompletionException e = assertThrows(CompletionException.class,
                () -> rda.readdirp(C, fd, 4096, 0, Xdata.EMPTY).join());
        assertEquals(Errno.EIO, FopException.errnoOf(e));
    }

    private void create(ReaddirAheadXlator rda, Gfid dir, String name) {
        rda.create(C, Loc.entry(dir, name, "/d/" + name), 0, 0644, 0, new Fd(new Inode(Gfid.random(), 0), 0, 1),
                Xdata.EMPTY).join();
    }

    @Test
    void ownCreatesAndUnlinksAreAppliedToTheKeptListingWithoutReadingItAgain() {
        fill(5);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        int before = brick.readdirps;
        create(rda, dirGfid, "new");
        rda.unlink(C, Loc.entry(dirGfid, "f0", "/d/f0"), 0, Xdata.EMPTY).join();
        assertEquals(List.of("f1", "f2", "f3", "f4", "new"), list(rda, opendir(rda)));
        assertEquals(before, brick.readdirps, "served from the kept listing");
        assertEquals(brick.names, List.of("f1", "f2", "f3", "f4", "new"));
    }

    @Test
    void aDirectoryThisClientMadeIsListedWithoutTheBricksAndFollowsItsCreates() {
        ReaddirAheadXlator rda = rda("rda-listing-timeout", "600");
        Gfid parent = Gfid.random();
        Gfid made = rda.mkdir(C, Loc.entry(parent, "d", "/d"), 0755, 0, Xdata.EMPTY).join().attr().gfid();
        create(rda, made, "a");
        create(rda, made, "b");
        Fd fd = new Fd(new Inode(made, FileType.S_IFDIR), 0, 1);
        rda.opendir(C, Loc.of(made, "/d"), fd, Xdata.EMPTY).join();
        List<Dirent> all = rda.readdirp(C, fd, 4096, 0, Xdata.EMPTY).join().entries();
        assertEquals(List.of(".", "..", "a", "b"), all.stream().map(Dirent::name).toList());
        assertEquals(made.ino(), all.get(0).ino());
        assertEquals(parent.ino(), all.get(1).ino());
        assertEquals(FileType.S_IFDIR >>> 12, all.get(0).type());
        assertEquals(FileType.S_IFREG >>> 12, all.get(2).type());
        assertTrue(rda.readdirp(C, fd, 4096, all.get(3).offset(), Xdata.EMPTY).join().entries().isEmpty());
        assertEquals(0, brick.readdirps, "nothing was read from the brick");
    }

    @Test
    void aKeptListingResumesAtAnyOffsetItHandedOut() {
        fill(9);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        Fd fd = opendir(rda);
        List<Dirent> all = rda.readdirp(C, fd, 1 << 20, 0, Xdata.EMPTY).join().entries();
        assertEquals(9, all.size());
        List<Dirent> after = rda.readdirp(C, fd, 1 << 20, all.get(4).offset(), Xdata.EMPTY).join().entries();
        assertEquals(List.of("f5", "f6", "f7", "f8"), after.stream().map(Dirent::name).toList());
        List<Dirent> small = rda.readdirp(C, fd, 1, 0, Xdata.EMPTY).join().entries();
        assertEquals(List.of("f0"), small.stream().map(Dirent::name).toList(), "at least one entry, at most size");
        long two = Listings.weight(all.get(1)) + Listings.weight(all.get(2));
        assertEquals(List.of("f1", "f2"), rda.readdirp(C, fd, (int) two, 1, Xdata.EMPTY).join().entries().stream()
                .map(Dirent::name).toList());
        assertEquals(List.of("f1"), rda.readdirp(C, fd, (int) two - 1, 1, Xdata.EMPTY).join().entries().stream()
                .map(Dirent::name).toList());
        assertTrue(rda.readdirp(C, fd, 4096, 9, Xdata.EMPTY).join().entries().isEmpty(), "past the end");
    }

    @Test
    void overlappingChangesDropTheKeptListingInsteadOfApplyingOutOfOrder() {
        fill(3);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        brick.hold = true;
        CompletableFuture<EntryReply> one = rda.create(C, Loc.entry(dirGfid, "x", "/d/x"), 0, 0644, 0,
                new Fd(new Inode(Gfid.random(), 0), 0, 1), Xdata.EMPTY);
        CompletableFuture<EntryReply> two = rda.create(C, Loc.entry(dirGfid, "y", "/d/y"), 0, 0644, 0,
                new Fd(new Inode(Gfid.random(), 0), 0, 1), Xdata.EMPTY);
        brick.hold = false;
        brick.held.forEach(Runnable::run);
        one.join();
        two.join();
        int before = brick.readdirps;
        assertEquals(List.of("f0", "f1", "f2", "x", "y"), list(rda, opendir(rda)));
        assertTrue(brick.readdirps > before, "read again from the brick");
    }

    @Test
    void aFailedCreateDropsTheKeptListing() {
        fill(3);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        brick.failAt = Errno.EIO;
        assertThrows(CompletionException.class, () -> create(rda, dirGfid, "x"));
        brick.failAt = null;
        brick.names.add("appeared-anyway");
        assertTrue(list(rda, opendir(rda)).contains("appeared-anyway"));
    }

    @Test
    void aRenameWithinTheDirectoryMovesTheName() {
        fill(3);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        int before = brick.readdirps;
        rda.rename(C, new Loc(Gfid.random(), dirGfid, "f1", "/d/f1"), Loc.entry(dirGfid, "g", "/d/g"), Xdata.EMPTY)
                .join();
        assertEquals(List.of("f0", "f2", "g"), list(rda, opendir(rda)));
        assertEquals(before, brick.readdirps);
    }

    @Test
    void aBrickGoingDownOrUpDropsEveryKeptListing() {
        fill(3);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        brick.names.add("while-away");
        rda.notify(Event.SOME_DESCENDENT_DOWN, brick);
        assertTrue(list(rda, opendir(rda)).contains("while-away"));
        brick.names.add("after-reconnect");
        rda.notify(Event.CHILD_UP, brick);
        assertTrue(list(rda, opendir(rda)).contains("after-reconnect"));
    }

    @Test
    void aReconnectsEverythingUpcallDropsEveryKeptListing() {
        fill(3);
        ReaddirAheadXlator rda = rda();
        list(rda, opendir(rda));
        brick.names.add("while-away");
        rda.upcall(Upcall.everything(), brick);
        assertTrue(list(rda, opendir(rda)).contains("while-away"));
    }

    @Test
    void releasedirWaitsForAReadAheadOnItsWay() {
        fill(6);
        brick.hold = true;
        ReaddirAheadXlator rda = rda("rda-listing-timeout", "0");
        Fd fd = opendir(rda);
        rda.releasedir(fd);
        assertEquals(0, brick.releasedirs, "not while the brick is still reading the directory");
        brick.hold = false;
        brick.held.forEach(Runnable::run);
        assertEquals(1, brick.releasedirs);
        Fd idle = opendir(rda);
        list(rda, idle);
        rda.releasedir(idle);
        assertEquals(2, brick.releasedirs);
    }

    @Test
    void aReadAheadAnsweredAfterReleasedirStartsNoOther() {
        fill(9);
        brick.hold = true;
        ReaddirAheadXlator rda = rda();
        Fd fd = opendir(rda);
        rda.releasedir(fd);
        brick.hold = false;
        List<Runnable> answers = List.copyOf(brick.held);
        answers.forEach(Runnable::run);
        assertEquals(1, brick.releasedirs, "released once the read ahead on its way was answered");
        assertEquals(0, brick.readdirpsAfterRelease, "its reply started no read ahead on the released fd");
        assertEquals(1, brick.readdirps);
    }

    @Test
    void aReleasedirBetweenAReplyAndTheReadAheadItWouldStartStopsIt() {
        fill(9);
        brick.hold = true;
        // low-wmark 0: the reader takes from the buffer without starting a read ahead itself, so
        // the next one would come only from the reply's own follow-up, after the releasedir.
        ReaddirAheadXlator rda = rda("rda-low-wmark", "0");
        Fd fd = opendir(rda);
        CompletableFuture<ReaddirReply> first = rda.readdirp(C, fd, 1, 0, Xdata.EMPTY);
        first.thenRun(() -> rda.releasedir(fd)); // runs as the reply is handed out, before any follow-up
        brick.hold = false;
        List<Runnable> answers = List.copyOf(brick.held);
        answers.forEach(Runnable::run);
        assertEquals(List.of("f0"), first.join().entries().stream().map(Dirent::name).toList());
        assertEquals(1, brick.releasedirs);
        assertEquals(0, brick.readdirpsAfterRelease, "no read ahead was wound on the released fd");
    }

    @Test
    void aDirectoryListedFromAKeptListingIsOpenedOnTheBrickOnlyWhenAnotherFopNeedsIt() {
        fill(4);
        ReaddirAheadXlator rda = rda();
        Fd first = opendir(rda);
        list(rda, first);
        rda.releasedir(first);
        assertEquals(1, brick.opendirs);
        assertEquals(1, brick.releasedirs);

        Fd listedOnly = opendir(rda);
        assertEquals(brick.names, list(rda, listedOnly));
        rda.releasedir(listedOnly);
        assertEquals(1, brick.opendirs, "listing alone opened nothing");
        assertEquals(1, brick.releasedirs, "and nothing is released");

        Fd statted = opendir(rda);
        assertEquals(dirGfid, rda.fstat(C, statted, Xdata.EMPTY).join().attr().gfid());
        rda.fstat(C, statted, Xdata.EMPTY).join();
        assertEquals(2, brick.opendirs, "the fstat opened it first, once");
        assertEquals(brick.names, list(rda, statted));
        rda.releasedir(statted);
        assertEquals(2, brick.releasedirs);
    }
}
