package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.performance.iothreads.IoThreadsXlator;
import org.junit.jupiter.api.Test;

/**
 * A release (or releasedir, or a disconnect releasing every fd of a client) can run while a fop
 * on the same fd is still running or not yet started: protocol/server handles the release on its
 * event loop and io-threads runs the fop on a pool thread. Neither order may leave a native fd
 * open for good, nor let a fop use a descriptor number after it was closed (it may belong to
 * another file by then). The interleavings are driven directly on storage/posix.
 */
class PosixFdLifetimeTest extends BrickFixture {

    @Test
    void aWriteRunningWhenItsFdIsReleasedLandsInItsOwnFile() throws Exception {
        Fd a = create(Gfid.ROOT, "a");
        int number = nativeFd(a);
        PausingBuf data = new PausingBuf("late write".getBytes());
        CompletableFuture<ChangeReply> write =
                CompletableFuture.supplyAsync(() -> ok(posix.writev(ROOT, a, data, 0, 0, null)));
        assertTrue(data.entered.await(10, TimeUnit.SECONDS), "the write reached the native call");

        posix.release(a);
        // Open other files until one gets the released number (the kernel hands out the lowest
        // free one), or give up: with the number still held by the running write, none may.
        List<Fd> others = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            Fd b = create(Gfid.ROOT, "b" + i);
            others.add(b);
            if (nativeFd(b) == number) break;
        }
        data.go.countDown();
        write.get(10, TimeUnit.SECONDS);

        for (int i = 0; i < others.size(); i++) {
            assertEquals(0, Files.size(brick.resolve("b" + i)), "b" + i + " got the write meant for a");
        }
        assertArrayEquals("late write".getBytes(), Files.readAllBytes(brick.resolve("a")));
        assertEquals(0, descriptorsOf(brick.resolve("a")), "a's descriptor is closed once the write is done");
        for (Fd b : others) posix.release(b);
    }

    @Test
    void aReaddirpArrivingAfterReleasedirOpensNothing() throws IOException {
        Gfid d = mkdir(Gfid.ROOT, "d");
        posix.release(create(d, "f"));
        // The brick's directory cache may hold a descriptor of d of its own.
        int cached = descriptorsOf(brick.resolve("d"));
        Fd dir = new Fd(new Inode(d, FileType.S_IFDIR), 0, 1);
        ok(posix.opendir(ROOT, byGfid(d), dir, null));
        assertEquals(cached + 1, descriptorsOf(brick.resolve("d")));

        posix.releasedir(dir);
        // io-threads' pool picked up the readdirp queued before the release only now.
        assertErrno(Errno.EBADF, posix.readdirp(ROOT, dir, 4096, 0, null));
        assertErrno(Errno.EBADF, posix.readdir(ROOT, dir, 4096, 0, null));
        assertErrno(Errno.EBADF, posix.fstat(ROOT, dir, null));
        assertEquals(cached, descriptorsOf(brick.resolve("d")), "no descriptor of d is left open");
    }

    @Test
    void fileFopsArrivingAfterReleaseOpenNothing() throws IOException {
        Fd f = create(Gfid.ROOT, "f");
        write(f, "x".getBytes(), 0);
        posix.release(f);
        assertErrno(Errno.EBADF, posix.readv(ROOT, f, 10, 0, 0, null));
        assertErrno(Errno.EBADF, posix.fstat(ROOT, f, null));
        assertErrno(Errno.EBADF, posix.fsync(ROOT, f, false, null));
        assertEquals(0, descriptorsOf(brick.resolve("f")), "no descriptor of f is left open");
        posix.release(f); // a second release (a disconnect racing a client's own) is harmless
    }

    @Test
    void aReleaseOfAnFdNeverUsedHereLeavesItUnusable() throws IOException {
        Fd f = create(Gfid.ROOT, "f");
        posix.release(f);
        Fd never = new Fd(new Inode(f.gfid(), FileType.S_IFREG), Sys.O_RDWR, 0);
        posix.release(never);
        assertErrno(Errno.EBADF, posix.readv(ROOT, never, 10, 0, 0, null));
        assertEquals(0, descriptorsOf(brick.resolve("f")));
    }

    @Test
    void aReaddirRunningAtReleasedirKeepsTheStreamUntilItIsDone() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "d");
        posix.release(create(d, "f"));
        Fd dir = new Fd(new Inode(d, FileType.S_IFDIR), 0, 1);
        ok(posix.opendir(ROOT, byGfid(d), dir, null));
        int whileOpen = descriptorsOf(brick.resolve("d"));
        OpenFile of = posix.acquire(dir); // as a fop running on another thread does
        posix.releasedir(dir);
        // The running fop's reference keeps the number: it still names d.
        assertEquals(whileOpen, descriptorsOf(brick.resolve("d")));
        assertEquals(d, of.iatt().gfid());
        DirReader plain = new DirReader(null /* no attributes: no lookups */, of, false);
        assertEquals(Set.of(".", "..", "f"), names(plain.read(4096, 0)));
        assertErrno(Errno.EBADF, posix.fstat(ROOT, dir, null));
        posix.done(of);
        assertEquals(whileOpen - 1, descriptorsOf(brick.resolve("d")), "the last user closed it");
    }

    private static Set<String> names(List<Dirent> entries) {
        Set<String> out = new HashSet<>();
        for (Dirent e : entries) out.add(e.name());
        return out;
    }

    @Test
    void releasesThroughIoThreadsRacingTheirFopsLeaveNoDescriptor() throws Exception {
        IoThreadsXlator iot = new IoThreadsXlator(XlatorConfig.of("iot", IoThreadsXlator.TYPE.type(),
                Options.of("thread-count", "4", "inline-read-size", "0"), List.of(posix)));
        try {
            Gfid d = mkdir(Gfid.ROOT, "d");
            Fd f = create(d, "f");
            write(f, "0123456789".getBytes(), 0);
            posix.release(f);
            int dirsBefore = descriptorsOf(brick.resolve("d"));
            List<CompletableFuture<?>> fops = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                // As protocol/server does: the fops are queued on the pool, the release right after
                // them (a client's read-ahead in flight at close, or a disconnect).
                Fd file = open(f.gfid(), Sys.O_RDWR);
                fops.add(iot.readv(ROOT, file, 10, 0, 0, null).thenAccept(r -> {
                    try {
                        assertEquals("0123456789", r.data().toString(StandardCharsets.US_ASCII), "read f itself");
                    } finally {
                        r.data().release();
                    }
                }));
                fops.add(iot.fstat(ROOT, file, null));
                Fd dir = new Fd(new Inode(d, FileType.S_IFDIR), 0, 1);
                ok(posix.opendir(ROOT, byGfid(d), dir, null));
                fops.add(iot.readdirp(ROOT, dir, 4096, 0, null));
                iot.release(file);
                iot.releasedir(dir);
            }
            for (CompletableFuture<?> fop : fops) {
                try {
                    fop.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertEquals(Errno.EBADF, FopException.errnoOf(e), "a fop after its release fails only with EBADF");
                }
            }
            // The releases are queued on the pool behind the fops; their closes follow.
            awaitDescriptors(brick.resolve("d").resolve("f"), 0);
            awaitDescriptors(brick.resolve("d"), dirsBefore);
            assertEquals(0, descriptorsOf(brick.resolve("d").resolve("f")), "every descriptor of f was closed");
            assertTrue(descriptorsOf(brick.resolve("d")) <= dirsBefore, "every descriptor of d was closed");
        } finally {
            iot.fini();
        }
    }

    /** Waits (up to 30 s) until at most {@code most} descriptors are open on {@code p}. */
    private static void awaitDescriptors(Path p, int most) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (descriptorsOf(p) > most && System.nanoTime() - deadline < 0) Thread.sleep(10);
    }

    /** storage/posix's native descriptor of an open fd (its state is package-visible). */
    private int nativeFd(Fd fd) {
        OpenFile of = fd.ctx(posix);
        return of.fd;
    }

    /** How many of this process's descriptors are open on {@code p}. */
    private static int descriptorsOf(Path p) throws IOException {
        Path target = p.toRealPath();
        int n = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) n++;
                } catch (IOException gone) {
                    // closed while listing (the listing's own descriptor, or another thread's)
                }
            }
        }
        return n;
    }

    /** Heap data whose bytes are handed to the native write only once the test lets them go. */
    private static final class PausingBuf extends UnpooledHeapByteBuf {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);

        PausingBuf(byte[] content) {
            super(ByteBufAllocator.DEFAULT, content.length, content.length);
            writeBytes(content);
        }

        @Override
        public ByteBuffer[] nioBuffers() {
            entered.countDown();
            try {
                if (!go.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("never let go");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return super.nioBuffers();
        }
    }
}
