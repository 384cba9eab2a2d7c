package org.glusterj.xlators.performance.quickread;

import static org.glusterj.xlators.performance.testing.DataBrick.bytes;
import static org.glusterj.xlators.performance.testing.Reads.C;
import static org.glusterj.xlators.performance.testing.Reads.errnoOf;
import static org.glusterj.xlators.performance.testing.Reads.read;
import static org.glusterj.xlators.performance.testing.Reads.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Loc;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.performance.openbehind.OpenBehindXlator;
import org.glusterj.xlators.performance.testing.DataBrick;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuickReadXlatorTest {
    private final DataBrick brick = new DataBrick();
    private final AtomicLong now = new AtomicLong(5_000_000_000L);

    private QuickReadXlator qr(String... options) {
        return new QuickReadXlator(XlatorConfig.of("qr", QuickReadXlator.TYPE.type(), Options.of(options),
                List.of(brick)), now::get);
    }

    private static EntryReply lookup(QuickReadXlator qr, Gfid g) {
        return qr.lookup(C, Loc.of(g, "/f"), Xdata.EMPTY).join();
    }

    private static Fd open(QuickReadXlator qr, Gfid g, int flags) {
        Fd fd = DataBrick.fd(g, flags);
        qr.open(C, Loc.of(g, "/f"), flags, fd, Xdata.EMPTY).join();
        return fd;
    }

    private void advanceSeconds(double s) {
        now.addAndGet((long) (s * TimeUnit.SECONDS.toNanos(1)));
    }

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, brick.unreleasedBuffers(), "read buffers not released");
    }

    @Test
    void lookupBringsContentAndReadsAreAnsweredWithoutTheBrick() {
        QuickReadXlator qr = qr();
        Gfid g = brick.put(bytes("hello, quick read"));
        EntryReply r = lookup(qr, g);
        assertFalse(r.xdata().has(QuickReadXlator.CONTENT_KEY), "content must not travel further up");
        assertEquals(17, r.attr().size());
        Fd fd = DataBrick.fd(g, 0); // never opened on the brick: a read that went down would fail EBADF
        assertArrayEquals(bytes("hello, quick read"), read(qr, fd, 4096, 0));
        assertArrayEquals(bytes("quick"), read(qr, fd, 5, 7));
        assertArrayEquals(bytes("read"), read(qr, fd, 100, 13));
        assertArrayEquals(new byte[0], read(qr, fd, 100, 17), "read at end of file");
        assertArrayEquals(new byte[0], read(qr, fd, 100, 1 << 20), "read past end of file");
        assertEquals(0, brick.count("readv"));
        assertEquals(0, brick.count("open"));
    }

    @Test
    void emptyFilesAreCachedToo() {
        QuickReadXlator qr = qr();
        Gfid g = brick.put(new byte[0]);
        lookup(qr, g);
        assertArrayEquals(new byte[0], read(qr, DataBrick.fd(g, 0), 4096, 0));
        assertEquals(0, brick.count("readv"));
    }

    @Test
    void filesAboveMaxFileSizeAreReadFromTheBrick() {
        QuickReadXlator qr = qr("max-file-size", "16");
        Gfid big = brick.put(bytes("seventeen bytes!!"));
        Gfid small = brick.put(bytes("sixteen bytes!!!"));
        lookup(qr, big);
        lookup(qr, small);
        assertEquals(16, qr.cachedBytes());
        Fd fd = open(qr, big, 0);
        assertArrayEquals(bytes("seventeen bytes!!"), read(qr, fd, 4096, 0));
        assertEquals(1, brick.count("readv"));
    }

    @Test
    void ownWriteThroughAnotherFdIsSeenAtOnce() {
        QuickReadXlator qr = qr();
        Gfid g = brick.put(bytes("old content"));
        lookup(qr, g);
        Fd reader = open(qr, g, 0);
        Fd writer = open(qr, g, 2);
        assertArrayEquals(bytes("old content"), read(qr, reader, 100, 0));
        write(qr, writer, bytes("NEW"), 0);
        assertArrayEquals(bytes("NEW content"), read(qr, reader, 100, 0), "fetched again by a lookup");
        assertEquals(0, brick.count("readv"));
        assertEquals(List.of("lookup", "open", "open", "writev", "lookup"), brick.calls());
    }

    @Test
    void truncateZerofillAndSetattrDropContent() {
        QuickReadXlator qr = qr();
        Gfid g = brick.put(bytes("0123456789"));
        Fd fd = open(qr, g, 2);

        lookup(qr, g);
        qr.truncate(C, Loc.of(g, "/f"), 4, Xdata.EMPTY).join();
        assertArrayEquals(bytes("0123"), read(qr, fd, 100, 0));

        lookup(qr, g);
        qr.ftruncate(C, fd, 2, Xdata.EMPTY).join();
        assertArrayEquals(bytes("01"), read(qr, fd, 100, 0));

        lookup(qr, g);
        qr.zerofill(C, fd, 0, 1, Xdata.EMPTY).join();
        assertArrayEquals(new byte[] {0, '1'}, read(qr, fd, 100, 0));

        lookup(qr, g);
        assertTrue(qr.cachedBytes() > 0);
        qr.setattr(C, Loc.of(g, "/f"), SetAttr.mode(0600), Xdata.EMPTY).join();
        assertEquals(0, qr.cachedBytes());
    }

    @Test
    void openWithTruncDropsContent() {
        QuickReadXlator qr = qr();
        Gfid g = brick.put(bytes("soon gone"));
        lookup(qr, g);
        Fd fd = open(qr, g, 01002);
        assertArrayEquals(new byte[0], read(qr, fd, 100, 0));
    }

    @Test
    void upcallDropsContentChangedElsewhere() {
        QuickReadXlator qr = qr();
        Gfid g = brick.put(bytes("before"));
        lookup(qr, g);
        Fd fd = open(qr, g, 0);
        brick.write(g, bytes("after!"));
        assertArrayEquals(bytes("before"), read(qr, fd, 100, 0), "within the timeout, without upcall");
        qr.upcall(new Upcall(g, Upcall.XATTR, null), brick);
        assertArrayEquals(bytes("before"), read(qr, fd, 100, 0), "an xattr change leaves the content");
        brick.clearCalls();
        qr.lookup(C, Loc.of(g, null), Xdata.EMPTY).join();
        assertEquals(List.of("lookup"), brick.calls(), "but not the attributes kept with it (ctime moved)");
        qr.upcall(new Upcall(g, Upcall.DATA, null), brick);
        assertArrayEquals(bytes("after!"), read(qr, fd, 100, 0));
    }

    @Test
    void expiredContentIsFetchedAgainWithOneLookupAndNoOpen() {
        QuickReadXlator qr = qr("cache-timeout", "1");
        Gfid g = brick.put(bytes("version 1"));
        lookup(qr, g);
        Fd fd = DataBrick.fd(g, 0);
        brick.write(g, bytes("version 2"));
        advanceSeconds(0.9);
        assertArrayEquals(bytes("version 1"), read(qr, fd, 100, 0));
        advanceSeconds(0.2);
        assertArrayEquals(bytes("version 2"), read(qr, fd, 100, 0));
        assertEquals(2, brick.count("lookup"));
        assertEquals(0, brick.count("readv"));
    }

    @Test
    void expiredContentOfAFileThatGrewIsReadFromTheBrick() {
        QuickReadXlator qr = qr("max-file-size", "8");
        Gfid g = brick.put(bytes("small"));
        lookup(qr, g);
        Fd fd = open(qr, g, 0);
        brick.write(g, bytes("not small any more"));
        advanceSeconds(1.5);
        assertArrayEquals(bytes("not small any more"), read(qr, fd, 100, 0));
        assertEquals(1, brick.count("readv"));
        assertEquals(0, qr.cachedBytes());
    }

    @Test
    void cacheSizeBoundsWhatIsKept() {
        QuickReadXlator qr = qr("cache-size", "100");
        Gfid a = brick.put(new byte[60]);
        Gfid b = brick.put(new byte[60]);
        lookup(qr, a);
        lookup(qr, b);
        assertEquals(60, qr.cachedBytes());
        Fd fa = open(qr, a, 2); // read-write: no fetch at open

        read(qr, fa, 100, 0);
        assertEquals(1, brick.count("readv"), "the least recently used went");
    }

    private static Fd create(QuickReadXlator qr, Gfid g) {
        Fd fd = DataBrick.fd(g, 0101);
        qr.create(C, Loc.of(g, "/new"), 0101, 0644, 022, fd, Xdata.EMPTY).join();
        return fd;
    }

    private static EntryReply lookupByGfid(QuickReadXlator qr, Gfid g) {
        return qr.lookup(C, Loc.of(g, null), Xdata.EMPTY).join();
    }

    @Test
    void whatThisClientWritesToAFileItCreatedIsKeptWithoutAskingTheBrick() {
        QuickReadXlator qr = qr();
        Gfid g = Gfid.random();
        Fd fd = create(qr, g);
        write(qr, fd, bytes("hello "), 0);
        write(qr, fd, bytes("world"), 6);
        write(qr, fd, bytes("W"), 6);
        brick.clearCalls();
        EntryReply r = lookupByGfid(qr, g);
        assertEquals(11, r.attr().size());
        assertEquals(brick.attr(g), r.attr(), "the attributes of the last write's answer");
        assertArrayEquals(bytes("hello World"), read(qr, DataBrick.fd(g, 0), 100, 0));
        assertEquals(List.of(), brick.calls(), "neither the lookup nor the read reached the brick");
        qr.lookup(C, Loc.entry(Gfid.ROOT, "new", "/new").withGfid(g), Xdata.EMPTY).join();
        assertEquals(List.of("lookup"), brick.calls(), "a named lookup still goes down");
    }

    @Test
    void aWriteThatLeavesAHoleOrPassesMaxFileSizeEndsTheKnownContent() {
        QuickReadXlator qr = qr("max-file-size", "8");
        Gfid holey = Gfid.random();
        Fd fd = create(qr, holey);
        write(qr, fd, bytes("ab"), 4);
        Gfid big = Gfid.random();
        Fd fd2 = create(qr, big);
        write(qr, fd2, bytes("12345"), 0);
        write(qr, fd2, bytes("6789"), 5);
        write(qr, fd2, bytes("x"), 0); // known content never comes back, though the file fits again
        brick.clearCalls();
        lookupByGfid(qr, holey);
        lookupByGfid(qr, big);
        assertEquals(List.of("lookup", "lookup"), brick.calls());
        assertArrayEquals(bytes("x23456789"), brick.content(big));
    }

    @Test
    void anotherClientsChangeEndsTheKnownContent() {
        QuickReadXlator qr = qr();
        Gfid g = Gfid.random();
        Fd fd = create(qr, g);
        write(qr, fd, bytes("mine"), 0);
        brick.write(g, bytes("theirs, longer")); // another client; its upcall arrives:
        qr.upcall(new Upcall(g, Upcall.DATA, null), brick);
        write(qr, fd, bytes("MINE"), 0);
        brick.clearCalls();
        assertEquals(14, lookupByGfid(qr, g).attr().size());
        assertArrayEquals(bytes("MINErs, longer"), read(qr, DataBrick.fd(g, 0), 100, 0));
        assertEquals(List.of("lookup"), brick.calls(), "content fetched again, then served");
    }

    @Test
    void aWriteWhoseAnswerDisagreesWithWhatWeKnowIsNotKept() {
        QuickReadXlator qr = qr();
        Gfid g = Gfid.random();
        Fd fd = create(qr, g);
        brick.write(g, bytes("appended elsewhere")); // no upcall (cache-invalidation off)
        write(qr, fd, bytes("ours"), 0);
        brick.clearCalls();
        assertEquals(18, lookupByGfid(qr, g).attr().size());
        assertArrayEquals(bytes("oursnded elsewhere"), read(qr, DataBrick.fd(g, 0), 100, 0));
        assertEquals(List.of("lookup"), brick.calls(), "the write's size said the content is not ours alone");
    }

    @Test
    void aSameSizeChangeByAnotherClientEndsTheKnownContent() {
        QuickReadXlator qr = qr();
        Gfid g = Gfid.random();
        Fd fd = create(qr, g);
        write(qr, fd, bytes("mine"), 0);
        brick.write(g, bytes("MINE")); // in place: the size says nothing; the upcall does
        qr.upcall(new Upcall(g, Upcall.DATA, null), brick);
        write(qr, fd, bytes("!"), 4);
        brick.clearCalls();
        assertEquals(5, lookupByGfid(qr, g).attr().size());
        assertArrayEquals(bytes("MINE!"), read(qr, DataBrick.fd(g, 0), 100, 0));
        assertEquals(List.of("lookup"), brick.calls());
    }

    @Test
    void anXattrChangeDropsTheAttributesKeptWithTheContent() {
        QuickReadXlator qr = qr();
        Gfid g = Gfid.random();
        Fd fd = create(qr, g);
        write(qr, fd, bytes("data"), 0);
        qr.fsetxattr(C, fd, java.util.Map.of("user.x", bytes("1")), 0, Xdata.EMPTY).join();
        brick.clearCalls();
        assertEquals(brick.attr(g), lookupByGfid(qr, g).attr(), "the ctime after the setxattr");
        assertEquals(List.of("lookup"), brick.calls());
    }

    @Test
    void aFileRenamedOverLosesTheAttributesKeptWithItsContent() {
        QuickReadXlator qr = qr();
        Gfid g = Gfid.random();
        Fd fd = create(qr, g);
        write(qr, fd, bytes("data"), 0);
        Gfid other = brick.put(bytes("other"));
        qr.rename(C, Loc.entry(Gfid.ROOT, "other", "/other").withGfid(other),
                Loc.entry(Gfid.ROOT, "new", "/new").withGfid(g), Xdata.EMPTY).join();
        brick.clearCalls();
        lookupByGfid(qr, g);
        assertEquals(List.of("lookup"), brick.calls(), "its link count is no longer the one kept");
    }

    @Test
    void aNameChangeDropsTheAttributesKeptWithTheContent() {
        QuickReadXlator qr = qr();
        Gfid g = Gfid.random();
        Fd fd = create(qr, g);
        write(qr, fd, bytes("data"), 0);
        qr.unlink(C, Loc.of(g, "/new"), 0, Xdata.EMPTY).join();
        brick.clearCalls();
        lookupByGfid(qr, g);
        assertEquals(List.of("lookup"), brick.calls(), "the link count and ctime kept are no longer the file's");
    }

    @Test
    void contentInFlightDuringOurWriteIsNotKept() {
        // A lookup wound before our write and answered after it may carry the old content.
        QuickReadXlator qr = qr();
        Gfid g = brick.put(bytes("old"));
        Fd writer = open(qr, g, 2);
        java.util.concurrent.CompletableFuture<EntryReply> slow = new java.util.concurrent.CompletableFuture<>();
        QuickReadXlator racing = new QuickReadXlator(XlatorConfig.of("qr2", QuickReadXlator.TYPE.type(), Options.NONE,
                List.of(new org.glusterj.core.Xlator(XlatorConfig.of("slow", "test/slow", Options.NONE, List.of(brick))) {
                    @Override
                    public java.util.concurrent.CompletableFuture<EntryReply> lookup(org.glusterj.core.Caller c, Loc loc,
                                                                                       Xdata x) {
                        EntryReply early = brick.lookup(c, loc, x).join(); // read now, answered later
                        return slow.thenApply(v -> early);
                    }
                })), now::get);
        java.util.concurrent.CompletableFuture<EntryReply> looked = racing.lookup(C, Loc.of(g, "/f"), Xdata.EMPTY);
        write(racing, writer, bytes("NEW"), 0);
        slow.complete(null);
        looked.join();
        assertEquals(0, racing.cachedBytes());
        Fd reader = open(racing, g, 0);
        assertArrayEquals(bytes("NEW"), read(racing, reader, 100, 0));
    }

    @Test
    void concurrentReadersAllSeeTheRightBytes() throws Exception {
        QuickReadXlator qr = qr();
        byte[] content = new byte[64 * 1024];
        new Random(7).nextBytes(content);
        Gfid g = brick.put(content);
        lookup(qr, g);
        Fd fd = DataBrick.fd(g, 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                all.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 500; i++) {
                        int off = r.nextInt(content.length + 10);
                        int len = r.nextInt(8192);
                        byte[] got = read(qr, fd, len, off);
                        int n = Math.max(0, Math.min(len, content.length - off));
                        assertArrayEquals(java.util.Arrays.copyOfRange(content, Math.min(off, content.length),
                                Math.min(off, content.length) + n), got);
                    }
                }));
            }
            for (Future<?> f : all) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, brick.count("readv"));
    }

    private QuickReadXlator qrOverOpenBehind() {
        OpenBehindXlator ob = new OpenBehindXlator(XlatorConfig.of("ob", OpenBehindXlator.TYPE.type(), Options.NONE,
                List.of(brick)));
        return new QuickReadXlator(XlatorConfig.of("qr", QuickReadXlator.TYPE.type(), Options.NONE, List.of(ob)), now::get);
    }

    @Test
    void openOfASmallFileNotHeldFetchesItWithOneLookupAndNeverOpensIt() {
        QuickReadXlator qr = qrOverOpenBehind();
        Gfid g = brick.put(bytes("looked up above, by md-cache"));
        Fd fd = open(qr, g, 0);
        assertArrayEquals(bytes("looked up above, by md-cache"), read(qr, fd, 4096, 0));
        qr.flush(C, fd, Xdata.EMPTY).join();
        qr.release(fd);
        assertEquals(List.of("lookup"), brick.calls());
    }

    @Test
    void openOfAFileSeenTooBigSendsNoLookup() {
        QuickReadXlator qr = qr("max-file-size", "8");
        Gfid big = brick.put(bytes("nine bytes"));
        Fd first = open(qr, big, 0);
        assertEquals(List.of("lookup", "open"), brick.calls(), "first open: is it small?");
        assertArrayEquals(bytes("nine bytes"), read(qr, first, 100, 0));
        brick.clearCalls();
        Fd second = open(qr, big, 0);
        assertArrayEquals(bytes("nine bytes"), read(qr, second, 100, 0));
        assertEquals(List.of("open", "readv"), brick.calls());
        qr.release(first);
        qr.release(second);
    }

    @Test
    void opensForWritingAreSentAsTheyCame() {
        QuickReadXlator qr = qrOverOpenBehind();
        Gfid g = brick.put(bytes("data"));
        lookup(qr, g);
        open(qr, g, 2);
        open(qr, g, 1);
        assertEquals(List.of("lookup", "open", "open"), brick.calls());
    }

    @Test
    void anFdKeepsReadingItsFileAfterAnotherClientReplacedIt() {
        QuickReadXlator qr = qrOverOpenBehind();
        Gfid g = brick.put(bytes("the old file"));
        Fd fd = open(qr, g, 0);
        brick.remove(g); // another client renamed a new file over the name
        qr.upcall(new Upcall(g, Upcall.GONE | Upcall.ATTR, null), brick);
        assertArrayEquals(bytes("the old file"), read(qr, fd, 100, 0));
        advanceSeconds(5);
        assertArrayEquals(bytes("old"), read(qr, fd, 3, 4), "a removed file cannot change: no need to ask");
        qr.flush(C, fd, Xdata.EMPTY).join();
        qr.release(fd);
        assertEquals(List.of("lookup", "lookup"), brick.calls(), "no open, and one lookup found it gone");
    }

    @Test
    void fstatOfAnFdWhoseFileAnotherClientRemovedAnswersFromTheSnapshot() {
        QuickReadXlator qr = qrOverOpenBehind();
        Gfid g = brick.put(bytes("twelve bytes"));
        Fd fd = open(qr, g, 0);
        assertEquals(12, qr.fstat(C, fd, Xdata.EMPTY).join().attr().size(), "asked the brick");
        brick.remove(g);
        assertEquals(12, qr.fstat(C, fd, Xdata.EMPTY).join().attr().size());
        assertEquals(g, qr.fstat(C, fd, Xdata.EMPTY).join().attr().gfid());
        assertEquals(List.of("lookup", "stat", "stat", "stat"), brick.calls());
        qr.release(fd);
        Fd unopened = DataBrick.fd(g, 0);
        assertEquals(Errno.EBADF,
                errnoOf(qr.fstat(C, unopened, Xdata.EMPTY)),
                "without a snapshot the brick's answer stands");
    }

    @Test
    void anExpiredSnapshotOfARemovedFileIsServedWithoutUpcalls() {
        QuickReadXlator qr = qrOverOpenBehind();
        Gfid g = brick.put(bytes("kept"));
        Fd fd = open(qr, g, 0);
        brick.remove(g);
        advanceSeconds(2);
        assertArrayEquals(bytes("kept"), read(qr, fd, 100, 0));
        qr.release(fd);
    }

    @Test
    void afterOurOwnChangeTheSnapshotIsNeverServedAgain() {
        QuickReadXlator qr = qrOverOpenBehind();
        Gfid g = brick.put(bytes("before"));
        Fd reader = open(qr, g, 0);
        qr.setattr(C, Loc.of(g, "/f"), SetAttr.mode(0600), Xdata.EMPTY).join();
        brick.remove(g);
        assertEquals(Errno.ENOENT,
                errnoOf(qr.readv(C, reader, 100, 0, 0, Xdata.EMPTY)),
                "the read went down: the open, sent now, finds the file gone");
        qr.release(reader);
    }

    @Test
    void anotherClientsChangeInPlaceIsReadAfterTheUpcall() {
        QuickReadXlator qr = qrOverOpenBehind();
        Gfid g = brick.put(bytes("v1"));
        Fd fd = open(qr, g, 0);
        brick.write(g, bytes("v2"));
        assertArrayEquals(bytes("v1"), read(qr, fd, 100, 0));
        qr.upcall(new Upcall(g, Upcall.DATA, null), brick);
        assertArrayEquals(bytes("v2"), read(qr, fd, 100, 0));
        assertEquals(List.of("lookup", "lookup"), brick.calls());
        qr.release(fd);
    }

    @Test
    void belowWriteBehindAReaderSeesWritesItAcknowledgedButHasNotSent() {
        QuickReadXlator qr = qrOverOpenBehind();
        org.glusterj.xlators.performance.writebehind.WriteBehindXlator wb =
                new org.glusterj.xlators.performance.writebehind.WriteBehindXlator(XlatorConfig.of("wb",
                        org.glusterj.xlators.performance.writebehind.WriteBehindXlator.TYPE.type(),
                        Options.of("trickling-writes", "off"), List.of(qr)));
        Gfid g = brick.put(bytes("old bytes"));
        Fd writer = DataBrick.fd(g, 2);
        wb.open(C, Loc.of(g, "/f"), 2, writer, Xdata.EMPTY).join();
        write(wb, writer, bytes("NEW"), 0);
        assertArrayEquals(bytes("old bytes"), brick.content(g), "acknowledged, still held by write-behind");
        Fd reader = DataBrick.fd(g, 0);
        wb.open(C, Loc.of(g, "/f"), 0, reader, Xdata.EMPTY).join(); // snapshot of what the brick has now
        assertArrayEquals(bytes("NEW bytes"), read(wb, reader, 100, 0));
        wb.release(reader);
        wb.release(writer);
    }

    @Test
    void aReconnectDropsAllContent() {
        QuickReadXlator qr = qr();
        lookup(qr, brick.put(bytes("one")));
        lookup(qr, brick.put(bytes("two")));
        assertEquals(6, qr.cachedBytes());
        qr.upcall(Upcall.everything(), brick);
        assertEquals(0, qr.cachedBytes());
    }

    @Test
    void aBrickLostWhileOthersStayDropsAllContent() {
        QuickReadXlator qr = qr();
        lookup(qr, brick.put(bytes("one")));
        assertEquals(3, qr.cachedBytes());
        qr.notify(Event.SOME_DESCENDENT_DOWN, brick);
        assertEquals(0, qr.cachedBytes(), "the file may have lived on the lost brick");
    }

    @Test
    void passThroughAsksForNothing() {
        QuickReadXlator qr = qr("pass-through", "on");
        Gfid g = brick.put(bytes("x"));
        lookup(qr, g);
        assertEquals(0, qr.cachedBytes());
    }
}
