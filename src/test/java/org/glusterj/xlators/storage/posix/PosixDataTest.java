package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.LkReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.junit.jupiter.api.Test;

class PosixDataTest extends BrickFixture {

    @Test
    void bigPositionalWritesAndReadsRoundTrip() throws Exception {
        byte[] data = new byte[8 << 20];
        new Random(42).nextBytes(data);
        Fd fd = create(Gfid.ROOT, "big");
        // Written back to front in 1 MiB pieces, read in 3 MiB pieces.
        for (int off = data.length - (1 << 20); off >= 0; off -= 1 << 20) {
            byte[] piece = java.util.Arrays.copyOfRange(data, off, off + (1 << 20));
            write(fd, piece, off);
        }
        java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
        for (long off = 0; ; off += 3 << 20) {
            byte[] got = read(fd, 3 << 20, off);
            if (got.length == 0) break;
            back.write(got);
        }
        assertArrayEquals(data, back.toByteArray());
        assertArrayEquals(data, Files.readAllBytes(brick.resolve("big")));
        assertEquals(data.length, ok(posix.fstat(ROOT, fd, null)).attr().size());
        assertEquals(0, read(fd, 100, data.length + 5L).length);
        posix.release(fd);
    }

    @Test
    void writevAcceptsHeapAndCompositeBuffers() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        ByteBuf heap = Unpooled.wrappedBuffer("heap-".getBytes());
        ok(posix.writev(ROOT, fd, heap, 0, 0, null));
        assertEquals(0, heap.refCnt());
        CompositeByteBuf comp = Unpooled.compositeBuffer();
        comp.addComponent(true, Unpooled.directBuffer().writeBytes("one-".getBytes()));
        comp.addComponent(true, Unpooled.wrappedBuffer("two".getBytes()));
        ChangeReply r = ok(posix.writev(ROOT, fd, comp, 5, 0, null));
        assertEquals(0, comp.refCnt());
        assertEquals(0, r.pre().size() - 5);
        assertEquals(12, r.post().size());
        assertEquals("heap-one-two", Files.readString(brick.resolve("f")));
        posix.release(fd);
    }

    @Test
    void appendWritesGoToTheEndAndTruncAtOpenEmpties() throws Exception {
        Fd fd = create(Gfid.ROOT, "log");
        write(fd, "0123456789".getBytes(), 0);
        Fd app = open(fd.gfid(), Sys.O_WRONLY | Sys.O_APPEND);
        write(app, "AB".getBytes(), 0);
        write(app, "CD".getBytes(), 3);
        assertEquals("0123456789ABCD", Files.readString(brick.resolve("log")));
        Fd trunc = open(fd.gfid(), Sys.O_WRONLY | Sys.O_TRUNC);
        assertEquals(0, ok(posix.fstat(ROOT, trunc, null)).attr().size());
        assertErrno(Errno.EBADF, posix.readv(ROOT, trunc, 10, 0, 0, null));
        posix.release(fd);
        posix.release(app);
        posix.release(trunc);
    }

    @Test
    void readReplyCarriesAttributesAndDirectMemory() {
        Fd fd = create(Gfid.ROOT, "f");
        write(fd, "abc".getBytes(), 0);
        ReadReply r = ok(posix.readv(ROOT, fd, 10, 1, 0, null));
        try {
            assertTrue(r.data().isDirect());
            assertEquals("bc", r.data().toString(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(fd.gfid(), r.attr().gfid());
            assertEquals(3, r.attr().size());
        } finally {
            r.data().release();
        }
        posix.release(fd);
    }

    @Test
    void truncateAndFtruncateReportBeforeAndAfter() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        write(fd, new byte[1000], 0);
        ChangeReply r = ok(posix.truncate(ROOT, byGfid(fd.gfid()), 10, null));
        assertEquals(1000, r.pre().size());
        assertEquals(10, r.post().size());
        r = ok(posix.ftruncate(ROOT, fd, 5000, null));
        assertEquals(10, r.pre().size());
        assertEquals(5000, Files.size(brick.resolve("f")));
        assertErrno(Errno.EISDIR, posix.truncate(ROOT, byGfid(Gfid.ROOT), 0, null));
        assertErrno(Errno.EINVAL, posix.ftruncate(ROOT, fd, -1, null));
        posix.release(fd);
    }

    @Test
    void aWriteOrTruncateAskedToClearsSetIdBitsAsLinuxDoes() throws Exception {
        Xdata kill = Xdata.of(PosixXlator.KILL_SETID_KEY, new byte[0]);
        Fd fd = create(Gfid.ROOT, "prog");
        Path onBrick = brick.resolve("prog");
        Files.setAttribute(onBrick, "unix:mode", 06755);
        write(fd, "root may keep them".getBytes(), 0);
        assertEquals(06755, mode(onBrick), "without the key the bits stay (a writer with CAP_FSETID)");
        ChangeReply r = ok(posix.writev(ROOT, fd, Unpooled.wrappedBuffer("x".getBytes()), 0, 0, kill));
        assertEquals(0755, mode(onBrick));
        assertEquals(0755, r.post().mode() & 07777, "the reply carries the cleared mode");

        Files.setAttribute(onBrick, "unix:mode", 02644);
        ok(posix.writev(ROOT, fd, Unpooled.wrappedBuffer("x".getBytes()), 0, 0, kill));
        assertEquals(02644, mode(onBrick), "set-group-ID without group execute is no set-group-ID program");

        Files.setAttribute(onBrick, "unix:mode", 06755);
        r = ok(posix.ftruncate(ROOT, fd, 1, kill));
        assertEquals(0755, r.post().mode() & 07777);
        Files.setAttribute(onBrick, "unix:mode", 06711);
        r = ok(posix.truncate(ROOT, byGfid(fd.gfid()), 0, kill));
        assertEquals(0711, mode(onBrick));
        assertEquals(0711, r.post().mode() & 07777);

        Files.setAttribute(onBrick, "unix:mode", 07755);
        ok(posix.writev(ROOT, fd, Unpooled.wrappedBuffer("x".getBytes()), 0, 0, kill));
        assertEquals(03755, mode(onBrick), "set-group-ID with sticky is distribute's mark of a file being moved");
        posix.release(fd);
    }

    private static int mode(Path p) throws java.io.IOException {
        return (Integer) Files.getAttribute(p, "unix:mode") & 07777;
    }

    @Test
    void fsyncFlushAndSeekThroughHoles() {
        Fd fd = create(Gfid.ROOT, "sparse");
        byte[] ones = new byte[64 << 10];
        java.util.Arrays.fill(ones, (byte) 1);
        write(fd, ones, 1 << 20);
        ok(posix.flush(ROOT, fd, null));
        ChangeReply s = ok(posix.fsync(ROOT, fd, false, null));
        assertEquals(s.pre().size(), s.post().size());
        ok(posix.fsync(ROOT, fd, true, null));
        assertEquals(1 << 20, ok(posix.seek(ROOT, fd, 0, 3, null)).offset());
        assertEquals(0, ok(posix.seek(ROOT, fd, 0, 4, null)).offset());
        assertEquals((1 << 20) + ones.length, ok(posix.seek(ROOT, fd, 1 << 20, 4, null)).offset());
        assertErrno(Errno.ENXIO, posix.seek(ROOT, fd, (2 << 20), 3, null));
        assertErrno(Errno.EINVAL, posix.seek(ROOT, fd, 0, 0, null));
        posix.release(fd);
    }

    @Test
    void fallocateDiscardAndZerofill() {
        Fd fd = create(Gfid.ROOT, "f");
        byte[] ones = new byte[256 << 10];
        java.util.Arrays.fill(ones, (byte) 7);
        write(fd, ones, 0);
        ChangeReply keep = ok(posix.fallocate(ROOT, fd, Sys.FALLOC_FL_KEEP_SIZE, 0, 4 << 20, null));
        assertEquals(ones.length, keep.post().size(), "KEEP_SIZE keeps the size");
        assertTrue(keep.post().blocks() > keep.pre().blocks());
        ChangeReply grow = ok(posix.fallocate(ROOT, fd, 0, 0, 1 << 20, null));
        assertEquals(1 << 20, grow.post().size());
        ok(posix.discard(ROOT, fd, 0, 64 << 10, null));
        assertArrayEquals(new byte[64 << 10], read(fd, 64 << 10, 0));
        assertEquals(7, read(fd, 1, 64 << 10)[0]);
        ChangeReply z = ok(posix.zerofill(ROOT, fd, 100 << 10, 8 << 10, null));
        assertEquals(1 << 20, z.post().size());
        assertArrayEquals(new byte[8 << 10], read(fd, 8 << 10, 100 << 10));
        assertEquals(7, read(fd, 1, (108 << 10))[0]);
        assertErrno(Errno.EINVAL, posix.fallocate(ROOT, fd, 0, 0, 0, null));
        posix.release(fd);
    }

    @Test
    void anonymousFdOpensByGfid() {
        Fd fd = create(Gfid.ROOT, "f");
        write(fd, "anon".getBytes(), 0);
        posix.release(fd);
        Fd anon = new Fd(new Inode(fd.gfid(), FileType.S_IFREG), Sys.O_RDWR, 0);
        assertEquals("anon", new String(read(anon, 10, 0)));
        posix.release(anon);
        Fd stale = new Fd(new Inode(Gfid.random(), FileType.S_IFREG), Sys.O_RDWR, 0);
        assertErrno(Errno.ESTALE, posix.readv(ROOT, stale, 10, 0, 0, null));
    }

    @Test
    void fileFopsOnDirectoriesAndDirectoryFopsOnFiles() {
        Gfid d = mkdir(Gfid.ROOT, "d");
        Fd dfd = new Fd(new Inode(d, FileType.S_IFDIR), 0, 1);
        ok(posix.opendir(ROOT, byGfid(d), dfd, null));
        assertErrno(Errno.EISDIR, posix.readv(ROOT, dfd, 10, 0, 0, null));
        ByteBuf b = Unpooled.directBuffer().writeByte(1);
        assertErrno(Errno.EISDIR, posix.writev(ROOT, dfd, b, 0, 0, null));
        assertEquals(0, b.refCnt(), "writev releases its buffer on failure too");
        ok(posix.fsyncdir(ROOT, dfd, false, null));
        posix.releasedir(dfd);
        Fd fd = create(Gfid.ROOT, "f");
        assertErrno(Errno.ENOTDIR, posix.readdir(ROOT, fd, 4096, 0, null));
        assertErrno(Errno.ENOTDIR, posix.opendir(ROOT, byGfid(fd.gfid()), new Fd(new Inode(fd.gfid(), 0), 0, 1), null));
        assertErrno(Errno.EISDIR, posix.open(ROOT, byGfid(d), Sys.O_RDWR, new Fd(new Inode(d, 0), 0, 1), null));
        posix.release(fd);
    }

    @Test
    void locksConflictBetweenFds() {
        Fd a = create(Gfid.ROOT, "f");
        Fd b = open(a.gfid(), Sys.O_RDWR);
        ok(posix.lk(ROOT, a, Flock.F_SETLK, new Flock(Flock.F_WRLCK, 0, 0, 100, 1, 11L), null));
        LkReply probe = ok(posix.lk(ROOT, b, Flock.F_GETLK, new Flock(Flock.F_WRLCK, 0, 50, 10, 2, 22L), null));
        assertEquals(Flock.F_WRLCK, probe.flock().type());
        assertEquals(0, probe.flock().start());
        assertErrno(Errno.EAGAIN, posix.lk(ROOT, b, Flock.F_SETLK, new Flock(Flock.F_WRLCK, 0, 50, 10, 2, 22L), null));
        ok(posix.lk(ROOT, b, Flock.F_SETLK, new Flock(Flock.F_WRLCK, 0, 200, 10, 2, 22L), null));
        ok(posix.lk(ROOT, a, Flock.F_SETLK, new Flock(Flock.F_UNLCK, 0, 0, 100, 1, 11L), null));
        assertEquals(Flock.F_UNLCK, ok(posix.lk(ROOT, b, Flock.F_GETLK,
                new Flock(Flock.F_WRLCK, 0, 50, 10, 2, 22L), null)).flock().type());
        posix.release(a);
        posix.release(b);
    }
}
