package org.glusterj.xlators.performance.writebehind;

import static org.glusterj.core.OpenFlags.O_DIRECT;
import static org.glusterj.core.OpenFlags.O_RDWR;
import static org.glusterj.core.OpenFlags.O_SYNC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.AfterReply;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.SeekReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

class WriteBehindXlatorTest {
    private static final Caller C = Caller.of(1000, 1000, 42);

    private final ScriptedBrick brick = new ScriptedBrick();
    private final Gfid gfid = Gfid.random();
    private final Fd fd = new Fd(new Inode(gfid, FileType.S_IFREG), O_RDWR, 42);

    private WriteBehindXlator wb(String... options) {
        return new WriteBehindXlator(XlatorConfig.of("wb", WriteBehindXlator.TYPE.type(), Options.of(options),
                List.of(brick)));
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static ByteBuf filled(int n, char c) {
        return Unpooled.wrappedBuffer(String.valueOf(c).repeat(n).getBytes(StandardCharsets.UTF_8));
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    private static Errno errnoOf(CompletableFuture<?> f) {
        assertTrue(f.isDone(), "the fop should have finished");
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return FopException.errnoOf(e);
    }

    @Test
    void onAThreadThatServesRequestsAnAcknowledgedWriteIsSentAfterTheAnswer() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        java.util.concurrent.FutureTask<ChangeReply> worker = new java.util.concurrent.FutureTask<>(() -> {
            AfterReply.enable();
            CompletableFuture<ChangeReply> w = wb.writev(C, fd, bytes("hello"), 0, 0, Xdata.EMPTY);
            assertTrue(w.isDone(), "acknowledged at once");
            assertEquals(0, brick.heldCount(), "nothing sent before the answer");
            AfterReply.runQueued(); // what a FUSE worker does once libfuse has answered
            return w.join();
        });
        new Thread(worker, "fuse-worker-like").start();
        worker.get(5, TimeUnit.SECONDS);
        assertEquals(1, brick.heldCount(), "sent once answered");
        brick.answerAll();
        assertEquals("hello", brick.content(gfid));
        assertEquals(0, wb.pendingInodes());
    }

    @Test
    void writesAreAcknowledgedBeforeTheBrickAnswers() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        CompletableFuture<ChangeReply> w = wb.writev(C, fd, bytes("hello"), 0, 0, Xdata.EMPTY);
        assertTrue(w.isDone() && !w.isCompletedExceptionally(), "a cached write is acknowledged at once");
        assertEquals(1, brick.heldCount(), "and sent to the brick in the background");
        assertEquals("", brick.content(gfid));
        brick.answerAll();
        assertEquals("hello", brick.content(gfid));
        assertEquals(0, wb.pendingInodes(), "no state is left once the brick has everything");
    }

    @Test
    void contiguousWritesAreMergedUpToAggregateSize() throws Exception {
        WriteBehindXlator wb = wb("aggregate-size", "16KB");
        brick.hold = true;
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            char ch = (char) ('a' + i);
            get(wb.writev(C, fd, filled(4096, ch), i * 4096L, 0, Xdata.EMPTY));
            expected.append(String.valueOf(ch).repeat(4096));
        }
        // the first write goes alone (nothing was in flight); the rest fill 16 KiB batches; the tail waits
        assertEquals(List.of(4096L, 16384L, 16384L), brick.writeSizes());
        brick.answerAll();
        assertEquals(List.of(4096L, 16384L, 16384L, 4096L), brick.writeSizes());
        assertEquals(expected.toString(), brick.content(gfid));
    }

    @Test
    void writesCarryingTheSameXdataMergeOthersDoNot() throws Exception {
        WriteBehindXlator wb = wb("aggregate-size", "16KB");
        Xdata kill = Xdata.of("glusterj.kill-suidgid", new byte[0]);
        brick.hold = true;
        get(wb.writev(C, fd, filled(4096, 'a'), 0, 0, kill));
        get(wb.writev(C, fd, filled(4096, 'b'), 4096, 0, kill));
        get(wb.writev(C, fd, filled(4096, 'c'), 8192, 0, Xdata.of("glusterj.kill-suidgid", new byte[0])));
        get(wb.writev(C, fd, filled(4096, 'd'), 12288, 0, Xdata.EMPTY));
        brick.answerAll();
        brick.answerAll();
        assertEquals(List.of(4096L, 8192L, 4096L), brick.writeSizes(), "an unprivileged writer's writes still merge");
        assertEquals("a".repeat(4096) + "b".repeat(4096) + "c".repeat(4096) + "d".repeat(4096), brick.content(gfid));
    }

    @Test
    void withoutTricklingAPartialBatchWaitsForAFopThatNeedsIt() throws Exception {
        WriteBehindXlator wb = wb("trickling-writes", "off");
        brick.hold = true;
        get(wb.writev(C, fd, bytes("abc"), 0, 0, Xdata.EMPTY));
        get(wb.writev(C, fd, bytes("def"), 3, 0, Xdata.EMPTY));
        assertEquals(0, brick.heldCount(), "a partial batch is held back");
        CompletableFuture<ChangeReply> sync = wb.fsync(C, fd, false, Xdata.EMPTY);
        assertEquals(List.of(6L), brick.writeSizes(), "fsync sends it as one write");
        brick.answerAll();
        get(sync);
        assertEquals(List.of("writev", "fsync"), brick.fops());
        assertEquals("abcdef", brick.content(gfid));
    }

    @Test
    void overlappingWritesReachTheBrickInOrder() throws Exception {
        WriteBehindXlator wb = wb("aggregate-size", "4KB");
        brick.hold = true;
        get(wb.writev(C, fd, bytes("AAAA"), 0, 0, Xdata.EMPTY));
        get(wb.writev(C, fd, bytes("BB"), 1, 0, Xdata.EMPTY));
        get(wb.writev(C, fd, filled(4096, 'z'), 8192, 0, Xdata.EMPTY));
        assertEquals(List.of(4L, 4096L), brick.writeSizes(),
                "the overlapping write waits for the first; the disjoint (full) one may go at once");
        assertEquals(8192, brick.calls.get(1).offset());
        brick.answerNext();
        assertEquals(List.of(4L, 4096L), brick.writeSizes(), "trickling: the small write waits while one is in flight");
        brick.answerAll();
        assertEquals("ABBA", brick.content(gfid).substring(0, 4));
    }

    @Test
    void strictWriteOrderingKeepsDisjointWritesInOrderToo() throws Exception {
        WriteBehindXlator wb = wb("strict-write-ordering", "on", "trickling-writes", "on");
        brick.hold = true;
        get(wb.writev(C, fd, bytes("AAAA"), 0, 0, Xdata.EMPTY));
        get(wb.writev(C, fd, bytes("zz"), 100, 0, Xdata.EMPTY));
        assertEquals(List.of(4L), brick.writeSizes());
        brick.answerAll();
        assertEquals(List.of(4L, 2L), brick.writeSizes());
    }

    @Test
    void readSeesEarlierOverlappingWrites() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        get(wb.writev(C, fd, bytes("hello world"), 0, 0, Xdata.EMPTY));
        CompletableFuture<ReadReply> r = wb.readv(C, fd, 5, 6, 0, Xdata.EMPTY);
        assertEquals(List.of("writev"), brick.fops(), "the read waits for the write it overlaps");
        CompletableFuture<ReadReply> disjoint = wb.readv(C, fd, 10, 4096, 0, Xdata.EMPTY);
        assertEquals(List.of("writev", "readv"), brick.fops(), "a read of another range does not wait");
        brick.answerAll();
        ReadReply reply = get(r);
        assertEquals("world", reply.data().toString(StandardCharsets.UTF_8));
        reply.data().release();
        get(disjoint).data().release();
    }

    @Test
    void statAndFstatSeeTheSizeAfterEarlierWrites() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        get(wb.writev(C, fd, filled(100, 'x'), 1000, 0, Xdata.EMPTY));
        CompletableFuture<AttrReply> fs = wb.fstat(C, fd, Xdata.EMPTY);
        CompletableFuture<AttrReply> st = wb.stat(C, Loc.of(gfid, "/f"), Xdata.EMPTY);
        assertFalse(fs.isDone() || st.isDone(), "stat waits for the pending write");
        brick.answerAll();
        assertEquals(1100, get(fs).attr().size());
        assertEquals(1100, get(st).attr().size());
        assertEquals(List.of("writev", "fstat", "stat"), brick.fops());
    }

    @Test
    void seekWaitsForEarlierWrites() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        get(wb.writev(C, fd, filled(100, 'x'), 1000, 0, Xdata.EMPTY));
        CompletableFuture<SeekReply> sk = wb.seek(C, fd, 0, 3, Xdata.EMPTY);
        assertFalse(sk.isDone(), "SEEK_DATA waits for the pending write");
        assertFalse(brick.fops().contains("seek"), "and is not sent before it: " + brick.fops());
        brick.answerAll();
        assertEquals(1100, get(sk).offset());
        assertEquals(List.of("writev", "seek"), brick.fops());
    }

    @Test
    void lookupByNameAsksAgainAfterWritesInFlightAndReaddirpGetsTheirSize() throws Exception {
        WriteBehindXlator wb = wb();
        brick.files.put(gfid, new byte[10]);
        brick.hold = true;
        get(wb.writev(C, fd, filled(90, 'y'), 10, 0, Xdata.EMPTY));
        CompletableFuture<EntryReply> l = wb.lookup(C, Loc.entry(Gfid.ROOT, gfid.toString(), "/f"), Xdata.EMPTY);
        Fd dir = new Fd(new Inode(Gfid.ROOT, FileType.S_IFDIR), 0, 42);
        var listing = wb.readdirp(C, dir, 4096, 0, Xdata.EMPTY);
        assertEquals(List.of("writev", "lookup", "readdirp"), brick.fops(), "neither waits for the write");
        brick.answerNewest(); // the brick still has 10 bytes when it answers these two
        brick.answerNewest();
        Dirent d = get(listing).entries().get(0);
        assertEquals(100, d.attr().size());
        assertFalse(l.isDone(), "the name turned out to have a write in flight: its answer may predate it");
        brick.hold = false;
        brick.answerAll();
        assertEquals(100, get(l).attr().size());
        assertEquals(List.of("writev", "lookup", "readdirp", "lookup"), brick.fops(), "asked again after the write");
        assertEquals(0, wb.pendingInodes());
        assertEquals(100, get(wb.lookup(C, Loc.entry(Gfid.ROOT, gfid.toString(), "/f"), Xdata.EMPTY)).attr().size());
    }

    @Test
    void truncateWaitsForEarlierWritesAndLaterWritesWaitForIt() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        get(wb.writev(C, fd, bytes("0123456789"), 0, 0, Xdata.EMPTY));
        CompletableFuture<ChangeReply> t = wb.ftruncate(C, fd, 4, Xdata.EMPTY);
        get(wb.writev(C, fd, bytes("AB"), 6, 0, Xdata.EMPTY));
        assertEquals(List.of("writev"), brick.fops());
        brick.answerNext();
        assertEquals(List.of("writev", "ftruncate"), brick.fops(), "the later write waits for the truncate");
        brick.answerAll();
        get(t);
        assertEquals(List.of("writev", "ftruncate", "writev"), brick.fops());
        assertEquals("0123\0\0AB", brick.content(gfid));
    }

    @Test
    void anOpenThatTruncatesWaitsForEarlierWrites() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        get(wb.writev(C, fd, bytes("abc"), 0, 0, Xdata.EMPTY));
        Fd other = new Fd(new Inode(gfid, FileType.S_IFREG), 01001, 43);
        CompletableFuture<?> opened = wb.open(C, Loc.of(gfid, "/f"), 01001, other, Xdata.EMPTY);
        assertEquals(List.of("writev"), brick.fops(), "the truncating open waits");
        brick.answerAll();
        brick.answerAll();
        get(opened);
        assertEquals(List.of("writev", "open"), brick.fops());
        assertEquals("", brick.content(gfid), "the write does not land after the truncation");
    }

    @Test
    void failedCachedWriteFailsEveryLaterWriteOfThatFdButNotOthers() throws Exception {
        WriteBehindXlator wb = wb();
        brick.failWrites = Errno.ENOSPC;
        get(wb.writev(C, fd, bytes("lost"), 0, 0, Xdata.EMPTY));
        assertEquals(Errno.ENOSPC, errnoOf(wb.writev(C, fd, bytes("next"), 4, 0, Xdata.EMPTY)));
        brick.failWrites = null;
        // the kernel may have turned the failure into a short write and retried: it must fail again
        assertEquals(Errno.ENOSPC, errnoOf(wb.writev(C, fd, bytes("more"), 8, 0, Xdata.EMPTY)));
        get(wb.flush(C, fd, Xdata.EMPTY)); // the error was reported by the writes; close succeeds
        Fd other = new Fd(fd.inode(), O_RDWR, 43);
        get(wb.writev(C, other, bytes("fine"), 0, 0, Xdata.EMPTY));
        assertEquals(List.of(4L, 4L), brick.writeSizes(), "only the first write and the other fd's were sent");
    }

    @Test
    void failedCachedWriteIsReportedAtFlushAndTheFlushStillReachesTheBrick() throws Exception {
        WriteBehindXlator wb = wb();
        brick.failWrites = Errno.EDQUOT;
        get(wb.writev(C, fd, bytes("lost"), 0, 0, Xdata.EMPTY));
        assertEquals(Errno.EDQUOT, errnoOf(wb.flush(C, fd, Xdata.EMPTY)));
        assertEquals(List.of("writev", "flush"), brick.fops());
    }

    @Test
    void failedCachedWriteIsReportedAtFsyncWhichWaitsForIt() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        brick.failWrites = Errno.EIO;
        get(wb.writev(C, fd, bytes("a"), 0, 0, Xdata.EMPTY));
        get(wb.writev(C, fd, bytes("b"), 1, 0, Xdata.EMPTY));
        CompletableFuture<ChangeReply> sync = wb.fsync(C, fd, false, Xdata.EMPTY);
        assertFalse(sync.isDone());
        brick.answerAll();
        assertEquals(Errno.EIO, errnoOf(sync));
        assertEquals(List.of("writev", "writev", "fsync"), brick.fops());
    }

    @Test
    void fsyncWaitsForEveryEarlierWrite() throws Exception {
        WriteBehindXlator wb = wb("aggregate-size", "4KB");
        brick.hold = true;
        for (int i = 0; i < 5; i++) get(wb.writev(C, fd, filled(4096, 'q'), i * 8192L, 0, Xdata.EMPTY));
        CompletableFuture<ChangeReply> sync = wb.fsync(C, fd, true, Xdata.EMPTY);
        assertEquals(5, brick.writeSizes().size());
        assertFalse(brick.fops().contains("fsync"));
        for (int i = 0; i < 4; i++) brick.answerNext();
        assertFalse(brick.fops().contains("fsync"), "fsync waits for the last write too");
        brick.answerAll();
        get(sync);
        assertEquals("fsync", brick.fops().get(5));
    }

    @Test
    void flushBehindWaitsForTheWritesButNotForTheFlush() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        get(wb.writev(C, fd, bytes("data"), 0, 0, Xdata.EMPTY));
        CompletableFuture<?> flushed = wb.flush(C, fd, Xdata.EMPTY);
        assertFalse(flushed.isDone(), "close waits for the write it acknowledged early");
        brick.answerNext(); // the write only; the flush it releases is held in turn
        get(flushed);
        assertEquals(List.of("writev", "flush"), brick.fops(), "the flush itself is still held at the brick");
        wb.release(fd);
        brick.answerAll();
        assertEquals(List.of("writev", "flush", "release"), brick.fops());
        assertEquals("data", brick.content(gfid));
        assertNull(fd.ctx(wb), "release drops the fd's state");
        assertEquals(0, wb.pendingInodes());
    }

    @Test
    void flushBehindStillReportsAWriteThatFailsAfterItWasAcknowledged() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        get(wb.writev(C, fd, bytes("data"), 0, 0, Xdata.EMPTY));
        CompletableFuture<?> flushed = wb.flush(C, fd, Xdata.EMPTY);
        brick.failWrites = org.glusterj.core.Errno.ENOSPC;
        brick.answerAll();
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> flushed.get(5, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(org.glusterj.core.Errno.ENOSPC, org.glusterj.core.FopException.errnoOf(e));
    }

    @Test
    void withoutFlushBehindFlushWaitsForTheWrites() throws Exception {
        WriteBehindXlator wb = wb("flush-behind", "off");
        brick.hold = true;
        get(wb.writev(C, fd, bytes("data"), 0, 0, Xdata.EMPTY));
        CompletableFuture<?> flushed = wb.flush(C, fd, Xdata.EMPTY);
        assertFalse(flushed.isDone());
        brick.answerAll();
        get(flushed);
        assertEquals(List.of("writev", "flush"), brick.fops());
    }

    @Test
    void aFullWindowMakesWritersWaitUntilTheBrickAnswers() throws Exception {
        WriteBehindXlator wb = wb("window-size", "512KB");
        brick.hold = true;
        for (int i = 0; i < 4; i++) {
            assertTrue(wb.writev(C, fd, filled(128 << 10, 'w'), i * (128L << 10), 0, Xdata.EMPTY).isDone());
        }
        CompletableFuture<ChangeReply> fifth = wb.writev(C, fd, filled(128 << 10, 'v'), 4 * (128L << 10), 0, Xdata.EMPTY);
        CompletableFuture<ChangeReply> sixth = wb.writev(C, fd, filled(10, 'u'), 5 * (128L << 10), 0, Xdata.EMPTY);
        assertFalse(fifth.isDone(), "the window (512 KiB) is full");
        assertFalse(sixth.isDone(), "later writers queue behind the first waiting one");
        brick.answerNext();
        assertTrue(fifth.isDone() && !fifth.isCompletedExceptionally(), "128 KiB left the window");
        brick.answerAll();
        get(sixth);
        assertEquals(5 * (128 << 10) + 10, brick.files.get(gfid).length);
        assertEquals(0, wb.pendingInodes());
    }

    @Test
    void aWriteThatFailsBeforeItWasAcknowledgedFailsItsOwnWriter() throws Exception {
        WriteBehindXlator wb = wb("window-size", "512KB");
        brick.hold = true;
        get(wb.writev(C, fd, filled(512 << 10, 'w'), 0, 0, Xdata.EMPTY));
        CompletableFuture<ChangeReply> waiting = wb.writev(C, fd, bytes("x"), 600 << 10, 0, Xdata.EMPTY);
        assertEquals(2, brick.heldCount(), "a writer that waits for room is never held back in the queue");
        brick.failWrites = Errno.ENOSPC;
        brick.answerNewest();
        assertEquals(Errno.ENOSPC, errnoOf(waiting));
        brick.answerAll();
        // the first, acknowledged write's failure is still owed to the application
        CompletableFuture<ChangeReply> sync = wb.fsync(C, fd, false, Xdata.EMPTY);
        brick.answerAll();
        assertEquals(Errno.ENOSPC, errnoOf(sync));
    }

    @Test
    void syncWritesAreNotAcknowledgedEarlyButStayOrdered() throws Exception {
        WriteBehindXlator wb = wb();
        Fd syncFd = new Fd(fd.inode(), O_RDWR | O_SYNC, 42);
        brick.hold = true;
        get(wb.writev(C, fd, bytes("cached"), 0, 0, Xdata.EMPTY));
        CompletableFuture<ChangeReply> s = wb.writev(C, syncFd, bytes("SY"), 0, 0, Xdata.EMPTY);
        assertFalse(s.isDone());
        assertEquals(List.of(6L), brick.writeSizes(), "it overlaps the cached write, so it waits for it");
        brick.answerAll();
        assertEquals(6, get(s).post().size(), "the writer gets the brick's own answer");
        assertEquals("SYched", brick.content(gfid));
    }

    @Test
    void oDirectIsCachedUnlessStrict() throws Exception {
        Fd direct = new Fd(fd.inode(), O_RDWR | O_DIRECT, 42);
        brick.hold = true;
        assertTrue(wb().writev(C, direct, bytes("a"), 0, 0, Xdata.EMPTY).isDone());
        assertFalse(wb("strict-O_DIRECT", "on").writev(C, direct, bytes("b"), 0, 0, Xdata.EMPTY).isDone());
    }

    @Test
    void setattrWaitsForWritesSoTheirMtimeDoesNotWin() throws Exception {
        WriteBehindXlator wb = wb();
        brick.hold = true;
        get(wb.writev(C, fd, bytes("a"), 0, 0, Xdata.EMPTY));
        CompletableFuture<ChangeReply> s = wb.fsetattr(C, fd, SetAttr.times(1, 0, 1, 0), Xdata.EMPTY);
        assertEquals(List.of("writev"), brick.fops());
        brick.answerAll();
        get(s);
        assertEquals(List.of("writev", "fsetattr"), brick.fops());
    }

    @Test
    void fopsWithoutPendingWritesPassStraightThrough() throws Exception {
        WriteBehindXlator wb = wb();
        brick.files.put(gfid, "abc".getBytes(StandardCharsets.UTF_8));
        assertEquals(3, get(wb.fstat(C, fd, Xdata.EMPTY)).attr().size());
        get(wb.flush(C, fd, Xdata.EMPTY));
        wb.release(fd);
        assertEquals(List.of("fstat", "flush", "release"), brick.fops());
    }

    @Test
    void optionsFollowGlusterFs() {
        assertEquals(List.of(), Options.of("cache-size", "4MB", "aggregate-size", "1MB", "flush-behind", "off",
                "trickling-writes", "off", "strict-O_DIRECT", "on", "strict-write-ordering", "on",
                "resync-failed-syncs-after-fsync", "off").validate(WriteBehindXlator.OPTIONS));
        assertEquals(1, Options.of("window-size", "256KB").validate(WriteBehindXlator.OPTIONS).size(),
                "the window is at least 512 KB, as in GlusterFS");
        assertEquals(1, Options.of("aggregate-size", "8MB").validate(WriteBehindXlator.OPTIONS).size(),
                "one write carries at most 4 MiB");
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> wb("aggregate-size", "2MB"));
        assertTrue(tooBig.getMessage().contains("aggregate-size"), tooBig.getMessage());
        assertThrows(IllegalArgumentException.class, () -> wb("cache-size", "1MB", "window-size", "2MB"));
    }

    @Test
    void windowSizeIsAnAliasOfCacheSize() throws Exception {
        WriteBehindXlator wb = wb("window-size", "512KB");
        brick.hold = true;
        assertTrue(wb.writev(C, fd, filled(512 << 10, 'a'), 0, 0, Xdata.EMPTY).isDone());
        assertFalse(wb.writev(C, fd, filled(1, 'b'), 512 << 10, 0, Xdata.EMPTY).isDone());
        brick.answerAll();
    }
}
