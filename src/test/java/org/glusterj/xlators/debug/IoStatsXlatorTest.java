package org.glusterj.xlators.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.graph.Graph;
import org.glusterj.graph.GraphBuilder;
import org.glusterj.graph.VolfileException;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

class IoStatsXlatorTest {
    private static final Caller C = Caller.of(1000, 1000, 42);
    private static final Gfid G = Gfid.random();
    private static final Iatt ATTR = new Iatt(G, FileType.S_IFREG | 0644, 1, 0, 0, 0, 5, 8, 4096, 0, 0, 0, 0, 0, 0);

    private final ScriptedChild child = new ScriptedChild();

    private IoStatsXlator ioStats(String... options) {
        return new IoStatsXlator(XlatorConfig.of("vol", IoStatsXlator.TYPE.type(), Options.of(options), List.of(child)));
    }

    private static Fd fd() {
        return new Fd(new Inode(G, FileType.S_IFREG), 0, 42);
    }

    @Test
    void countsAFopAndMeasuresItsLatencyFromWindToUnwind() throws Exception {
        IoStatsXlator x = ioStats();
        CompletableFuture<AttrReply> planted = new CompletableFuture<>();
        child.statReply = planted;
        CompletableFuture<AttrReply> f = x.stat(C, Loc.of(G, "/a"), Xdata.EMPTY);
        assertEquals("stat /a", child.calls.poll());
        assertEquals(1, x.stats(Fop.STAT).calls());
        assertEquals(0, x.stats(Fop.STAT).timed(), "not timed before it completes");
        assertFalse(f.isDone());
        TimeUnit.MILLISECONDS.sleep(3);
        AttrReply reply = new AttrReply(ATTR, Xdata.EMPTY);
        planted.complete(reply);
        assertSame(reply, f.get(5, TimeUnit.SECONDS));
        FopStats.Snapshot s = x.stats(Fop.STAT);
        assertEquals(1, s.timed());
        assertEquals(0, s.errors());
        assertTrue(s.minNanos() >= TimeUnit.MILLISECONDS.toNanos(3), "the fop was pending for at least 3 ms: " + s);
        assertEquals(s.minNanos(), s.maxNanos());
        assertEquals(s.minNanos(), s.avgNanos());
    }

    @Test
    void keepsMinimumAndMaximumOverSeveralCalls() throws Exception {
        IoStatsXlator x = ioStats();
        child.statReply = CompletableFuture.completedFuture(new AttrReply(ATTR, Xdata.EMPTY));
        x.stat(C, Loc.of(G, "/fast"), Xdata.EMPTY).get();
        CompletableFuture<AttrReply> slow = new CompletableFuture<>();
        child.statReply = slow;
        CompletableFuture<AttrReply> f = x.stat(C, Loc.of(G, "/slow"), Xdata.EMPTY);
        TimeUnit.MILLISECONDS.sleep(5);
        slow.complete(new AttrReply(ATTR, Xdata.EMPTY));
        f.get();
        FopStats.Snapshot s = x.stats(Fop.STAT);
        assertEquals(2, s.calls());
        assertEquals(2, s.timed());
        assertTrue(s.maxNanos() >= TimeUnit.MILLISECONDS.toNanos(5), s.toString());
        assertTrue(s.minNanos() < s.maxNanos(), s.toString());
        assertTrue(s.minNanos() <= s.avgNanos() && s.avgNanos() <= s.maxNanos(), s.toString());
    }

    @Test
    void aFailedFopIsCountedAsAnErrorAndItsErrnoReachesTheCaller() {
        IoStatsXlator x = ioStats();
        child.statReply = CompletableFuture.failedFuture(new FopException(Errno.ENOENT));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> x.stat(C, Loc.of(G, "/missing"), Xdata.EMPTY).get());
        assertEquals(Errno.ENOENT, FopException.errnoOf(e));
        assertEquals(1, x.stats(Fop.STAT).errors());
        assertEquals(1, x.stats(Fop.STAT).calls());
    }

    @Test
    void countsBytesReadAndHandsTheBufferUpUntouched() throws Exception {
        IoStatsXlator x = ioStats();
        ByteBuf data = Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8);
        child.readReply = CompletableFuture.completedFuture(new ReadReply(data, ATTR, Xdata.EMPTY));
        ReadReply r = x.readv(C, fd(), 4096, 0, 0, Xdata.EMPTY).get();
        assertSame(data, r.data());
        assertEquals(1, data.refCnt());
        assertEquals("hello", r.data().toString(StandardCharsets.UTF_8));
        assertEquals(5, x.bytesRead());
        assertEquals(0, x.bytesWritten());
        data.release();
    }

    @Test
    void countsBytesWrittenAndPassesTheBufferDown() throws Exception {
        IoStatsXlator x = ioStats();
        child.writeReply = CompletableFuture.completedFuture(new ChangeReply(ATTR, ATTR, Xdata.EMPTY));
        ByteBuf data = Unpooled.wrappedBuffer(new byte[131072]);
        x.writev(C, fd(), data, 0, 0, Xdata.EMPTY).get();
        assertSame(data, child.lastWritten);
        assertEquals("writev 131072@0", child.calls.poll());
        assertEquals(131072, x.bytesWritten());
        data.release();
    }

    @Test
    void aFailedWriteCountsNoBytes() {
        IoStatsXlator x = ioStats();
        child.writeReply = CompletableFuture.failedFuture(new FopException(Errno.ENOSPC));
        ByteBuf data = Unpooled.wrappedBuffer(new byte[100]);
        assertThrows(ExecutionException.class, () -> x.writev(C, fd(), data, 0, 0, Xdata.EMPTY).get());
        assertEquals(0, x.bytesWritten());
        assertEquals(1, x.stats(Fop.WRITE).errors());
    }

    @Test
    void withoutLatencyMeasurementOnlyCallsAreCounted() throws Exception {
        IoStatsXlator x = ioStats("latency-measurement", "off");
        child.statReply = CompletableFuture.completedFuture(new AttrReply(ATTR, Xdata.EMPTY));
        x.stat(C, Loc.of(G, "/a"), Xdata.EMPTY).get();
        assertEquals(1, x.stats(Fop.STAT).calls());
        assertEquals(0, x.stats(Fop.STAT).timed());
        assertTrue(x.table().lines().anyMatch(l -> l.matches("\\s*STAT\\s+1\\s+0\\s+-\\s+-\\s+-")), x.table());
    }

    @Test
    void countsStayExactWhenManyThreadsWindAtOnce() throws Exception {
        IoStatsXlator x = ioStats();
        child.statReply = CompletableFuture.completedFuture(new AttrReply(ATTR, Xdata.EMPTY));
        int threads = 4;
        int perThread = 5000;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) x.stat(C, Loc.of(G, "/a"), Xdata.EMPTY).join();
                }));
            }
            for (java.util.concurrent.Future<?> f : done) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        FopStats.Snapshot s = x.stats(Fop.STAT);
        assertEquals(threads * perThread, s.calls());
        assertEquals(threads * perThread, s.timed());
        assertTrue(s.minNanos() <= s.avgNanos() && s.avgNanos() <= s.maxNanos(), s.toString());
    }

    @Test
    void releaseIsCountedAndStillReachesTheChild() {
        IoStatsXlator x = ioStats();
        x.release(fd());
        assertEquals("release", child.calls.poll());
        assertEquals(1, x.stats(Fop.RELEASE).calls());
    }

    @Test
    void tableListsCalledFopsBusiestFirstWithTheirCounts() throws Exception {
        IoStatsXlator x = ioStats("unique-id", "/bricks/b1");
        assertTrue(x.table().contains("no fops yet"), x.table());
        child.statReply = CompletableFuture.completedFuture(new AttrReply(ATTR, Xdata.EMPTY));
        for (int i = 0; i < 3; i++) x.stat(C, Loc.of(G, "/a"), Xdata.EMPTY).get();
        child.writeReply = CompletableFuture.completedFuture(new ChangeReply(ATTR, ATTR, Xdata.EMPTY));
        x.writev(C, fd(), Unpooled.wrappedBuffer(new byte[2048]), 0, 0, Xdata.EMPTY).get();
        List<String> lines = x.table().lines().toList();
        assertTrue(lines.get(0).startsWith("io-stats of vol (/bricks/b1)"), lines.get(0));
        assertTrue(lines.get(0).contains("2.0 KiB written"), lines.get(0));
        assertTrue(lines.get(2).trim().startsWith("STAT"), x.table());
        assertTrue(lines.get(2).matches("\\s*STAT\\s+3\\s+0\\s+.*"), lines.get(2));
        assertTrue(lines.get(3).trim().startsWith("WRITE"), x.table());
        assertEquals(4, lines.size(), "uncalled fops have no row: " + x.table());
    }

    @Test
    void loadsTheOptionsGlusterfsPutsInItsVolfiles() throws VolfileException {
        String volfile = """
                volume gv0
                    type debug/io-stats
                    option global-threading off
                    option count-fop-hits off
                    option latency-measurement off
                    option threads 16
                    option log-level INFO
                    option volume-id 80462e24-40b3-46fb-9beb-7d2a0b6c0790
                    option unique-id /bricks/b1
                    option dump-fd-stats off
                    option ios-dump-interval 0
                    subvolumes gv0-trace
                end-volume
                """;
        String trace = "volume gv0-trace\n    type debug/trace\n    option exclude-ops stat,readv\nend-volume\n";
        Graph g = new GraphBuilder(List.of(IoStatsXlator.TYPE, TraceXlator.TYPE)).build(trace + volfile, "test", List.of());
        try {
            IoStatsXlator top = (IoStatsXlator) g.top();
            assertEquals("gv0", top.name());
            assertTrue(top.table().startsWith("io-stats of gv0 (/bricks/b1)"), top.table());
        } finally {
            g.fini();
        }
    }

    @Test
    void aBadOptionValueIsRefusedNamingTheKey() {
        VolfileException e = assertThrows(VolfileException.class, () -> new GraphBuilder(
                List.of(IoStatsXlator.TYPE, TraceXlator.TYPE)).build(
                "volume t\n type debug/trace\nend-volume\nvolume s\n type debug/io-stats\n"
                        + " option latency-measurement maybe\n subvolumes t\nend-volume\n", "test", List.of()));
        assertTrue(e.getMessage().contains("latency-measurement"), e.getMessage());
    }
}
