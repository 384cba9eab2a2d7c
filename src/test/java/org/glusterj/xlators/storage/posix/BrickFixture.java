package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/** A fresh brick directory under target/ with a PosixXlator on it, and shorthands for fops. */
abstract class BrickFixture {
    static final Caller ROOT = Caller.ROOT;
    static final Path BRICKS = Path.of("target", "test-bricks").toAbsolutePath();

    Path brick;
    PosixXlator posix;

    @BeforeEach
    void setUpBrick(TestInfo info) throws IOException {
        Files.createDirectories(BRICKS);
        brick = Files.createTempDirectory(BRICKS, getClass().getSimpleName() + "-"
                + info.getTestMethod().map(m -> m.getName()).orElse("x") + "-");
        posix = newXlator(brick);
    }

    @AfterEach
    void tearDownBrick() throws IOException {
        if (posix != null) posix.fini();
        deleteTree(brick);
    }

    static PosixXlator newXlator(Path dir) {
        return new PosixXlator(XlatorConfig.of("test-posix", "storage/posix",
                Options.of("directory", dir.toString()), List.of()));
    }

    static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }

    static <T> T ok(CompletableFuture<T> f) {
        return f.join();
    }

    static Errno err(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return FopException.errnoOf(e);
    }

    static void assertErrno(Errno expected, CompletableFuture<?> f) {
        assertEquals(expected, err(f));
    }

    static Loc entry(Gfid parent, String name) {
        return Loc.entry(parent, name, null);
    }

    static Loc newEntry(Gfid parent, String name, Gfid gfid) {
        return new Loc(gfid, parent, name, null);
    }

    static Loc byGfid(Gfid g) {
        return Loc.of(g, null);
    }

    Gfid mkdir(Gfid parent, String name) {
        Gfid g = Gfid.random();
        ok(posix.mkdir(ROOT, newEntry(parent, name, g), 0755, 022, null));
        return g;
    }

    /** Creates (O_RDWR) and returns the open fd. */
    Fd create(Gfid parent, String name) {
        return create(parent, name, Gfid.random(), Sys.O_RDWR);
    }

    Fd create(Gfid parent, String name, Gfid g, int flags) {
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), flags, 1);
        ok(posix.create(ROOT, newEntry(parent, name, g), flags | Sys.O_CREAT, 0644, 022, fd, null));
        return fd;
    }

    Fd open(Gfid g, int flags) {
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), flags, 1);
        ok(posix.open(ROOT, byGfid(g), flags, fd, null));
        return fd;
    }

    void write(Fd fd, byte[] data, long offset) {
        ByteBuf b = Unpooled.directBuffer(Math.max(1, data.length)).writeBytes(data);
        ok(posix.writev(ROOT, fd, b, offset, 0, null));
        assertEquals(0, b.refCnt(), "writev releases its buffer");
    }

    byte[] read(Fd fd, int size, long offset) {
        ReadReply r = ok(posix.readv(ROOT, fd, size, offset, 0, null));
        try {
            byte[] out = new byte[r.data().readableBytes()];
            r.data().getBytes(r.data().readerIndex(), out);
            return out;
        } finally {
            r.data().release();
        }
    }

    Path handle(Gfid g) {
        String s = g.toString();
        return brick.resolve(".glusterfs").resolve(s.substring(0, 2)).resolve(s.substring(2, 4)).resolve(s);
    }

    static Gfid gfidOnDisk(Path p) {
        byte[] b = Sys.lgetxattr(p.toString(), "trusted.gfid");
        return b == null ? null : Gfid.fromBytes(b);
    }

    static long ino(Path p) throws IOException {
        return (Long) Files.getAttribute(p, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    static int nlinkOnDisk(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:nlink", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }
}
