package org.glusterj.xlators.performance.mdcache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.*;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

/** md-cache with cache-invalidation: long-lived entries, dropped when a brick reports another client's change. */
class MdCacheInvalidationTest {
    private static final Caller C = Caller.of(0, 0, 1);
    private static final Gfid DIR = Gfid.random();
    private static final Gfid FILE = Gfid.random();

    private final ScriptedChild child = new ScriptedChild();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    /** Records the upcalls that md-cache passes on. */
    static final class Above extends Xlator {
        int upcalls;

        Above(Xlator child) {
            super(XlatorConfig.of("above", "test/above", Options.NONE, List.of(child)));
        }

        @Override
        public void upcall(Upcall upcall, Xlator source) {
            upcalls++;
        }
    }

    private MdCacheXlator mdc(String... options) {
        return new MdCacheXlator(XlatorConfig.of("mdc", MdCacheXlator.TYPE.type(), Options.of(options), List.of(child)),
                now::get);
    }

    private MdCacheXlator longLived() {
        return mdc("md-cache-timeout", "600", "cache-invalidation", "on");
    }

    private static Iatt file(int mode, long size, long ctime) {
        return new Iatt(FILE, FileType.S_IFREG | mode, 1, 0, 0, 0, size, 1, 4096, ctime, 0, ctime, 0, ctime, 0);
    }

    private static Iatt dir(long ctime) {
        return new Iatt(DIR, FileType.S_IFDIR | 0755, 2, 0, 0, 0, 4096, 8, 4096, ctime, 0, ctime, 0, ctime, 0);
    }

    private static int statMode(MdCacheXlator m) {
        return m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY).join().attr().mode() & 07777;
    }

    private static EntryReply lookupByName(MdCacheXlator m, String name) {
        return m.lookup(C, Loc.entry(DIR, name, "/d/" + name), Xdata.EMPTY).join();
    }

    @Test
    void entriesLiveForTheLongTimeoutUntilAnUpcallDropsThem() {
        MdCacheXlator m = longLived();
        child.answer("lookup", new EntryReply(file(0644, 10, 100), null, dir(50), null));
        lookupByName(m, "f");
        now.addAndGet(TimeUnit.SECONDS.toNanos(500));
        assertEquals(0644, statMode(m));
        lookupByName(m, "f");
        assertEquals(1, child.calls("lookup"), "a known name is answered from the cache");
        assertEquals(0, child.calls("stat"));

        child.answer("stat", new AttrReply(file(0600, 10, 101), null));
        m.upcall(new Upcall(FILE, Upcall.ATTR, file(0600, 10, 101)), child);
        assertEquals(0600, statMode(m), "another client's chmod shows at once");
        assertEquals(1, child.calls("stat"));
        assertEquals(0600, statMode(m));
        assertEquals(1, child.calls("stat"), "and is cached again");
    }

    /**
     * StressIT's empty reads: a lookup racing the other mount's rename met the new name's linkto
     * before distribute had set its pointer, and answered with it (empty, mode exactly sticky).
     * Nobody changes the file afterwards, so no upcall would ever correct a cached copy.
     */
    @Test
    void anEmptyStickyOnlyAnswerThatMayBeALinktoIsNotKept() {
        MdCacheXlator m = longLived();
        child.answer("lookup", new EntryReply(file(01000, 0, 100), null, dir(50), null));
        assertEquals(0, lookupByName(m, "n1").attr().size(), "the answer itself is passed on");
        child.answer("lookup", new EntryReply(file(0644, 200_000, 100), null, dir(50), null));
        assertEquals(200_000, lookupByName(m, "n1").attr().size(), "the next lookup asks the bricks again");
        assertEquals(2, child.calls("lookup"));
        child.answer("stat", new AttrReply(file(01000, 0, 100), null));
        m.upcall(new Upcall(FILE, Upcall.ATTR, null), child);
        statMode(m);
        assertEquals(01000, statMode(m));
        assertEquals(2, child.calls("stat"), "nor is a stat's");
        assertEquals(200_000, lookupAfterStat(m), "and the data file's attributes are kept as usual");
        assertEquals(3, child.calls("lookup"));
        assertEquals(200_000, lookupAfterStat(m));
        assertEquals(3, child.calls("lookup"));
    }

    private long lookupAfterStat(MdCacheXlator m) {
        child.answer("lookup", new EntryReply(file(0644, 200_000, 101), null, dir(50), null));
        return lookupByName(m, "n1").attr().size();
    }

    @Test
    void anEntriesUpcallDropsTheNamesCachedUnderTheDirectory() {
        MdCacheXlator m = longLived();
        child.answer("lookup", new EntryReply(file(0644, 10, 100), null, dir(50), null));
        lookupByName(m, "f");
        // another client renamed f away: the brick reports the directory's entries changed
        m.upcall(new Upcall(DIR, Upcall.ENTRIES | Upcall.ATTR, dir(60)), child);
        child.answer("lookup", Errno.ENOENT.exception("f"));
        assertEquals(Errno.ENOENT, errnoOf(m.lookup(C, Loc.entry(DIR, "f", "/d/f"), Xdata.EMPTY)));
        assertEquals(2, child.calls("lookup"));
    }

    @Test
    void aReplyWoundBeforeTheUpcallCannotBringBackTheOldAttributes() {
        MdCacheXlator m = longLived();
        child.answer("stat", new AttrReply(file(0644, 10, 100), null));
        child.hold("stat");
        CompletableFuture<AttrReply> racing = m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY);
        m.upcall(new Upcall(FILE, Upcall.ATTR, null), child);
        child.release("stat"); // answers with the attributes from before the other client's change
        assertEquals(0644, racing.join().attr().mode() & 07777);
        child.answer("stat", () -> new AttrReply(file(0600, 10, 101), null));
        child.hold("stat");
        CompletableFuture<AttrReply> next = m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY);
        child.release("stat");
        assertEquals(0600, next.join().attr().mode() & 07777, "the stale reply was not kept");
        assertEquals(2, child.calls("stat"));
    }

    @Test
    void ourOwnChangesStillInvalidate() {
        MdCacheXlator m = longLived();
        child.answer("stat", new AttrReply(file(0644, 0, 100), null));
        statMode(m);
        child.answer("setattr", new ChangeReply(file(0644, 0, 100), file(0700, 0, 102), null));
        m.setattr(C, Loc.of(FILE, "/d/f"), new SetAttr(SetAttr.MODE, 0700, 0, 0, 0, 0, 0, 0), Xdata.EMPTY).join();
        assertEquals(0700, statMode(m));
        assertEquals(1, child.calls("stat"));
    }

    @Test
    void aLostBrickFlushesEverything() {
        MdCacheXlator m = longLived();
        child.answer("stat", new AttrReply(file(0644, 0, 100), null));
        statMode(m);
        m.notify(Event.CHILD_DOWN, child);
        statMode(m);
        assertEquals(2, child.calls("stat"));
        m.notify(Event.SOME_DESCENDENT_DOWN, child);
        statMode(m);
        assertEquals(3, child.calls("stat"), "one of several bricks lost: its files are not answered from here");
    }

    @Test
    void aReconnectedBrickNoticeFlushesEverything() {
        MdCacheXlator m = longLived();
        child.answer("stat", new AttrReply(file(0644, 0, 100), null));
        child.answer("lookup", new EntryReply(file(0644, 0, 100), null, dir(50), null));
        lookupByName(m, "f");
        statMode(m);
        m.upcall(Upcall.everything(), child);
        statMode(m);
        lookupByName(m, "f");
        assertEquals(1, child.calls("stat"));
        assertEquals(2, child.calls("lookup"));
    }

    private static Loc dirLoc() {
        return Loc.entry(Gfid.ROOT, "d", "/d");
    }

    private static EntryReply created(Gfid g, int type, long parentTime) {
        return new EntryReply(new Iatt(g, type | 0644, 1, 0, 0, 0, 0, 0, 4096, 100, 0, 100, 0, 100, 0),
                dir(50), dir(parentTime), null);
    }

    @Test
    void ourOwnCreateKeepsTheDirectorysAttributesWithItsNewTimes() {
        MdCacheXlator m = longLived();
        child.answer("lookup", new EntryReply(dir(50), null, null, null));
        m.lookup(C, dirLoc(), Xdata.EMPTY).join();
        Gfid g = Gfid.random();
        child.answer("create", created(g, FileType.S_IFREG, 70));
        m.create(C, new Loc(g, DIR, "new", "/d/new"), 0101, 0644, 0, new Fd(new Inode(g, 0), 2, 1), Xdata.EMPTY).join();
        Iatt d = m.lookup(C, dirLoc(), Xdata.EMPTY).join().attr();
        assertEquals(1, child.calls("lookup"), "the directory was not asked again");
        assertEquals(70, d.mtimeSec(), "its mtime moved with the brick's post-parent");
        assertEquals(2, d.nlink(), "the rest is the merged lookup's");

        // The new file has no capability xattr: the kernel's check before a write is answered here.
        CompletableFuture<XattrReply> cap = m.getxattr(C, Loc.of(g, "/d/new"), "security.capability", Xdata.EMPTY);
        assertEquals(Errno.ENODATA, errnoOf(cap));
        assertEquals(0, child.calls("getxattr"));
    }

    @Test
    void ourOwnMkdirStillDropsTheParentsAttributes() {
        MdCacheXlator m = longLived();
        child.answer("lookup", new EntryReply(dir(50), null, null, null));
        m.lookup(C, dirLoc(), Xdata.EMPTY).join();
        Gfid g = Gfid.random();
        child.answer("mkdir", created(g, FileType.S_IFDIR, 70));
        m.mkdir(C, new Loc(g, DIR, "sub", "/d/sub"), 0755, 0, Xdata.EMPTY).join();
        m.lookup(C, dirLoc(), Xdata.EMPTY).join();
        assertEquals(2, child.calls("lookup"), "a subdirectory moves the link count: asked afresh");
    }

    @Test
    void withoutInvalidationOurOwnCreateDropsTheParentsAttributes() {
        MdCacheXlator m = mdc("md-cache-timeout", "600");
        child.answer("lookup", new EntryReply(dir(50), null, null, null));
        m.lookup(C, dirLoc(), Xdata.EMPTY).join();
        Gfid g = Gfid.random();
        child.answer("create", created(g, FileType.S_IFREG, 70));
        m.create(C, new Loc(g, DIR, "new", "/d/new"), 0101, 0644, 0, new Fd(new Inode(g, 0), 2, 1), Xdata.EMPTY).join();
        m.lookup(C, dirLoc(), Xdata.EMPTY).join();
        assertEquals(2, child.calls("lookup"));
    }

    @Test
    void withoutInvalidationUpcallsAreIgnoredButPassedOn() {
        MdCacheXlator m = mdc("md-cache-timeout", "600");
        Above above = new Above(m);
        child.answer("stat", new AttrReply(file(0644, 0, 100), null));
        statMode(m);
        m.upcall(new Upcall(FILE, Upcall.ATTR, null), child);
        statMode(m);
        assertEquals(1, child.calls("stat"));
        assertEquals(1, above.upcalls);
    }

    @Test
    void upcallsArePassedOnWithInvalidationToo() {
        MdCacheXlator m = longLived();
        Above above = new Above(m);
        m.upcall(new Upcall(FILE, Upcall.DATA, null), child);
        assertEquals(1, above.upcalls);
    }

    private static Errno errnoOf(CompletableFuture<?> f) {
        try {
            f.join();
        } catch (java.util.concurrent.CompletionException e) {
            return FopException.errnoOf(e);
        }
        throw new AssertionError("expected a failure");
    }
}
