package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import jnr.ffi.LibraryLoader;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.xlators.performance.iothreads.IoThreadsXlator;
import org.junit.jupiter.api.Test;

/** readv with io-threads' NOWAIT: answered from the page cache, EAGAIN when it would wait for the disk. */
class PosixCachedReadTest extends BrickFixture {
    private static final Xdata NOWAIT = Xdata.of(IoThreadsXlator.NOWAIT, new byte[0]);

    /** posix_fadvise, to push a file's pages out of the page cache. */
    public interface Fadvise {
        int posix_fadvise(int fd, long offset, long len, int advice);
    }

    private static final Fadvise FADVISE = LibraryLoader.create(Fadvise.class).load("c");
    private static final int POSIX_FADV_DONTNEED = 4;

    private byte[] readNowait(Fd fd, int size, long offset) {
        ReadReply r = ok(posix.readv(ROOT, fd, size, offset, 0, NOWAIT));
        try {
            byte[] out = new byte[r.data().readableBytes()];
            r.data().getBytes(r.data().readerIndex(), out);
            return out;
        } finally {
            r.data().release();
        }
    }

    @Test
    void cachedDataIsReadWithNowaitUpToTheEndOfTheFile() {
        byte[] data = "just written, so in the page cache".getBytes(StandardCharsets.UTF_8);
        Fd fd = create(Gfid.ROOT, "f");
        write(fd, data, 0);
        assertArrayEquals(data, readNowait(fd, 4096, 0));
        assertEquals(0, readNowait(fd, 4096, data.length).length);
    }

    @Test
    void dataOnlyOnDiskIsEagainWithNowaitAndReadWithout() throws InterruptedException {
        byte[] data = new byte[64 * 1024];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31);
        Fd fd = create(Gfid.ROOT, "f");
        write(fd, data, 0);
        OpenFile of = fd.ctx(posix);
        Sys.check(Sys.C.fsync(of.fd), "fsync");
        // Freshly written pages can sit in per-CPU LRU batches that DONTNEED skips: ask again until they go.
        Errno nowait = null;
        for (int attempt = 0; attempt < 100 && nowait != Errno.EAGAIN; attempt++) {
            Sys.check(FADVISE.posix_fadvise(of.fd, 0, 0, POSIX_FADV_DONTNEED), "fadvise");
            CompletableFuture<ReadReply> r = posix.readv(ROOT, fd, 4096, 32 * 1024, 0, NOWAIT);
            if (r.isCompletedExceptionally()) {
                nowait = err(r);
            } else {
                r.join().data().release();
                Thread.sleep(20);
            }
        }
        assertEquals(Errno.EAGAIN, nowait, "a read of evicted pages with NOWAIT");
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 32 * 1024, 36 * 1024), read(fd, 4096, 32 * 1024));
    }
}
