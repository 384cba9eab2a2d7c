package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.RenameReply;
import org.junit.jupiter.api.Test;

class PosixNamespaceTest extends BrickFixture {

    @Test
    void unlinkRemovesNameAndHandle() {
        Fd fd = create(Gfid.ROOT, "f");
        posix.release(fd);
        ok(posix.unlink(ROOT, entry(Gfid.ROOT, "f"), 0, null));
        assertFalse(Files.exists(brick.resolve("f")));
        assertFalse(Files.exists(handle(fd.gfid()), LinkOption.NOFOLLOW_LINKS));
        assertErrno(Errno.ESTALE, posix.stat(ROOT, byGfid(fd.gfid()), null));
        assertErrno(Errno.ENOENT, posix.unlink(ROOT, entry(Gfid.ROOT, "f"), 0, null));
        Gfid d = mkdir(Gfid.ROOT, "d");
        assertErrno(Errno.EISDIR, posix.unlink(ROOT, entry(Gfid.ROOT, "d"), 0, null));
        assertTrue(Files.isDirectory(brick.resolve("d")));
        assertEquals(d, gfidOnDisk(brick.resolve("d")));
    }

    @Test
    void aLocWhoseGfidNoLongerHasTheNameMovesOrRemovesNothing() {
        Fd old = create(Gfid.ROOT, "f");
        posix.release(old);
        Fd other = create(Gfid.ROOT, "g");
        posix.release(other);
        // Another client renamed g over f after this one looked f up: f now names g's object.
        ok(posix.rename(ROOT, entry(Gfid.ROOT, "g"), entry(Gfid.ROOT, "f"), null));
        Loc stale = new Loc(old.gfid(), Gfid.ROOT, "f", "/f");
        assertErrno(Errno.ESTALE, posix.unlink(ROOT, stale, 0, null));
        assertErrno(Errno.ESTALE, posix.rename(ROOT, stale, entry(Gfid.ROOT, "h"), null));
        assertTrue(Files.exists(brick.resolve("f")));
        assertFalse(Files.exists(brick.resolve("h")));
        assertEquals(other.gfid(), gfidOnDisk(brick.resolve("f")));
        ok(posix.unlink(ROOT, new Loc(other.gfid(), Gfid.ROOT, "f", "/f"), 0, null));
        assertFalse(Files.exists(brick.resolve("f")));
    }

    @Test
    void unlinkWhileOpenKeepsDataUntilRelease() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        Gfid g = fd.gfid();
        write(fd, "still here".getBytes(), 0);
        ok(posix.unlink(ROOT, entry(Gfid.ROOT, "f"), 0, null));
        assertFalse(Files.exists(brick.resolve("f")));
        Path parked = brick.resolve(".glusterfs/unlink/" + g);
        assertTrue(Files.exists(parked));
        assertEquals("still here", new String(read(fd, 100, 0)));
        write(fd, "!".getBytes(), 10);
        Iatt byGfid = ok(posix.stat(ROOT, byGfid(g), null)).attr();
        assertEquals(0, byGfid.nlink());
        assertEquals(11, byGfid.size());
        Fd second = open(g, Sys.O_RDONLY);
        assertEquals("still here!", new String(read(second, 100, 0)));
        posix.release(fd);
        assertTrue(Files.exists(parked), "another fd is still open");
        posix.release(second);
        assertFalse(Files.exists(parked));
        assertErrno(Errno.ESTALE, posix.stat(ROOT, byGfid(g), null));
    }

    @Test
    void linkRevivesAnUnlinkedOpenFile() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        write(fd, "x".getBytes(), 0);
        ok(posix.unlink(ROOT, entry(Gfid.ROOT, "f"), 0, null));
        ok(posix.link(ROOT, byGfid(fd.gfid()), entry(Gfid.ROOT, "g"), null));
        posix.release(fd);
        assertEquals("x", Files.readString(brick.resolve("g")));
        assertEquals(ino(brick.resolve("g")), ino(handle(fd.gfid())));
        assertEquals(1, ok(posix.stat(ROOT, byGfid(fd.gfid()), null)).attr().nlink());
    }

    @Test
    void rmdirRefusesNonEmptyAndRemovesHandle() {
        Gfid d = mkdir(Gfid.ROOT, "d");
        Fd fd = create(d, "f");
        posix.release(fd);
        assertErrno(Errno.ENOTEMPTY, posix.rmdir(ROOT, entry(Gfid.ROOT, "d"), 0, null));
        assertErrno(Errno.ENOTDIR, posix.rmdir(ROOT, entry(d, "f"), 0, null));
        ok(posix.unlink(ROOT, entry(d, "f"), 0, null));
        ok(posix.rmdir(ROOT, entry(Gfid.ROOT, "d"), 0, null));
        assertFalse(Files.exists(brick.resolve("d")));
        assertFalse(Files.exists(handle(d), LinkOption.NOFOLLOW_LINKS));
        assertErrno(Errno.ESTALE, posix.stat(ROOT, byGfid(d), null));
    }

    @Test
    void renameFileOverExistingDropsVictimHandle() throws Exception {
        Fd a = create(Gfid.ROOT, "a");
        write(a, "A".getBytes(), 0);
        Fd b = create(Gfid.ROOT, "b");
        posix.release(a);
        posix.release(b);
        Gfid d = mkdir(Gfid.ROOT, "d");
        RenameReply r = ok(posix.rename(ROOT, entry(Gfid.ROOT, "a"), entry(Gfid.ROOT, "b"), null));
        assertEquals(a.gfid(), r.attr().gfid());
        assertEquals("A", Files.readString(brick.resolve("b")));
        assertFalse(Files.exists(handle(b.gfid()), LinkOption.NOFOLLOW_LINKS));
        assertErrno(Errno.ESTALE, posix.stat(ROOT, byGfid(b.gfid()), null));
        ok(posix.rename(ROOT, entry(Gfid.ROOT, "b"), entry(d, "c"), null));
        assertEquals(a.gfid(), ok(posix.lookup(ROOT, entry(d, "c"), null)).attr().gfid());
        assertEquals(ino(brick.resolve("d/c")), ino(handle(a.gfid())));
        assertErrno(Errno.ENOENT, posix.rename(ROOT, entry(Gfid.ROOT, "nope"), entry(Gfid.ROOT, "x"), null));
    }

    @Test
    void renameOverAnOpenVictimKeepsItReadable() {
        Fd a = create(Gfid.ROOT, "a");
        Fd b = create(Gfid.ROOT, "b");
        write(b, "victim".getBytes(), 0);
        ok(posix.rename(ROOT, entry(Gfid.ROOT, "a"), entry(Gfid.ROOT, "b"), null));
        assertEquals("victim", new String(read(b, 10, 0)));
        assertEquals(0, ok(posix.stat(ROOT, byGfid(b.gfid()), null)).attr().nlink());
        posix.release(b);
        posix.release(a);
        assertErrno(Errno.ESTALE, posix.stat(ROOT, byGfid(b.gfid()), null));
    }

    @Test
    void renameDirectoryKeepsChildrenResolvable() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "d");
        Gfid sub = mkdir(d, "sub");
        Gfid deep = mkdir(sub, "deep");
        Fd f = create(deep, "f");
        write(f, "deep data".getBytes(), 0);
        posix.release(f);
        Gfid target = mkdir(Gfid.ROOT, "target");
        ok(posix.rename(ROOT, entry(Gfid.ROOT, "d"), entry(target, "moved"), null));
        assertTrue(Files.isDirectory(brick.resolve("target/moved/sub/deep")));
        String t = target.toString();
        assertEquals("../../" + t.substring(0, 2) + "/" + t.substring(2, 4) + "/" + t + "/moved",
                Files.readSymbolicLink(handle(d)).toString());
        assertEquals(deep, ok(posix.stat(ROOT, byGfid(deep), null)).attr().gfid());
        assertEquals(sub, ok(posix.lookup(ROOT, entry(d, "sub"), null)).attr().gfid());
        Fd again = open(f.gfid(), Sys.O_RDONLY);
        assertEquals("deep data", new String(read(again, 100, 0)));
        posix.release(again);
        Gfid made = mkdir(deep, "new");
        assertTrue(Files.isDirectory(brick.resolve("target/moved/sub/deep/new")));
        assertEquals(made, gfidOnDisk(brick.resolve("target/moved/sub/deep/new")));
    }

    @Test
    void renameErrorsFollowRename2() {
        Gfid d = mkdir(Gfid.ROOT, "d");
        Gfid sub = mkdir(d, "sub");
        Gfid full = mkdir(Gfid.ROOT, "full");
        posix.release(create(full, "x"));
        Gfid empty = mkdir(Gfid.ROOT, "empty");
        Fd f = create(Gfid.ROOT, "f");
        posix.release(f);
        assertErrno(Errno.EINVAL, posix.rename(ROOT, entry(Gfid.ROOT, "d"), entry(sub, "inside"), null));
        assertErrno(Errno.EINVAL, posix.rename(ROOT, entry(Gfid.ROOT, "d"), entry(d, "self"), null));
        assertErrno(Errno.ENOTEMPTY, posix.rename(ROOT, entry(Gfid.ROOT, "d"), entry(Gfid.ROOT, "full"), null));
        assertErrno(Errno.ENOTDIR, posix.rename(ROOT, entry(Gfid.ROOT, "d"), entry(Gfid.ROOT, "f"), null));
        assertErrno(Errno.EISDIR, posix.rename(ROOT, entry(Gfid.ROOT, "f"), entry(Gfid.ROOT, "empty"), null));
        assertTrue(Files.isDirectory(brick.resolve("d/sub")));
        // Over an empty directory: the victim and its handle go.
        ok(posix.rename(ROOT, entry(Gfid.ROOT, "d"), entry(Gfid.ROOT, "empty"), null));
        assertFalse(Files.exists(handle(empty), LinkOption.NOFOLLOW_LINKS));
        assertEquals(d, gfidOnDisk(brick.resolve("empty")));
        assertEquals(sub, ok(posix.stat(ROOT, byGfid(sub), null)).attr().gfid());
    }

    @Test
    void glusterfsDirectoryIsInvisible() {
        assertErrno(Errno.ENOENT, posix.lookup(ROOT, entry(Gfid.ROOT, ".glusterfs"), null));
        assertErrno(Errno.EPERM, posix.mkdir(ROOT, newEntry(Gfid.ROOT, ".glusterfs", Gfid.random()), 0755, 0, null));
        assertErrno(Errno.EPERM, posix.rmdir(ROOT, entry(Gfid.ROOT, ".glusterfs"), 0, null));
        Gfid d = mkdir(Gfid.ROOT, "d");
        assertErrno(Errno.EPERM, posix.rename(ROOT, entry(Gfid.ROOT, "d"), entry(Gfid.ROOT, ".glusterfs"), null));
        assertErrno(Errno.EPERM, posix.rename(ROOT, entry(Gfid.ROOT, ".glusterfs"), entry(d, "x"), null));
        assertTrue(Files.isDirectory(brick.resolve(".glusterfs/00/00")));
        // Only at the root: elsewhere it is an ordinary name.
        mkdir(d, ".glusterfs");
        assertTrue(Files.isDirectory(brick.resolve("d/.glusterfs")));
    }

    @Test
    void badNamesAreRejected() {
        assertErrno(Errno.EINVAL, posix.lookup(ROOT, entry(Gfid.ROOT, ".."), null));
        assertErrno(Errno.EINVAL, posix.lookup(ROOT, entry(Gfid.ROOT, "."), null));
        assertErrno(Errno.EINVAL, posix.lookup(ROOT, entry(Gfid.ROOT, ""), null));
        assertErrno(Errno.EINVAL, posix.mkdir(ROOT, newEntry(Gfid.ROOT, "../escape", Gfid.random()), 0755, 0, null));
        assertErrno(Errno.EINVAL, posix.create(ROOT, newEntry(Gfid.ROOT, "a/b", Gfid.random()), Sys.O_CREAT | Sys.O_RDWR,
                0644, 0, new Fd(new org.glusterj.core.Inode(Gfid.random(), 0), 0, 1), null));
        assertErrno(Errno.ENAMETOOLONG, posix.mkdir(ROOT, newEntry(Gfid.ROOT, "x".repeat(256), Gfid.random()), 0755, 0,
                null));
        mkdir(Gfid.ROOT, "x".repeat(255));
        assertErrno(Errno.ENAMETOOLONG, posix.mkdir(ROOT, newEntry(Gfid.ROOT, "é".repeat(128), Gfid.random()), 0755, 0,
                null));
        assertFalse(Files.exists(brick.getParent().resolve("escape")));
    }

    @Test
    void symlinksNeverLeadOutOfTheBrick() throws Exception {
        Path outside = Files.createTempDirectory(BRICKS, "outside-");
        try {
            Gfid evil = Gfid.random();
            ok(posix.symlink(ROOT, outside.toString(), newEntry(Gfid.ROOT, "evil", evil), 0, null));
            Gfid root = Gfid.random();
            ok(posix.symlink(ROOT, "/", newEntry(Gfid.ROOT, "slash", root), 0, null));
            for (Gfid link : new Gfid[] {evil, root}) {
                assertErrno(Errno.ENOTDIR, posix.lookup(ROOT, entry(link, "etc"), null));
                assertErrno(Errno.ENOTDIR, posix.mkdir(ROOT, newEntry(link, "made", Gfid.random()), 0755, 0, null));
                assertErrno(Errno.ENOTDIR, posix.create(ROOT, newEntry(link, "made", Gfid.random()),
                        Sys.O_CREAT | Sys.O_RDWR, 0644, 0, new Fd(new org.glusterj.core.Inode(Gfid.random(), 0), 0, 1),
                        null));
                assertErrno(Errno.ENOTDIR, posix.opendir(ROOT, byGfid(link),
                        new Fd(new org.glusterj.core.Inode(link, 0), 0, 1), null));
            }
            // Operations on the symlink itself act on the link, never on its target.
            ok(posix.setattr(ROOT, byGfid(evil), org.glusterj.core.SetAttr.times(5, 0, 5, 0), null));
            assertTrue(Files.getLastModifiedTime(outside).toMillis() > 5000);
            assertErrno(Errno.EINVAL, posix.open(ROOT, byGfid(evil), Sys.O_RDONLY,
                    new Fd(new org.glusterj.core.Inode(evil, 0), 0, 1), null));
            Files.writeString(outside.resolve("victim"), "keep");
            ok(posix.symlink(ROOT, outside.resolve("victim").toString(), newEntry(Gfid.ROOT, "to-file", Gfid.random()), 0,
                    null));
            assertErrno(Errno.ELOOP, posix.create(ROOT, newEntry(Gfid.ROOT, "to-file", Gfid.random()),
                    Sys.O_CREAT | Sys.O_RDWR | Sys.O_TRUNC, 0644, 0,
                    new Fd(new org.glusterj.core.Inode(Gfid.random(), 0), 0, 1), null));
            assertErrno(Errno.EINVAL, posix.truncate(ROOT, entry(Gfid.ROOT, "to-file"), 0, null));
            assertEquals("keep", Files.readString(outside.resolve("victim")));
            Files.delete(outside.resolve("victim"));
            ok(posix.setxattr(ROOT, byGfid(evil), java.util.Map.of("trusted.mark", new byte[] {1}), 0, null));
            assertEquals(null, Sys.lgetxattr(outside.toString(), "trusted.mark"));

            // A symlink placed directly in the brick, then a tampered directory handle that tries
            // to route resolution through it: both resolve to ESTALE/ENOTDIR, nothing is created.
            Files.createSymbolicLink(brick.resolve("sneaky"), outside);
            Gfid sneaky = ok(posix.lookup(ROOT, entry(Gfid.ROOT, "sneaky"), null)).attr().gfid();
            assertErrno(Errno.ENOTDIR, posix.mkdir(ROOT, newEntry(sneaky, "made", Gfid.random()), 0755, 0, null));
            Gfid d = mkdir(Gfid.ROOT, "d");
            Files.delete(handle(d));
            Files.createSymbolicLink(handle(d), Path.of("../../00/00/" + Gfid.ROOT + "/sneaky"));
            assertErrno(Errno.ESTALE, posix.mkdir(ROOT, newEntry(d, "made", Gfid.random()), 0755, 0, null));
            assertErrno(Errno.ESTALE, posix.stat(ROOT, byGfid(d), null));
            Files.delete(handle(d));
            Files.createSymbolicLink(handle(d), Path.of("../../../../" + outside.getFileName()));
            assertErrno(Errno.ESTALE, posix.stat(ROOT, byGfid(d), null));
            try (var s = Files.list(outside)) {
                assertEquals(0, s.count(), "nothing was made outside the brick");
            }
            // A named lookup repairs the handle.
            assertEquals(d, ok(posix.lookup(ROOT, entry(Gfid.ROOT, "d"), null)).attr().gfid());
            assertEquals(d, ok(posix.stat(ROOT, byGfid(d), null)).attr().gfid());
        } finally {
            deleteTree(outside);
        }
    }

    @Test
    void gfidAddressedNonDirectoryCannotBeUsedAsParent() {
        Fd fd = create(Gfid.ROOT, "f");
        assertErrno(Errno.ENOTDIR, posix.mkdir(ROOT, newEntry(fd.gfid(), "x", Gfid.random()), 0755, 0, null));
        posix.release(fd);
        assertFalse(Files.exists(brick.resolve("x")));
        assertTrue(Files.isRegularFile(brick.resolve("f")));
    }
}
