package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Statvfs;
import org.glusterj.core.XattrReply;
import org.junit.jupiter.api.Test;

class PosixAttrTest extends BrickFixture {

    @Test
    void setattrChangesModeOwnerAndTimesWithNanoseconds() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        posix.release(fd);
        Gfid g = fd.gfid();
        ChangeReply r = ok(posix.setattr(ROOT, byGfid(g), SetAttr.mode(04750), null));
        assertEquals(FileType.S_IFREG | 0644, r.pre().mode());
        assertEquals(FileType.S_IFREG | 04750, r.post().mode());
        r = ok(posix.setattr(ROOT, byGfid(g), SetAttr.owner(500, -1), null));
        assertEquals(500, r.post().uid());
        assertEquals(0, r.post().gid(), "-1 leaves the group alone");
        r = ok(posix.setattr(ROOT, entry(Gfid.ROOT, "f"), SetAttr.owner(-1, 600), null));
        assertEquals(500, r.post().uid());
        assertEquals(600, r.post().gid());
        r = ok(posix.setattr(ROOT, byGfid(g), SetAttr.times(1000, 123456789, 2000, 987654321), null));
        assertEquals(1000, r.post().atimeSec());
        assertEquals(123456789, r.post().atimeNsec());
        assertEquals(2000, r.post().mtimeSec());
        assertEquals(987654321, r.post().mtimeNsec());
        FileTime mtime = Files.getLastModifiedTime(brick.resolve("f"));
        assertEquals(2000L * 1_000_000_000L + 987654321L, mtime.to(TimeUnit.NANOSECONDS));
        r = ok(posix.setattr(ROOT, byGfid(g), SetAttr.times(0, SetAttr.UTIME_OMIT, 3000, 5), null));
        assertEquals(1000, r.post().atimeSec(), "omitted atime unchanged");
        assertEquals(3000, r.post().mtimeSec());
        r = ok(posix.setattr(ROOT, byGfid(g), SetAttr.times(0, SetAttr.UTIME_NOW, 0, SetAttr.UTIME_OMIT), null));
        assertTrue(r.post().atimeSec() > 1_600_000_000L, "UTIME_NOW is the brick's clock");
    }

    @Test
    void fsetattrWorksOnOpenFd() {
        Fd fd = create(Gfid.ROOT, "f");
        ChangeReply r = ok(posix.fsetattr(ROOT, fd, new SetAttr(SetAttr.MODE | SetAttr.UID | SetAttr.MTIME, 0600, 77, -1,
                0, SetAttr.UTIME_OMIT, 42, 7), null));
        assertEquals(FileType.S_IFREG | 0600, r.post().mode());
        assertEquals(77, r.post().uid());
        assertEquals(42, r.post().mtimeSec());
        assertEquals(7, r.post().mtimeNsec());
        posix.release(fd);
    }

    @Test
    void setattrOnSymlinkDoesNotTouchTarget() throws Exception {
        Fd fd = create(Gfid.ROOT, "target");
        posix.release(fd);
        Gfid ln = Gfid.random();
        ok(posix.symlink(ROOT, "target", newEntry(Gfid.ROOT, "ln", ln), 0, null));
        ok(posix.setattr(ROOT, byGfid(ln), SetAttr.times(100, 0, 100, 0), null));
        ok(posix.setattr(ROOT, byGfid(ln), SetAttr.owner(321, 321), null));
        ok(posix.setattr(ROOT, byGfid(ln), SetAttr.mode(0600), null));
        Path target = brick.resolve("target");
        assertTrue(Files.getLastModifiedTime(target).toMillis() > 100_000);
        assertEquals(0, Files.getAttribute(target, "unix:uid"));
        assertEquals(0644, ((Integer) Files.getAttribute(target, "unix:mode")) & 07777);
        assertEquals(100_000, Files.getLastModifiedTime(brick.resolve("ln"), LinkOption.NOFOLLOW_LINKS).toMillis());
        assertEquals(321, Files.getAttribute(brick.resolve("ln"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void xattrsSetGetListRemove() {
        Fd fd = create(Gfid.ROOT, "f");
        Gfid g = fd.gfid();
        ok(posix.setxattr(ROOT, byGfid(g), Map.of("user.color", "blue".getBytes(), "trusted.afr", new byte[] {0, 1}),
                0, null));
        assertArrayEquals("blue".getBytes(), ok(posix.getxattr(ROOT, byGfid(g), "user.color", null)).values()
                .get("user.color"));
        XattrReply all = ok(posix.getxattr(ROOT, entry(Gfid.ROOT, "f"), null, null));
        assertEquals(Map.of("user.color", "blue", "trusted.afr", "\0\1").keySet(), all.values().keySet());
        assertArrayEquals(new byte[] {0, 1}, all.values().get("trusted.afr"));
        assertFalse(ok(posix.fgetxattr(ROOT, fd, null, null)).values().containsKey("trusted.gfid"));
        assertArrayEquals(g.toBytes(), ok(posix.getxattr(ROOT, byGfid(g), "trusted.gfid", null)).values()
                .get("trusted.gfid"), "readable by name");
        assertErrno(Errno.EEXIST, posix.setxattr(ROOT, byGfid(g), Map.of("user.color", "red".getBytes()),
                Sys.XATTR_CREATE, null));
        assertErrno(Errno.ENODATA, posix.setxattr(ROOT, byGfid(g), Map.of("user.size", "1".getBytes()),
                Sys.XATTR_REPLACE, null));
        ok(posix.fsetxattr(ROOT, fd, Map.of("user.color", "red".getBytes()), Sys.XATTR_REPLACE, null));
        assertArrayEquals("red".getBytes(), ok(posix.fgetxattr(ROOT, fd, "user.color", null)).values().get("user.color"));
        ok(posix.removexattr(ROOT, byGfid(g), "user.color", null));
        assertErrno(Errno.ENODATA, posix.getxattr(ROOT, byGfid(g), "user.color", null));
        assertErrno(Errno.ENODATA, posix.removexattr(ROOT, byGfid(g), "user.color", null));
        ok(posix.fremovexattr(ROOT, fd, "trusted.afr", null));
        assertErrno(Errno.ENODATA, posix.fgetxattr(ROOT, fd, "trusted.afr", null));
        ok(posix.setxattr(ROOT, byGfid(Gfid.ROOT), Map.of("security.test", new byte[] {9}), 0, null));
        assertArrayEquals(new byte[] {9}, ok(posix.getxattr(ROOT, byGfid(Gfid.ROOT), "security.test", null)).values()
                .get("security.test"));
        posix.release(fd);
    }

    @Test
    void xattrValuesOfEverySizeReadBackWhole() {
        Fd fd = create(Gfid.ROOT, "f");
        Gfid g = fd.gfid();
        // Around the first buffer Sys tries (Sys.XATTR_GUESS): values past it need a second call.
        for (int size : new int[] {0, 1, Sys.XATTR_GUESS - 1, Sys.XATTR_GUESS, Sys.XATTR_GUESS + 1, 1500}) {
            byte[] v = new byte[size];
            for (int i = 0; i < size; i++) v[i] = (byte) (i * 31 + size);
            String key = "user.v" + size;
            ok(posix.setxattr(ROOT, byGfid(g), Map.of(key, v), 0, null));
            assertArrayEquals(v, ok(posix.getxattr(ROOT, entry(Gfid.ROOT, "f"), key, null)).values().get(key),
                    size + " bytes by name");
            assertArrayEquals(v, ok(posix.fgetxattr(ROOT, fd, key, null)).values().get(key), size + " bytes by fd");
        }
        assertEquals(Errno.ENODATA, err(posix.getxattr(ROOT, entry(Gfid.ROOT, "f"), "user.none", null)));
        assertEquals(Errno.ENODATA, err(posix.fgetxattr(ROOT, fd, "user.none", null)));
        posix.release(fd);
    }

    @Test
    void gfidXattrIsProtected() {
        Fd fd = create(Gfid.ROOT, "f");
        Gfid g = fd.gfid();
        assertErrno(Errno.EPERM, posix.setxattr(ROOT, byGfid(g), Map.of("trusted.gfid", Gfid.random().toBytes()), 0,
                null));
        assertErrno(Errno.EPERM, posix.fsetxattr(ROOT, fd, Map.of("trusted.gfid", Gfid.random().toBytes()), 0, null));
        assertErrno(Errno.EPERM, posix.removexattr(ROOT, byGfid(g), "trusted.gfid", null));
        assertErrno(Errno.EPERM, posix.fremovexattr(ROOT, fd, "trusted.gfid", null));
        assertEquals(g, gfidOnDisk(brick.resolve("f")));
        assertErrno(Errno.EINVAL, posix.setxattr(ROOT, byGfid(g), Map.of("user.x", new byte[1]), 8, null));
        posix.release(fd);
    }

    @Test
    void symlinkXattrsStayOnTheLink() {
        Fd fd = create(Gfid.ROOT, "target");
        Gfid ln = Gfid.random();
        ok(posix.symlink(ROOT, "target", newEntry(Gfid.ROOT, "ln", ln), 0, null));
        ok(posix.setxattr(ROOT, byGfid(ln), Map.of("trusted.on-link", new byte[] {5}), 0, null));
        assertErrno(Errno.ENODATA, posix.fgetxattr(ROOT, fd, "trusted.on-link", null));
        assertArrayEquals(new byte[] {5}, ok(posix.getxattr(ROOT, byGfid(ln), "trusted.on-link", null)).values()
                .get("trusted.on-link"));
        posix.release(fd);
    }

    @Test
    void accessChecksModeBitsForTheCaller() {
        Fd fd = create(Gfid.ROOT, "f");
        posix.release(fd);
        ok(posix.setattr(ROOT, byGfid(fd.gfid()), new SetAttr(SetAttr.MODE | SetAttr.UID | SetAttr.GID, 0640, 100, 200,
                0, SetAttr.UTIME_OMIT, 0, SetAttr.UTIME_OMIT), null));
        Caller owner = Caller.of(100, 1, 1);
        Caller group = new Caller(300, 5, new int[] {200}, 1, 0);
        Caller other = Caller.of(300, 300, 1);
        ok(posix.access(owner, byGfid(fd.gfid()), 6, null));
        ok(posix.access(group, byGfid(fd.gfid()), 4, null));
        assertErrno(Errno.EACCES, posix.access(group, byGfid(fd.gfid()), 2, null));
        assertErrno(Errno.EACCES, posix.access(other, byGfid(fd.gfid()), 4, null));
        ok(posix.access(other, byGfid(fd.gfid()), 0, null));
        ok(posix.access(ROOT, byGfid(fd.gfid()), 6, null));
        assertErrno(Errno.EACCES, posix.access(ROOT, byGfid(fd.gfid()), 1, null));
        ok(posix.access(ROOT, byGfid(Gfid.ROOT), 7, null));
        assertErrno(Errno.ESTALE, posix.access(ROOT, byGfid(Gfid.random()), 0, null));
    }

    @Test
    void statfsMatchesTheBrickFilesystem() throws Exception {
        Statvfs s = ok(posix.statfs(ROOT, byGfid(Gfid.ROOT), null)).statvfs();
        FileStore store = Files.getFileStore(brick);
        assertEquals(store.getTotalSpace(), s.blocks() * s.frsize());
        assertTrue(s.bsize() > 0);
        assertEquals(255, s.namemax());
        assertTrue(s.files() > 0);
    }

    @Test
    void iattMatchesTheFileOnDisk() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        write(fd, new byte[12345], 0);
        posix.release(fd);
        Path f = brick.resolve("f");
        Iatt a = ok(posix.stat(ROOT, byGfid(fd.gfid()), null)).attr();
        assertEquals(Files.size(f), a.size());
        assertEquals(((Number) Files.getAttribute(f, "unix:mode")).intValue(), a.mode());
        assertEquals(Files.getLastModifiedTime(f).to(TimeUnit.NANOSECONDS), a.mtimeSec() * 1_000_000_000L + a.mtimeNsec());
        assertEquals(((FileTime) Files.getAttribute(f, "unix:ctime")).to(TimeUnit.NANOSECONDS),
                a.ctimeSec() * 1_000_000_000L + a.ctimeNsec());
        assertEquals(4096, a.blksize());
        assertTrue(a.blocks() * 512 >= a.size());
    }
}
