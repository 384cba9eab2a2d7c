package org.glusterj.xlators.performance.openbehind;

import static org.glusterj.xlators.performance.testing.DataBrick.bytes;
import static org.glusterj.xlators.performance.testing.Reads.C;
import static org.glusterj.xlators.performance.testing.Reads.errnoOf;
import static org.glusterj.xlators.performance.testing.Reads.read;
import static org.glusterj.xlators.performance.testing.Reads.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.glusterj.core.Done;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.Gfid;
import org.glusterj.core.Loc;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.performance.quickread.QuickReadXlator;
import org.glusterj.xlators.performance.testing.DataBrick;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenBehindXlatorTest {
    private final DataBrick brick = new DataBrick();

    /** Deferring every open it may, hint or not: the mechanics of deferral. */
    private OpenBehindXlator ob(String... options) {
        String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of("defer-uncached", "on"),
                java.util.Arrays.stream(options)).toArray(String[]::new);
        return obWith(all);
    }

    private OpenBehindXlator obWith(String... options) {
        return new OpenBehindXlator(XlatorConfig.of("ob", OpenBehindXlator.TYPE.type(), Options.of(options),
                List.of(brick)));
    }

    private static final Xdata HELD = Xdata.of(OpenBehindXlator.CONTENT_HELD_KEY, new byte[0]);

    private static Fd open(Xlator x, Gfid g, int flags) {
        Fd fd = DataBrick.fd(g, flags);
        x.open(C, Loc.of(g, "/f"), flags, fd, Xdata.EMPTY).join();
        return fd;
    }

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, brick.unreleasedBuffers(), "read buffers not released");
    }

    /**
     * lazy-open off (the open goes out as soon as it is answered here, so a quick close or flush
     * races it) over a brick whose opens wait for {@code gate}.
     */
    private OpenBehindXlator sendingOpensThrough(CompletableFuture<Void> gate) {
        Xlator slowOpen = new Xlator(XlatorConfig.of("slow", "test/slow", Options.NONE, List.of(brick))) {
            @Override
            public CompletableFuture<Done> open(org.glusterj.core.Caller c, Loc loc, int flags, Fd fd, Xdata x) {
                return gate.thenCompose(v -> brick.open(c, loc, flags, fd, x));
            }
        };
        return new OpenBehindXlator(XlatorConfig.of("ob", OpenBehindXlator.TYPE.type(),
                Options.of("lazy-open", "off", "defer-uncached", "on"), List.of(slowOpen)));
    }

    @Test
    void openFlushAndReleaseOfAnUnusedFdSendNothing() {
        OpenBehindXlator ob = ob();
        Gfid g = brick.put(bytes("abc"));
        Fd fd = open(ob, g, 0);
        assertTrue(ob.isDeferred(fd));
        ob.flush(C, fd, Xdata.EMPTY).join();
        ob.release(fd);
        assertEquals(0, brick.count("open"));
        assertEquals(0, brick.count("flush"));
        assertEquals(0, brick.count("release"), "no remote fd to release");
    }

    @Test
    void theFirstFopThatNeedsTheFileSendsTheOpenOnce() {
        OpenBehindXlator ob = ob();
        Gfid g = brick.put(bytes("abcdef"));
        Fd fd = open(ob, g, 2);
        write(ob, fd, bytes("XY"), 0);
        assertFalse(ob.isDeferred(fd));
        assertArrayEquals(bytes("XYcdef"), read(ob, fd, 100, 0));
        ob.flush(C, fd, Xdata.EMPTY).join();
        ob.fsync(C, fd, false, Xdata.EMPTY).join();
        ob.lk(C, fd, Flock.F_GETLK, new Flock(Flock.F_WRLCK, 0, 0, 0, 0, 0L), Xdata.EMPTY).join();
        ob.release(fd);
        assertEquals(List.of("open", "writev", "readv", "flush", "fsync", "lk", "release"), brick.calls());
    }

    @Test
    void concurrentFopsShareOneOpen() throws Exception {
        OpenBehindXlator ob = ob();
        Gfid g = brick.put(new byte[4096]);
        Fd fd = open(ob, g, 2);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int at = t;
                all.add(pool.submit(() -> write(ob, fd, new byte[] {(byte) at}, at)));
            }
            for (Future<?> f : all) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, brick.count("open"));
        assertArrayEquals(new byte[] {0, 1, 2, 3}, java.util.Arrays.copyOf(brick.content(g), 4));
    }

    @Test
    void aFailedDeferredOpenFailsTheFopsThatNeededIt() {
        OpenBehindXlator ob = ob();
        Gfid g = brick.put(bytes("secret"));
        brick.failOpens(Errno.EACCES);
        Fd fd = open(ob, g, 2);
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(4).writeBytes(bytes("data"));
        assertEquals(Errno.EACCES, errnoOf(ob.writev(C, fd, data, 0, 0, Xdata.EMPTY)));
        assertEquals(0, data.refCnt(), "the unsent write's buffer is released");
        assertEquals(Errno.EACCES, errnoOf(ob.readv(C, fd, 10, 0, 0, Xdata.EMPTY)));
        assertEquals(Errno.EACCES, errnoOf(ob.fsync(C, fd, false, Xdata.EMPTY)));
        // The close does not fail again: the write that needed the open already did, and nothing
        // was written or locked on the bricks through an fd they never opened.
        ob.flush(C, fd, Xdata.EMPTY).join();
        ob.release(fd);
        assertEquals(1, brick.count("open"), "the failure is remembered, not retried");
        assertEquals(0, brick.count("writev"));
        assertEquals(0, brick.count("flush"));
        assertEquals(0, brick.count("release") + brick.count("release-unopened"), "a failed open left nothing to release");
        assertArrayEquals(bytes("secret"), brick.content(g));
    }

    /**
     * A file read from quick-read's cache is unlinked on this mount after another client removed
     * it: open-behind sends the deferred open first, on its own account, and the brick answers
     * ENOENT. Reads quick-read answers go on; fops that need the open file fail as the open did;
     * close(2) succeeds.
     */
    @Test
    void anOpenSentForAnUnlinkOfAFileAlreadyGoneDoesNotFailTheClose() {
        OpenBehindXlator ob = obWith();
        QuickReadXlator qr = new QuickReadXlator(XlatorConfig.of("qr", QuickReadXlator.TYPE.type(), Options.NONE,
                List.of(ob)));
        Gfid g = brick.put(bytes("small"));
        qr.lookup(C, Loc.of(g, "/f"), Xdata.EMPTY).join();
        Fd fd = open(qr, g, 0);
        assertTrue(ob.isDeferred(fd));
        brick.remove(g);
        qr.unlink(C, new Loc(g, Gfid.ROOT, "f", "/f"), 0, Xdata.EMPTY).join();
        assertEquals(List.of("lookup", "open", "unlink"), brick.calls());
        assertArrayEquals(bytes("small"), read(qr, fd, 100, 0), "quick-read still answers from what it held");
        assertEquals(Errno.ENOENT, errnoOf(qr.fsync(C, fd, false, Xdata.EMPTY)), "a fop that needs the open file");
        qr.flush(C, fd, Xdata.EMPTY).join();
        qr.release(fd);
        assertEquals(List.of("lookup", "open", "unlink"), brick.calls(), "no open again, nothing flushed or released");
    }

    @Test
    void aFlushWaitsForAnOpenInFlightAndSucceedsIfItFails() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        OpenBehindXlator ob = sendingOpensThrough(gate);
        Gfid g = brick.put(bytes("abc"));
        Fd fd = open(ob, g, 0);
        CompletableFuture<Done> flush = ob.flush(C, fd, Xdata.EMPTY);
        assertFalse(flush.isDone(), "not before the open is answered");
        brick.remove(g);
        gate.complete(null);
        flush.join();
        ob.release(fd);
        assertEquals(List.of("open"), brick.calls());
    }

    @Test
    void opensThatChangeTheFileAreSentAtOnce() {
        OpenBehindXlator ob = ob();
        Gfid g = brick.put(bytes("full"));
        Fd fd = open(ob, g, 01001);
        assertFalse(ob.isDeferred(fd));
        assertEquals(1, brick.count("open"));
        assertEquals(0, brick.content(g).length, "O_TRUNC took effect when open returned");
        open(ob, g, 0101);
        assertEquals(2, brick.count("open"));
    }

    @Test
    void aFailingOpenThatIsSentAtOnceFailsAtOnce() {
        OpenBehindXlator ob = ob();
        Gfid g = brick.put(bytes("x"));
        brick.failOpens(Errno.EACCES);
        Fd fd = DataBrick.fd(g, 01001);
        assertEquals(Errno.EACCES, errnoOf(ob.open(C, Loc.of(g, "/f"), 01001, fd, Xdata.EMPTY)));
    }

    @Test
    void fstatOfAnUnopenedFdAsksByGfid() {
        OpenBehindXlator ob = ob();
        Gfid g = brick.put(bytes("12345"));
        Fd fd = open(ob, g, 0);
        assertEquals(5, ob.fstat(C, fd, Xdata.EMPTY).join().attr().size());
        assertEquals(List.of("stat"), brick.calls());
        assertTrue(ob.isDeferred(fd));
    }

    @Test
    void unlinkAndRenameOverAFileSendItsDeferredOpensFirst() {
        OpenBehindXlator ob = ob();
        Gfid g = brick.put(bytes("keep me readable"));
        open(ob, g, 0);
        ob.unlink(C, new Loc(g, Gfid.ROOT, "f", "/f"), 0, Xdata.EMPTY).join();
        assertEquals(List.of("open", "unlink"), brick.calls());

        brick.clearCalls();
        Gfid h = brick.put(bytes("victim"));
        open(ob, h, 0);
        ob.rename(C, Loc.entry(Gfid.ROOT, "a", "/a"), new Loc(h, Gfid.ROOT, "v", "/v"), Xdata.EMPTY).join();
        assertEquals(List.of("open", "rename"), brick.calls());

        brick.clearCalls();
        Gfid named = brick.put(bytes("victim by name"));
        Fd fd = DataBrick.fd(named, 0);
        ob.open(C, new Loc(named, Gfid.ROOT, "w", "/w"), 0, fd, Xdata.EMPTY).join();
        ob.rename(C, Loc.entry(Gfid.ROOT, "b", "/b"), Loc.entry(Gfid.ROOT, "other", "/other"), Xdata.EMPTY).join();
        assertEquals(List.of("rename"), brick.calls(), "an unrelated name leaves the open deferred");
        ob.rename(C, Loc.entry(Gfid.ROOT, "b", "/b"), Loc.entry(Gfid.ROOT, "w", "/w"), Xdata.EMPTY).join();
        assertEquals(List.of("rename", "open", "rename"), brick.calls());
    }

    /**
     * An unlink sends the deferred opens of the fds open on its file when it starts; one of those
     * fds may be released before its turn comes (another thread closing it). Its open must not be
     * sent then: nobody would release the remote fd it makes.
     */
    @Test
    void anFdReleasedWhileAnUnlinkSendsTheDeferredOpensIsNotOpenedBelow() {
        List<Fd> fds = new ArrayList<>();
        List<Fd> closed = new ArrayList<>();
        OpenBehindXlator[] ob = new OpenBehindXlator[1];
        Xlator closesTheOtherOnFirstOpen = new Xlator(XlatorConfig.of("racer", "test/racer", Options.NONE,
                List.of(brick))) {
            private boolean done;

            @Override
            public CompletableFuture<Done> open(org.glusterj.core.Caller c, Loc loc, int flags, Fd fd, Xdata x) {
                if (!done) {
                    done = true;
                    closed.add(fds.get(0) == fd ? fds.get(1) : fds.get(0));
                    ob[0].release(closed.get(0));
                }
                return brick.open(c, loc, flags, fd, x);
            }
        };
        ob[0] = new OpenBehindXlator(XlatorConfig.of("ob", OpenBehindXlator.TYPE.type(),
                Options.of("defer-uncached", "on"), List.of(closesTheOtherOnFirstOpen)));
        Gfid g = brick.put(bytes("two readers"));
        fds.add(open(ob[0], g, 0));
        fds.add(open(ob[0], g, 0));

        ob[0].unlink(C, new Loc(g, Gfid.ROOT, "f", "/f"), 0, Xdata.EMPTY).join();
        assertEquals(1, brick.count("open"), "only the fd still open is opened below");
        assertEquals(0, brick.count("release"), "the released fd had nothing below to release");
        Fd stillOpen = fds.stream().filter(fd -> !closed.contains(fd)).findFirst().orElseThrow();
        assertArrayEquals(bytes("two readers"), read(ob[0], stillOpen, 100, 0));
        ob[0].release(stillOpen);
        assertEquals(1, brick.count("release"), "every remote fd made is released");
    }

    @Test
    void lazyOpenOffSendsTheOpenRightAway() {
        OpenBehindXlator ob = ob("lazy-open", "off");
        Gfid g = brick.put(bytes("abc"));
        Fd fd = open(ob, g, 0);
        assertEquals(1, brick.count("open"));
        assertArrayEquals(bytes("abc"), read(ob, fd, 10, 0));
        assertEquals(1, brick.count("open"));
    }

    @Test
    void releaseWaitsForAnOpenInFlight() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        OpenBehindXlator ob = sendingOpensThrough(gate);
        Gfid g = brick.put(bytes("abc"));
        Fd fd = open(ob, g, 0);
        ob.release(fd);
        assertEquals(0, brick.count("release"), "not before the open is answered");
        gate.complete(null);
        assertEquals(List.of("open", "release"), brick.calls(), "the remote fd the open made is released");
    }

    @Test
    void byDefaultOnlyOpensWhoseContentIsHeldAboveAreDeferred() {
        OpenBehindXlator ob = obWith();
        Gfid g = brick.put(bytes("abc"));
        Fd plain = open(ob, g, 0);
        assertFalse(ob.isDeferred(plain));
        assertEquals(List.of("open"), brick.calls());
        Fd held = DataBrick.fd(g, 0);
        ob.open(C, Loc.of(g, "/f"), 0, held, HELD).join();
        assertTrue(ob.isDeferred(held));
        assertEquals(List.of("open"), brick.calls());
        assertArrayEquals(bytes("abc"), read(ob, held, 100, 0), "a read that reaches it sends the open");
        assertEquals(List.of("open", "open", "readv"), brick.calls());
        ob.release(plain);
        ob.release(held);
    }

    @Test
    void theContentHeldHintNeverTravelsDown() {
        List<Xdata> seen = new ArrayList<>();
        Xlator recorder = new Xlator(XlatorConfig.of("rec", "test/rec", Options.NONE, List.of(brick))) {
            @Override
            public CompletableFuture<Done> open(org.glusterj.core.Caller c, Loc loc, int flags, Fd fd, Xdata x) {
                seen.add(x);
                return brick.open(c, loc, flags, fd, x);
            }
        };
        OpenBehindXlator ob = new OpenBehindXlator(XlatorConfig.of("ob", OpenBehindXlator.TYPE.type(),
                Options.of("pass-through", "on"), List.of(recorder)));
        Gfid g = brick.put(bytes("abc"));
        Fd fd = DataBrick.fd(g, 0);
        ob.open(C, Loc.of(g, "/f"), 0, fd, HELD).join();
        OpenBehindXlator lazy = new OpenBehindXlator(XlatorConfig.of("ob2", OpenBehindXlator.TYPE.type(), Options.NONE,
                List.of(recorder)));
        Fd fd2 = DataBrick.fd(g, 0);
        lazy.open(C, Loc.of(g, "/f"), 0, fd2, HELD).join();
        read(lazy, fd2, 10, 0);
        assertEquals(2, seen.size());
        for (Xdata x : seen) assertFalse(x.has(OpenBehindXlator.CONTENT_HELD_KEY));
        ob.release(fd);
        lazy.release(fd2);
    }

    @Test
    void quickReadAboveServesSmallFilesWithoutAnyOpen() {
        OpenBehindXlator ob = obWith();
        QuickReadXlator qr = new QuickReadXlator(XlatorConfig.of("qr", QuickReadXlator.TYPE.type(), Options.NONE,
                List.of(ob)));
        Gfid g = brick.put(bytes("tiny file"));
        qr.lookup(C, Loc.of(g, "/f"), Xdata.EMPTY).join();
        Fd fd = open(qr, g, 0);
        assertArrayEquals(bytes("tiny file"), read(qr, fd, 4096, 0));
        qr.flush(C, fd, Xdata.EMPTY).join();
        qr.release(fd);
        assertEquals(List.of("lookup"), brick.calls());
    }
}
