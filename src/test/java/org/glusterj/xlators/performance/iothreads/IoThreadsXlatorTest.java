package org.glusterj.xlators.performance.iothreads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which reads io-threads tries on the caller's thread, and that a read that would wait still gets its data. */
class IoThreadsXlatorTest {
    private static final byte[] DATA = "page-cache bytes".getBytes(StandardCharsets.UTF_8);

    /** What the disk under io-threads does with a read. */
    enum Disk { CACHED, COLD, ALWAYS_EAGAIN }

    /** A child that answers readv as a posix brick would, recording the thread and whether NOWAIT was asked. */
    static final class DiskChild extends Xlator {
        record Call(String thread, boolean nowait) {
        }

        final List<Call> calls = new CopyOnWriteArrayList<>();
        volatile Disk disk = Disk.CACHED;

        DiskChild() {
            super(XlatorConfig.of("disk", "test/disk", Options.NONE, List.of()));
        }

        @Override
        public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
            boolean nowait = x != null && x.has(IoThreadsXlator.NOWAIT);
            calls.add(new Call(Thread.currentThread().getName(), nowait));
            if (disk == Disk.ALWAYS_EAGAIN || (disk == Disk.COLD && nowait)) {
                return CompletableFuture.failedFuture(Errno.EAGAIN.exception("would wait"));
            }
            return CompletableFuture.completedFuture(new ReadReply(Unpooled.wrappedBuffer(DATA), null, null));
        }

        @Override
        public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
            calls.add(new Call(Thread.currentThread().getName(), x != null && x.has(IoThreadsXlator.NOWAIT)));
            data.release();
            return CompletableFuture.completedFuture(new ChangeReply(null, null, null));
        }
    }

    private final DiskChild disk = new DiskChild();
    private IoThreadsXlator iot;

    private IoThreadsXlator iot(String... options) {
        iot = new IoThreadsXlator(XlatorConfig.of("iot", "performance/io-threads", Options.of(options), List.of(disk)));
        return iot;
    }

    @AfterEach
    void stop() {
        if (iot != null) iot.fini();
    }

    private static Fd fd() {
        return new Fd(new Inode(Gfid.random(), 0), 0, 1);
    }

    private static String text(ReadReply r) {
        try {
            return r.data().toString(StandardCharsets.UTF_8);
        } finally {
            r.data().release();
        }
    }

    @Test
    void aSmallCachedReadRunsOnTheCallersThreadOnce() {
        String me = Thread.currentThread().getName();
        assertEquals(new String(DATA, StandardCharsets.UTF_8), text(iot().readv(Caller.ROOT, fd(), 4096, 0, 0, null).join()));
        assertEquals(List.of(new DiskChild.Call(me, true)), disk.calls);
    }

    @Test
    void aReadThatWouldWaitForTheDiskIsSentAgainFromThePoolWithoutNowait() {
        disk.disk = Disk.COLD;
        String me = Thread.currentThread().getName();
        assertEquals(new String(DATA, StandardCharsets.UTF_8),
                text(iot().readv(Caller.ROOT, fd(), 4096, 0, 0, Xdata.of("k", "v")).join()));
        assertEquals(2, disk.calls.size());
        assertEquals(new DiskChild.Call(me, true), disk.calls.get(0));
        assertNotEquals(me, disk.calls.get(1).thread());
        assertTrue(disk.calls.get(1).thread().startsWith("iot-io-"), disk.calls.get(1).thread());
        assertFalse(disk.calls.get(1).nowait());
    }

    @Test
    void aGenuineEagainReachesTheCallerAfterOneRetry() {
        disk.disk = Disk.ALWAYS_EAGAIN;
        CompletionException e = assertThrows(CompletionException.class,
                () -> iot().readv(Caller.ROOT, fd(), 4096, 0, 0, null).join());
        assertEquals(Errno.EAGAIN, FopException.errnoOf(e));
        assertEquals(2, disk.calls.size());
    }

    @Test
    void readsAboveTheInlineSizeGoStraightToThePool() {
        iot("inline-read-size", "4096");
        text(iot.readv(Caller.ROOT, fd(), 4097, 0, 0, null).join());
        assertEquals(1, disk.calls.size());
        assertFalse(disk.calls.get(0).nowait());
        assertTrue(disk.calls.get(0).thread().startsWith("iot-io-"));
    }

    @Test
    void inlineReadSizeZeroSendsEveryReadToThePool() {
        iot("inline-read-size", "0");
        text(iot.readv(Caller.ROOT, fd(), 1, 0, 0, null).join());
        assertFalse(disk.calls.get(0).nowait());
        assertTrue(disk.calls.get(0).thread().startsWith("iot-io-"));
    }

    @Test
    void writesGoToThePoolUnlessSmallEnoughForInlineWriteSize() {
        String me = Thread.currentThread().getName();
        iot().writev(Caller.ROOT, fd(), Unpooled.buffer(1).writeByte(1), 0, 0, null).join();
        assertTrue(disk.calls.get(0).thread().startsWith("iot-io-"), "by default every write goes to the pool");
        iot.fini();
        disk.calls.clear();
        iot("inline-write-size", "4096");
        iot.writev(Caller.ROOT, fd(), Unpooled.buffer(4096).writeZero(4096), 0, 0, null).join();
        iot.writev(Caller.ROOT, fd(), Unpooled.buffer(4097).writeZero(4097), 0, 0, null).join();
        assertEquals(me, disk.calls.get(0).thread());
        assertTrue(disk.calls.get(1).thread().startsWith("iot-io-"), disk.calls.get(1).thread());
    }

    @Test
    void aBadInlineReadSizeIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> iot("inline-read-size", "-1"));
        assertTrue(e.getMessage().contains("inline-read-size"), e.getMessage());
    }
}
