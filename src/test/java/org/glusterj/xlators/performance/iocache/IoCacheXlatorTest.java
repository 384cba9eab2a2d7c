package org.glusterj.xlators.performance.iocache;

import static org.glusterj.xlators.performance.testing.Reads.C;
import static org.glusterj.xlators.performance.testing.Reads.errnoOf;
import static org.glusterj.xlators.performance.testing.Reads.read;
import static org.glusterj.xlators.performance.testing.Reads.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.performance.testing.DataBrick;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class IoCacheXlatorTest {
    private static final int PAGE = IoCacheXlator.PAGE_SIZE;
    private final DataBrick brick = new DataBrick();
    private final AtomicLong now = new AtomicLong(7_000_000_000L);
    private IoCacheXlator ioc;

    private IoCacheXlator ioc(String... options) {
        ioc = new IoCacheXlator(XlatorConfig.of("ioc", IoCacheXlator.TYPE.type(), Options.of(options), List.of(brick)),
                now::get);
        return ioc;
    }

    private Fd open(Gfid g, int flags) {
        Fd fd = DataBrick.fd(g, flags);
        ioc.open(C, Loc.of(g, "/f"), flags, fd, Xdata.EMPTY).join();
        return fd;
    }

    private void advanceSeconds(double s) {
        now.addAndGet((long) (s * TimeUnit.SECONDS.toNanos(1)));
    }

    private static byte[] random(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] range(byte[] b, long from, int len) {
        int f = (int) Math.min(from, b.length);
        return Arrays.copyOfRange(b, f, Math.min(b.length, f + len));
    }

    @AfterEach
    void finiLeaksNothing() {
        ioc.fini();
        assertEquals(0, ioc.cachedBytes());
        assertEquals(0, brick.unreleasedBuffers(), "page buffers not released");
    }

    @Test
    void pagesReadOnceAreServedFromMemory() {
        ioc();
        byte[] content = random(300_000, 1);
        Fd fd = open(brick.put(content), 0);
        assertArrayEquals(range(content, 0, PAGE), read(ioc, fd, PAGE, 0));
        assertArrayEquals(range(content, 0, PAGE), read(ioc, fd, PAGE, 0));
        assertEquals(1, brick.count("readv"));
        assertArrayEquals(range(content, 100_000, 100_000), read(ioc, fd, 100_000, 100_000));
        assertEquals(2, brick.count("readv"), "only the second page was missing");
        assertArrayEquals(range(content, 5, 10), read(ioc, fd, 10, 5));
        assertEquals(2, brick.count("readv"));
    }

    @Test
    void readsAtAndPastTheEndOfFile() {
        ioc();
        byte[] content = random(1000, 2);
        Fd fd = open(brick.put(content), 0);
        assertArrayEquals(content, read(ioc, fd, 4096, 0));
        assertArrayEquals(new byte[0], read(ioc, fd, 4096, 1000));
        assertArrayEquals(range(content, 990, 10), read(ioc, fd, 4096, 990));
        assertArrayEquals(new byte[0], read(ioc, fd, 300_000, 5000));
        assertEquals(1, brick.count("readv"));
        byte[] twoPages = random(PAGE + 10, 3);
        Fd two = open(brick.put(twoPages), 0);
        assertArrayEquals(twoPages, read(ioc, two, 3 * PAGE, 0), "a read over the short last page");
    }

    @Test
    void ownWriteThroughAnotherFdIsSeenAtOnce() {
        ioc();
        byte[] content = random(2 * PAGE, 4);
        Gfid g = brick.put(content);
        Fd reader = open(g, 0);
        Fd writer = open(g, 2);
        read(ioc, reader, 2 * PAGE, 0);
        write(ioc, writer, new byte[] {9, 9}, PAGE + 1);
        byte[] expected = content.clone();
        expected[PAGE + 1] = 9;
        expected[PAGE + 2] = 9;
        assertArrayEquals(expected, read(ioc, reader, 2 * PAGE, 0));
    }

    @Test
    void truncateIsSeenAtOnce() {
        ioc();
        byte[] content = random(2 * PAGE, 5);
        Gfid g = brick.put(content);
        Fd fd = open(g, 2);
        read(ioc, fd, 2 * PAGE, 0);
        ioc.truncate(C, Loc.of(g, "/f"), 100, Xdata.EMPTY).join();
        assertArrayEquals(range(content, 0, 100), read(ioc, fd, 2 * PAGE, 0));
        ioc.ftruncate(C, fd, 10, Xdata.EMPTY).join();
        assertArrayEquals(range(content, 0, 10), read(ioc, fd, 2 * PAGE, 0));
    }

    @Test
    void afterTheTimeoutAChangeElsewhereIsFoundBySizeAndMtime() {
        ioc("cache-timeout", "1");
        byte[] v1 = random(PAGE, 6);
        Gfid g = brick.put(v1);
        Fd fd = open(g, 0);
        read(ioc, fd, PAGE, 0);
        advanceSeconds(1.5);
        assertArrayEquals(v1, read(ioc, fd, PAGE, 0), "unchanged: one fstat, no read");
        assertEquals(1, brick.count("fstat"));
        assertEquals(1, brick.count("readv"));

        byte[] v2 = random(PAGE, 7);
        brick.write(g, v2);
        advanceSeconds(0.5);
        assertArrayEquals(v1, read(ioc, fd, PAGE, 0), "within the timeout the cache is trusted");
        advanceSeconds(0.6);
        assertArrayEquals(v2, read(ioc, fd, PAGE, 0));
        assertEquals(2, brick.count("fstat"));
        assertEquals(2, brick.count("readv"));
    }

    @Test
    void upcallDropsThePages() {
        ioc();
        byte[] v1 = random(1000, 8);
        Gfid g = brick.put(v1);
        Fd fd = open(g, 0);
        read(ioc, fd, 1000, 0);
        byte[] v2 = random(1000, 9);
        brick.write(g, v2);
        ioc.upcall(new Upcall(g, Upcall.DATA, null), brick);
        assertArrayEquals(v2, read(ioc, fd, 1000, 0));
    }

    @Test
    void aReconnectOrALostBrickDropsEveryFilesPages() {
        ioc();
        Gfid a = brick.put(random(1000, 12));
        Gfid b = brick.put(random(1000, 13));
        read(ioc, open(a, 0), 1000, 0);
        read(ioc, open(b, 0), 1000, 0);
        assertEquals(2000, ioc.cachedBytes());
        ioc.upcall(Upcall.everything(), brick);
        assertEquals(0, ioc.cachedBytes(), "the notices of the time a brick was away are lost");
        read(ioc, open(a, 0), 1000, 0);
        assertEquals(1000, ioc.cachedBytes());
        ioc.notify(Event.SOME_DESCENDENT_DOWN, brick);
        assertEquals(0, ioc.cachedBytes(), "what a lost brick held is not served from memory");
    }

    @Test
    void cacheSizeBoundsMemory() {
        ioc("cache-size", "4MB");
        byte[] content = random(8 << 20, 10);
        Fd fd = open(brick.put(content), 0);
        for (int off = 0; off < content.length; off += PAGE) {
            assertArrayEquals(range(content, off, PAGE), read(ioc, fd, PAGE, off));
            assertTrue(ioc.cachedBytes() <= 4 << 20);
        }
        assertEquals(4 << 20, ioc.cachedBytes());
        int before = brick.count("readv");
        read(ioc, fd, PAGE, content.length - PAGE);
        assertEquals(before, brick.count("readv"), "the most recent pages stayed");
        read(ioc, fd, PAGE, 0);
        assertEquals(before + 1, brick.count("readv"), "the oldest went");
    }

    @Test
    void filesOutsideTheSizeLimitsAreNotCached() {
        ioc("max-file-size", "500");
        byte[] content = random(1000, 11);
        Fd fd = open(brick.put(content), 0);
        read(ioc, fd, 1000, 0);
        read(ioc, fd, 1000, 0);
        assertEquals(2, brick.count("readv"));
        assertEquals(0, ioc.cachedBytes());
    }

    @Test
    void forgetAndFailedReads() {
        ioc();
        byte[] content = random(1000, 12);
        Gfid g = brick.put(content);
        Fd fd = open(g, 0);
        read(ioc, fd, 1000, 0);
        ioc.forget(new Inode(g, FileType.S_IFREG));
        assertEquals(0, ioc.cachedBytes());
        Fd notOpened = DataBrick.fd(brick.put(content), 0);
        assertEquals(Errno.EBADF, errnoOf(ioc.readv(C, notOpened, 3 * PAGE, 0, 0, Xdata.EMPTY)));
    }

    @Test
    void concurrentReadersSeeTheRightBytes() throws Exception {
        ioc();
        byte[] content = random(1 << 20, 13);
        Fd fd = open(brick.put(content), 0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                all.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int i = 0; i < 300; i++) {
                        int off = r.nextInt(content.length);
                        int len = 1 + r.nextInt(3 * PAGE);
                        assertArrayEquals(range(content, off, len), read(ioc, fd, len, off));
                    }
                }));
            }
            for (Future<?> f : all) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertTrue(ioc.cachedBytes() <= content.length);
    }
}
