package org.glusterj.xlators.performance.readahead;

import static org.glusterj.xlators.performance.testing.Reads.C;
import static org.glusterj.xlators.performance.testing.Reads.bytesOf;
import static org.glusterj.xlators.performance.testing.Reads.errnoOf;
import static org.glusterj.xlators.performance.testing.Reads.read;
import static org.glusterj.xlators.performance.testing.Reads.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.performance.testing.DataBrick;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReadAheadXlatorTest {
    private static final int PAGE = 4096;
    private final DataBrick brick = new DataBrick();
    private final List<Fd> fds = new ArrayList<>();
    private ReadAheadXlator ra;

    private ReadAheadXlator ra(String... options) {
        ra = new ReadAheadXlator(XlatorConfig.of("ra", ReadAheadXlator.TYPE.type(), Options.of(options), List.of(brick)));
        return ra;
    }

    private Fd open(Gfid g, int flags) {
        Fd fd = DataBrick.fd(g, flags);
        ra.open(C, Loc.of(g, "/f"), flags, fd, Xdata.EMPTY).join();
        fds.add(fd);
        return fd;
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
    void releasedFdsLeakNothing() {
        for (Fd fd : fds) ra.release(fd);
        assertEquals(0, brick.unreleasedBuffers(), "page buffers not released");
    }

    @Test
    void sequentialReadsAreAnsweredFromPagesFetchedAhead() {
        ra("page-size", "4KB", "page-count", "2");
        byte[] content = random(64 * 1024, 1);
        Fd fd = open(brick.put(content), 0);
        assertArrayEquals(range(content, 0, PAGE), read(ra, fd, PAGE, 0));
        assertEquals(3, brick.count("readv"), "its own page and two ahead");
        for (int i = 1; i < 16; i++) {
            assertArrayEquals(range(content, (long) i * PAGE, PAGE), read(ra, fd, PAGE, (long) i * PAGE));
        }
        assertEquals(16, brick.count("readv"), "every page fetched once, none past the end");
        assertArrayEquals(new byte[0], read(ra, fd, PAGE, 16 * PAGE));
    }

    @Test
    void pagesAheadAreFetchedInParallel() {
        ra("page-size", "4KB", "page-count", "4");
        byte[] content = random(64 * 1024, 2);
        Fd fd = open(brick.put(content), 0);
        brick.holdReads(true);
        CompletableFuture<ReadReply> first = ra.readv(C, fd, PAGE, 0, 0, Xdata.EMPTY);
        assertFalse(first.isDone());
        brick.holdReads(false);
        assertEquals(5, brick.releaseReads(), "all five fetches were in flight together");
        assertArrayEquals(range(content, 0, PAGE), bytesOf(first));
        assertArrayEquals(range(content, PAGE, 2 * PAGE), read(ra, fd, 2 * PAGE, PAGE));
    }

    @Test
    void readsThatArriveOutOfOrderAreStillSequential() {
        ra("page-size", "4KB", "page-count", "4");
        byte[] content = random(64 * 1024, 3);
        Fd fd = open(brick.put(content), 0);
        brick.holdReads(true);
        CompletableFuture<ReadReply> a = ra.readv(C, fd, PAGE, 0, 0, Xdata.EMPTY);
        CompletableFuture<ReadReply> c = ra.readv(C, fd, PAGE, 2 * PAGE, 0, Xdata.EMPTY);
        CompletableFuture<ReadReply> b = ra.readv(C, fd, PAGE, PAGE, 0, Xdata.EMPTY);
        brick.holdReads(false);
        brick.releaseReads();
        assertArrayEquals(range(content, 2 * PAGE, PAGE), bytesOf(c));
        assertArrayEquals(range(content, PAGE, PAGE), bytesOf(b));
        assertArrayEquals(range(content, 0, PAGE), bytesOf(a));
        assertEquals(7, brick.count("readv"), "pages 0 to 6, each once");
    }

    @Test
    void aReadElsewhereDropsThePagesAndGoesDown() {
        ra("page-size", "4KB", "page-count", "4");
        byte[] content = random(128 * 1024, 4);
        Fd fd = open(brick.put(content), 0);
        read(ra, fd, PAGE, 0);
        assertEquals(5, ra.pagesOf(fd));
        int before = brick.count("readv");
        assertArrayEquals(range(content, 100_000, 1000), read(ra, fd, 1000, 100_000)); // far beyond the window
        assertEquals(before + 1, brick.count("readv"));
        assertEquals(0, ra.pagesOf(fd));
        // …and reading on from there is sequential again.
        assertArrayEquals(range(content, 101_000, PAGE), read(ra, fd, PAGE, 101_000));
        assertTrue(ra.pagesOf(fd) > 1);
    }

    @Test
    void aReadSpanningPagesIsAssembled() {
        ra("page-size", "4KB", "page-count", "4");
        byte[] content = random(40_000, 5);
        Fd fd = open(brick.put(content), 0);
        read(ra, fd, 100, 0);
        assertArrayEquals(range(content, 100, 10_000), read(ra, fd, 10_000, 100));
        assertArrayEquals(range(content, 10_100, 40_000), read(ra, fd, 40_000, 10_100), "short at end of file");
    }

    @Test
    void writeThroughAnotherFdIsSeenByTheReader() {
        ra("page-size", "4KB", "page-count", "4");
        byte[] content = random(32 * 1024, 6);
        Gfid g = brick.put(content);
        Fd reader = open(g, 0);
        Fd writer = open(g, 2);
        read(ra, reader, PAGE, 0);
        write(ra, writer, new byte[] {1, 2, 3}, PAGE);
        byte[] expected = range(content, PAGE, PAGE);
        expected[0] = 1;
        expected[1] = 2;
        expected[2] = 3;
        assertArrayEquals(expected, read(ra, reader, PAGE, PAGE));
    }

    @Test
    void truncateAndZerofillAreSeenByTheReader() {
        ra("page-size", "4KB", "page-count", "4");
        byte[] content = random(32 * 1024, 7);
        Gfid g = brick.put(content);
        Fd fd = open(g, 2);
        read(ra, fd, PAGE, 0);
        ra.truncate(C, Loc.of(g, "/f"), PAGE + 10, Xdata.EMPTY).join();
        assertArrayEquals(range(content, PAGE, 10), read(ra, fd, PAGE, PAGE));
        ra.zerofill(C, fd, 0, PAGE, Xdata.EMPTY).join();
        assertArrayEquals(new byte[PAGE], read(ra, fd, PAGE, 0));
    }

    @Test
    void upcallDropsPagesChangedElsewhere() {
        ra("page-size", "4KB", "page-count", "4");
        byte[] content = random(32 * 1024, 8);
        Gfid g = brick.put(content);
        Fd fd = open(g, 0);
        read(ra, fd, PAGE, 0);
        byte[] changed = random(32 * 1024, 9);
        brick.write(g, changed);
        ra.upcall(new Upcall(g, Upcall.DATA, null), brick);
        assertEquals(0, ra.pagesOf(fd));
        assertArrayEquals(range(changed, PAGE, PAGE), read(ra, fd, PAGE, PAGE));
    }

    @Test
    void failedFetchesReportTheErrorOfTheRead() {
        ra();
        Gfid g = brick.put(random(1 << 20, 10));
        Fd notOpened = DataBrick.fd(g, 0);
        fds.add(notOpened);
        assertEquals(Errno.EBADF, errnoOf(ra.readv(C, notOpened, 4096, 0, 0, Xdata.EMPTY)));
        assertEquals(0, ra.pagesOf(notOpened));
    }

    @Test
    void defaultPagesAre128KiB() {
        ra();
        byte[] content = random(1 << 20, 11);
        Fd fd = open(brick.put(content), 0);
        for (int off = 0; off < content.length; off += 128 * 1024) {
            assertArrayEquals(range(content, off, 128 * 1024), read(ra, fd, 128 * 1024, off));
        }
        assertEquals(8, brick.count("readv"));
    }
}
