package org.glusterj.xlators.performance.mdcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.*;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

class MdCacheXlatorTest {
    private static final Caller C = Caller.of(0, 0, 1);
    private static final Gfid DIR = Gfid.random();
    private static final Gfid FILE = Gfid.random();

    private final ScriptedChild child = new ScriptedChild();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private MdCacheXlator mdc(String... options) {
        return new MdCacheXlator(XlatorConfig.of("mdc", MdCacheXlator.TYPE.type(), Options.of(options), List.of(child)),
                now::get);
    }

    private void advanceSeconds(double s) {
        now.addAndGet((long) (s * TimeUnit.SECONDS.toNanos(1)));
    }

    private static Iatt iatt(Gfid g, int type, long size, long ctime) {
        return new Iatt(g, type | 0644, 1, 0, 0, 0, size, (size + 511) / 512, 4096,
                ctime, 0, ctime, 0, ctime, 0);
    }

    private static Iatt file(long size, long ctime) {
        return iatt(FILE, FileType.S_IFREG, size, ctime);
    }

    private static Iatt dir(long ctime) {
        return iatt(DIR, FileType.S_IFDIR, 4096, ctime);
    }

    private static Fd fd() {
        return new Fd(new Inode(FILE, FileType.S_IFREG), 2, 1);
    }

    private static Loc byName(String name) {
        return Loc.entry(DIR, name, "/d/" + name);
    }

    private static long statSize(MdCacheXlator m) {
        return m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY).join().attr().size();
    }

    private static Errno errnoOf(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return FopException.errnoOf(e);
    }

    @Test
    void secondStatWithinTimeoutCostsNoChildCall() {
        MdCacheXlator m = mdc();
        child.answer("stat", new AttrReply(file(10, 100), null));
        assertEquals(10, statSize(m));
        advanceSeconds(0.5);
        assertEquals(10, statSize(m));
        assertEquals(1, child.calls("stat"));
        assertEquals(10, m.fstat(C, fd(), Xdata.EMPTY).join().attr().size());
        assertEquals(0, child.calls("fstat"));
    }

    @Test
    void afterTheTimeoutStatGoesToTheChild() {
        MdCacheXlator m = mdc("md-cache-timeout", "2");
        child.answer("stat", new AttrReply(file(10, 100), null));
        statSize(m);
        advanceSeconds(1.9);
        statSize(m);
        assertEquals(1, child.calls("stat"));
        advanceSeconds(0.2);
        child.answer("stat", new AttrReply(file(99, 101), null));
        assertEquals(99, statSize(m), "a change by another client shows once the timeout has passed");
        assertEquals(2, child.calls("stat"));
    }

    @Test
    void timeoutZeroDisablesCaching() {
        MdCacheXlator m = mdc("md-cache-timeout", "0");
        child.answer("stat", new AttrReply(file(10, 100), null));
        child.answer("lookup", new EntryReply(file(10, 100), null, dir(50), null));
        statSize(m);
        statSize(m);
        m.lookup(C, byName("f"), Xdata.EMPTY).join();
        m.lookup(C, byName("f"), Xdata.EMPTY).join();
        assertEquals(2, child.calls("stat"));
        assertEquals(2, child.calls("lookup"));
    }

    @Test
    void afterWritevStatShowsTheNewSizeWithoutAsking() {
        MdCacheXlator m = mdc();
        child.answer("stat", new AttrReply(file(0, 100), null));
        assertEquals(0, statSize(m));
        child.answer("writev", new ChangeReply(file(0, 100), file(4096, 101), null));
        m.writev(C, fd(), Unpooled.wrappedBuffer(new byte[4096]), 0, 0, Xdata.EMPTY).join();
        assertEquals(4096, statSize(m));
        assertEquals(1, child.calls("stat"), "the write's post-attributes answer the stat");
    }

    @Test
    void writeWithoutPostAttributesDropsTheCachedSize() {
        MdCacheXlator m = mdc();
        child.answer("stat", new AttrReply(file(0, 100), null));
        statSize(m);
        // write-behind acknowledges early without attributes
        child.answer("writev", new ChangeReply(null, null, null));
        m.writev(C, fd(), Unpooled.wrappedBuffer(new byte[10]), 0, 0, Xdata.EMPTY).join();
        child.answer("stat", new AttrReply(file(10, 101), null));
        assertEquals(10, statSize(m));
        assertEquals(2, child.calls("stat"));
    }

    @Test
    void theCloseOfAnFdThatWroteRefreshesTheAttributesForTheNextStat() {
        MdCacheXlator m = mdc();
        Fd fd = fd();
        child.answer("writev", new ChangeReply(null, null, null)); // acknowledged early
        m.writev(C, fd, Unpooled.wrappedBuffer(new byte[10]), 0, 0, Xdata.EMPTY).join();
        child.answer("flush", Done.OK);
        child.answer("lookup", new EntryReply(file(10, 101), null, null, null));
        m.flush(C, fd, Xdata.EMPTY).join();
        assertEquals(1, child.calls("lookup"), "the flush asked for the attributes once");
        assertEquals(10, statSize(m));
        assertEquals(0, child.calls("stat"), "the stat after the close is answered from the cache");
        m.flush(C, fd, Xdata.EMPTY).join();
        assertEquals(1, child.calls("lookup"), "a close without writes since asks nothing");
    }

    @Test
    void aRefreshThatRacesAChangeIsNotKept() {
        MdCacheXlator m = mdc();
        Fd fd = fd();
        child.answer("writev", new ChangeReply(null, null, null));
        m.writev(C, fd, Unpooled.wrappedBuffer(new byte[10]), 0, 0, Xdata.EMPTY).join();
        child.answer("flush", Done.OK);
        child.answer("lookup", new EntryReply(file(10, 101), null, null, null));
        child.hold("lookup");
        m.flush(C, fd, Xdata.EMPTY).join();
        child.answer("truncate", new ChangeReply(file(10, 101), file(0, 102), null));
        m.truncate(C, Loc.of(FILE, "/d/f"), 0, Xdata.EMPTY).join();
        child.release("lookup"); // the refresh answers with the size from before the truncate
        assertEquals(0, statSize(m));
    }

    @Test
    void aStatThatAnswersAfterOurWriteCannotBringBackTheOldSize() {
        MdCacheXlator m = mdc();
        child.answer("stat", new AttrReply(file(0, 100), null));
        child.hold("stat");
        CompletableFuture<AttrReply> early = m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY);
        child.answer("writev", new ChangeReply(file(0, 100), file(4096, 101), null));
        m.writev(C, fd(), Unpooled.wrappedBuffer(new byte[4096]), 0, 0, Xdata.EMPTY).join();
        child.release("stat"); // the stat wound before the write answers now, with the old size
        assertEquals(0, early.join().attr().size());
        child.answer("stat", new AttrReply(file(4096, 101), null));
        assertEquals(4096, m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY).join().attr().size());
    }

    @Test
    void aStatWoundWhileAWriteIsInFlightIsNotKept() {
        MdCacheXlator m = mdc();
        child.answer("writev", new ChangeReply(file(0, 100), file(4096, 101), null));
        child.hold("writev");
        CompletableFuture<ChangeReply> write = m.writev(C, fd(), Unpooled.wrappedBuffer(new byte[4096]), 0, 0, Xdata.EMPTY);
        child.answer("stat", new AttrReply(file(0, 100), null));
        assertEquals(0, statSize(m), "the write has not returned: the old size is a right answer");
        child.release("writev");
        write.join();
        assertEquals(4096, statSize(m));
    }

    @Test
    void overlappingWritesKeepNeitherPostAttributes() {
        MdCacheXlator m = mdc();
        child.hold("writev");
        child.answer("writev", new ChangeReply(file(0, 100), file(8192, 102), null));
        CompletableFuture<ChangeReply> w1 = m.writev(C, fd(), Unpooled.wrappedBuffer(new byte[4096]), 0, 0, Xdata.EMPTY);
        CompletableFuture<ChangeReply> w2 = m.writev(C, fd(), Unpooled.wrappedBuffer(new byte[4096]), 4096, 0, Xdata.EMPTY);
        child.release("writev");
        // the brick may have applied them in either order; the later reply's size is not to be trusted
        child.answer("writev", new ChangeReply(file(0, 100), file(4096, 101), null));
        child.release("writev");
        w1.join();
        w2.join();
        child.answer("stat", new AttrReply(file(8192, 102), null));
        assertEquals(8192, statSize(m));
        assertEquals(1, child.calls("stat"));
    }

    @Test
    void afterUnlinkStatAndLookupFailWithEnoent() {
        MdCacheXlator m = mdc();
        child.answer("lookup", new EntryReply(file(10, 100), null, dir(50), null));
        m.lookup(C, byName("f"), Xdata.EMPTY).join();
        child.answer("unlink", new ParentReply(dir(50), dir(51), null));
        m.unlink(C, byName("f").withGfid(FILE), 0, Xdata.EMPTY).join();
        child.answer("stat", Errno.ENOENT.exception());
        child.answer("lookup", Errno.ENOENT.exception());
        assertEquals(Errno.ENOENT, errnoOf(m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY)));
        assertEquals(Errno.ENOENT, errnoOf(m.lookup(C, byName("f"), Xdata.EMPTY)));
        assertEquals(2, child.calls("lookup"));
    }

    @Test
    void lookupOfAKnownNameIsAnsweredFromTheCacheUntilTheTimeout() {
        MdCacheXlator m = mdc();
        child.answer("lookup", new EntryReply(file(10, 100), null, dir(50), null));
        m.lookup(C, byName("f"), Xdata.EMPTY).join();
        EntryReply cached = m.lookup(C, byName("f"), Xdata.EMPTY).join();
        assertEquals(FILE, cached.attr().gfid());
        assertEquals(10, cached.attr().size());
        assertEquals(1, child.calls("lookup"));
        m.lookup(C, byName("f"), Xdata.of("glusterfs.content", "1")).join();
        assertEquals(2, child.calls("lookup"), "a lookup that asks for more in xdata goes down");
        advanceSeconds(1.1);
        child.answer("lookup", Errno.ENOENT.exception());
        assertEquals(Errno.ENOENT, errnoOf(m.lookup(C, byName("f"), Xdata.EMPTY)),
                "a removal by another client shows after the timeout");
        child.answer("stat", new AttrReply(file(10, 100), null));
        statSize(m);
        assertEquals(1, child.calls("stat"), "ENOENT on a name forgot its attributes");
    }

    @Test
    void lookupWithAGfidOtherThanTheCachedNameGoesDown() {
        MdCacheXlator m = mdc();
        child.answer("lookup", new EntryReply(file(10, 100), null, dir(50), null));
        m.lookup(C, byName("f"), Xdata.EMPTY).join();
        m.lookup(C, byName("f").withGfid(Gfid.random()), Xdata.EMPTY).join();
        assertEquals(2, child.calls("lookup"));
    }

    @Test
    void renameMovesTheNameAndReplacesTheTarget() {
        MdCacheXlator m = mdc();
        Gfid other = Gfid.random();
        child.answer("lookup", new EntryReply(file(10, 100), null, dir(50), null));
        m.lookup(C, byName("a"), Xdata.EMPTY).join();
        child.answer("lookup", new EntryReply(iatt(other, FileType.S_IFREG, 5, 90), null, dir(50), null));
        m.lookup(C, byName("b"), Xdata.EMPTY).join();
        child.answer("rename", new RenameReply(file(10, 102), dir(50), dir(52), dir(50), dir(52), null));
        m.rename(C, byName("a").withGfid(FILE), byName("b"), Xdata.EMPTY).join();
        int before = child.calls("lookup");
        assertEquals(FILE, m.lookup(C, byName("b"), Xdata.EMPTY).join().attr().gfid(), "b is now the renamed file");
        assertEquals(before, child.calls("lookup"));
        child.answer("lookup", Errno.ENOENT.exception());
        assertEquals(Errno.ENOENT, errnoOf(m.lookup(C, byName("a"), Xdata.EMPTY)), "no stale name after rename");
        child.answer("stat", new AttrReply(iatt(other, FileType.S_IFREG, 5, 103), null));
        m.stat(C, Loc.of(other, null), Xdata.EMPTY).join();
        assertEquals(1, child.calls("stat"), "the replaced file's attributes were dropped");
    }

    @Test
    void linkUpdatesTheLinkCount() {
        MdCacheXlator m = mdc();
        child.answer("stat", new AttrReply(file(10, 100), null));
        statSize(m);
        child.answer("link", new EntryReply(file(10, 101).withNlink(2), dir(50), dir(51), null));
        m.link(C, Loc.of(FILE, "/d/f"), byName("g"), Xdata.EMPTY).join();
        assertEquals(2, m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY).join().attr().nlink());
        assertEquals(FILE, m.lookup(C, byName("g"), Xdata.EMPTY).join().attr().gfid());
        assertEquals(1, child.calls("stat"));
        assertEquals(0, child.calls("lookup"));
    }

    @Test
    void createFillsTheCacheForTheFollowingGetattr() {
        MdCacheXlator m = mdc();
        child.answer("create", new EntryReply(file(0, 100), dir(50), dir(51), null));
        m.create(C, byName("f").withGfid(FILE), 0101, 0644, 0, fd(), Xdata.EMPTY).join();
        assertEquals(FILE, m.lookup(C, byName("f"), Xdata.EMPTY).join().attr().gfid());
        assertEquals(0, m.fstat(C, fd(), Xdata.EMPTY).join().attr().size());
        assertEquals(0, child.calls("lookup") + child.calls("fstat"));
    }

    @Test
    void createThatOpensAnExistingFileBindsTheNameToItsRealGfid() {
        MdCacheXlator m = mdc();
        Gfid proposed = Gfid.random();
        child.answer("stat", new AttrReply(file(10, 100), null));
        child.answer("lookup", new EntryReply(file(10, 100), null, dir(50), null));
        m.lookup(C, byName("f"), Xdata.EMPTY).join();
        child.answer("create", new EntryReply(file(0, 101), dir(50), dir(51), null)); // O_TRUNC emptied it
        m.create(C, byName("f").withGfid(proposed), 01101, 0644, 0, fd(), Xdata.EMPTY).join();
        child.answer("lookup", new EntryReply(file(0, 101), null, dir(51), null));
        assertEquals(FILE, m.lookup(C, byName("f"), Xdata.EMPTY).join().attr().gfid());
        assertEquals(0, m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY).join().attr().size(), "no stale size after O_TRUNC");
        child.answer("stat", Errno.ENOENT.exception());
        assertEquals(Errno.ENOENT, errnoOf(m.stat(C, Loc.of(proposed, "/d/f"), Xdata.EMPTY)));
    }

    @Test
    void entryChangesDropTheParentAndDirectoriesComeOnlyFromTheirOwnLookup() {
        MdCacheXlator m = mdc();
        child.answer("stat", new AttrReply(dir(50), null));
        m.stat(C, Loc.of(DIR, "/d"), Xdata.EMPTY).join();
        m.stat(C, Loc.of(DIR, "/d"), Xdata.EMPTY).join();
        assertEquals(1, child.calls("stat"));
        Gfid sub = Gfid.random();
        child.answer("mkdir", new EntryReply(iatt(sub, FileType.S_IFDIR, 4096, 60), dir(50), dir(60), null));
        m.mkdir(C, byName("sub").withGfid(sub), 0755, 0, Xdata.EMPTY).join();
        m.stat(C, Loc.of(DIR, "/d"), Xdata.EMPTY).join();
        assertEquals(2, child.calls("stat"), "mkdir inside dropped the parent's attributes");
        m.stat(C, Loc.of(sub, "/d/sub"), Xdata.EMPTY).join();
        assertEquals(3, child.calls("stat"), "a new directory's attributes are asked of the graph below");
    }

    @Test
    void readdirpEntriesAnswerStatAndLookup() {
        MdCacheXlator m = mdc();
        Gfid sub = Gfid.random();
        child.answer("readdirp", new ReaddirReply(List.of(
                new Dirent("f", FILE.ino(), 1, 8, file(7, 100), null),
                new Dirent("sub", sub.ino(), 2, 4, iatt(sub, FileType.S_IFDIR, 4096, 100), null)), null));
        Fd dirFd = new Fd(new Inode(DIR, FileType.S_IFDIR), 0, 1);
        m.readdir(C, dirFd, 4096, 0, Xdata.EMPTY).join();
        assertEquals(1, child.calls("readdirp"), "force-readdirp turns readdir into readdirp");
        assertEquals(7, statSize(m));
        assertEquals(7, m.lookup(C, byName("f"), Xdata.EMPTY).join().attr().size());
        assertEquals(0, child.calls("stat") + child.calls("lookup"));
        child.answer("lookup", new EntryReply(iatt(sub, FileType.S_IFDIR, 4096, 100), null, dir(50), null));
        m.lookup(C, byName("sub"), Xdata.EMPTY).join();
        assertEquals(1, child.calls("lookup"), "directory entries of readdirp are not trusted");
    }

    @Test
    void truncateAndSetattrKeepTheirPostAttributes() {
        MdCacheXlator m = mdc();
        child.answer("truncate", new ChangeReply(file(10, 100), file(3, 101), null));
        m.truncate(C, Loc.of(FILE, "/d/f"), 3, Xdata.EMPTY).join();
        assertEquals(3, statSize(m));
        Iatt chmodded = new Iatt(FILE, FileType.S_IFREG | 0600, 1, 0, 0, 0, 3, 1, 4096, 100, 0, 100, 0, 102, 0);
        child.answer("setattr", new ChangeReply(file(3, 101), chmodded, null));
        m.setattr(C, Loc.of(FILE, "/d/f"), SetAttr.mode(0600), Xdata.EMPTY).join();
        assertEquals(0600, m.stat(C, Loc.of(FILE, "/d/f"), Xdata.EMPTY).join().attr().mode() & 07777);
        assertEquals(0, child.calls("stat"));
    }

    @Test
    void openWithTruncAndSetxattrDropTheCachedAttributes() {
        MdCacheXlator m = mdc();
        child.answer("stat", new AttrReply(file(10, 100), null));
        statSize(m);
        child.answer("open", Done.OK);
        m.open(C, Loc.of(FILE, "/d/f"), 01001, fd(), Xdata.EMPTY).join();
        child.answer("stat", new AttrReply(file(0, 101), null));
        assertEquals(0, statSize(m));
        child.answer("setxattr", Done.OK);
        m.setxattr(C, Loc.of(FILE, "/d/f"), Map.of("user.a", new byte[]{1}), 0, Xdata.EMPTY).join();
        statSize(m);
        assertEquals(3, child.calls("stat"));
    }

    @Test
    void failuresAreNotCached() {
        MdCacheXlator m = mdc();
        child.answer("lookup", Errno.ENOENT.exception());
        errnoOf(m.lookup(C, byName("x"), Xdata.EMPTY));
        errnoOf(m.lookup(C, byName("x"), Xdata.EMPTY));
        assertEquals(2, child.calls("lookup"));
    }

    @Test
    void statfsIsCachedOnlyWhenAsked() {
        Statvfs v = new Statvfs(4096, 4096, 100, 50, 50, 10, 5, 5, 1, 0, 255);
        child.answer("statfs", new StatfsReply(v, null));
        MdCacheXlator plain = mdc();
        plain.statfs(C, Loc.root(), Xdata.EMPTY).join();
        plain.statfs(C, Loc.root(), Xdata.EMPTY).join();
        assertEquals(2, child.calls("statfs"));
        MdCacheXlator caching = mdc("md-cache-statfs", "on");
        caching.statfs(C, Loc.root(), Xdata.EMPTY).join();
        assertEquals(v, caching.statfs(C, Loc.root(), Xdata.EMPTY).join().statvfs());
        assertEquals(3, child.calls("statfs"));
        advanceSeconds(1.5);
        caching.statfs(C, Loc.root(), Xdata.EMPTY).join();
        assertEquals(4, child.calls("statfs"));
    }

    @Test
    void forgetDropsTheEntry() {
        MdCacheXlator m = mdc();
        child.answer("stat", new AttrReply(file(10, 100), null));
        statSize(m);
        assertEquals(1, m.cachedObjects());
        m.forget(new Inode(FILE, FileType.S_IFREG));
        assertEquals(0, m.cachedObjects());
        statSize(m);
        assertEquals(2, child.calls("stat"));
    }

    @Test
    void optionsFollowGlusterfs() {
        Options defaults = Options.NONE;
        assertEquals(1, defaults.get(MdCacheXlator.TIMEOUT));
        assertFalse(defaults.get(MdCacheXlator.STATFS));
        assertTrue(defaults.get(MdCacheXlator.FORCE_READDIRP));
        assertTrue(MdCacheXlator.TYPE.answersTo("performance/md-cache"));
        List<String> problems = Options.of("md-cache-timeout", "601", "cache-posix-acl", "on", "xattr-cache-list",
                "user.*", "cache-invalidation", "on").validate(MdCacheXlator.OPTIONS);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("md-cache-timeout") && problems.get(0).contains("0 to 600"), problems.get(0));
        assertNull(mdc("md-cache-timeout", "600").lookup(C, byName("f"), Xdata.EMPTY).handle((r, t) -> r).join());
    }

    @Test
    void capabilityAnswersIncludingNoneAreCachedUntilAChange() {
        MdCacheXlator m = mdc();
        Loc f = Loc.of(FILE, "/d/f");
        child.answer("getxattr", Errno.ENODATA.exception("none"));
        for (int i = 0; i < 3; i++) {
            java.util.concurrent.CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.CompletionException.class,
                    () -> m.getxattr(C, f, "security.capability", Xdata.EMPTY).join());
            assertEquals(Errno.ENODATA, org.glusterj.core.FopException.errnoOf(e));
        }
        assertEquals(1, child.calls("getxattr"), "the kernel's check before each write costs one round trip");

        child.answer("setxattr", org.glusterj.core.Done.OK);
        m.setxattr(C, f, java.util.Map.of("security.capability", new byte[] {1, 2}), 0, Xdata.EMPTY).join();
        child.answer("getxattr", new org.glusterj.core.XattrReply(java.util.Map.of("security.capability", new byte[] {1, 2}), Xdata.EMPTY));
        assertArrayEquals(new byte[] {1, 2}, m.getxattr(C, f, "security.capability", Xdata.EMPTY).join().values().get("security.capability"));
        assertEquals(2, child.calls("getxattr"), "a setxattr through us drops the cached answer");
        m.getxattr(C, f, "security.capability", Xdata.EMPTY).join();
        assertEquals(2, child.calls("getxattr"));

        advanceSeconds(1.1);
        m.getxattr(C, f, "security.capability", Xdata.EMPTY).join();
        assertEquals(3, child.calls("getxattr"), "trusted only for md-cache-timeout");

        m.getxattr(C, f, "user.other", Xdata.EMPTY).join();
        m.getxattr(C, f, "user.other", Xdata.EMPTY).join();
        assertEquals(5, child.calls("getxattr"), "other names are not cached");
    }

    /** The brick's kernel removes a capability on any data change; with KILLPRIV_V2 nobody tells us. */
    @Test
    void aWriteOrTruncateDropsAKeptCapabilityButKeepsNone() {
        MdCacheXlator m = mdc();
        Loc f = Loc.of(FILE, "/d/f");
        byte[] cap = {1, 2};
        child.answer("getxattr", new org.glusterj.core.XattrReply(java.util.Map.of("security.capability", cap), Xdata.EMPTY));
        m.getxattr(C, f, "security.capability", Xdata.EMPTY).join();
        child.answer("writev", new ChangeReply(null, null, null));
        m.writev(C, fd(), Unpooled.wrappedBuffer(new byte[1]), 0, 0, Xdata.EMPTY).join();
        child.answer("getxattr", Errno.ENODATA.exception("removed by the write"));
        assertEquals(Errno.ENODATA, org.glusterj.core.FopException.errnoOf(org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.CompletionException.class, () -> m.getxattr(C, f, "security.capability", Xdata.EMPTY).join())));
        assertEquals(2, child.calls("getxattr"), "the capability kept before the write was dropped");

        child.answer("truncate", new ChangeReply(file(1, 101), file(0, 102), null));
        m.truncate(C, f, 0, Xdata.EMPTY).join();
        m.writev(C, fd(), Unpooled.wrappedBuffer(new byte[1]), 0, 0, Xdata.EMPTY).join();
        m.getxattr(C, f, "security.capability", Xdata.EMPTY).handle((r, t) -> null).join();
        assertEquals(2, child.calls("getxattr"), "\"has none\" stays true through writes");

        child.answer("getxattr", new org.glusterj.core.XattrReply(java.util.Map.of("security.capability", cap), Xdata.EMPTY));
        child.answer("setxattr", org.glusterj.core.Done.OK);
        m.setxattr(C, f, java.util.Map.of("security.capability", cap), 0, Xdata.EMPTY).join();
        m.getxattr(C, f, "security.capability", Xdata.EMPTY).join();
        assertEquals(3, child.calls("getxattr"));
        m.truncate(C, f, 0, Xdata.EMPTY).join();
        child.answer("getxattr", Errno.ENODATA.exception("removed by the truncate"));
        m.getxattr(C, f, "security.capability", Xdata.EMPTY).handle((r, t) -> null).join();
        assertEquals(4, child.calls("getxattr"), "the capability kept before the truncate was dropped");
    }
}
