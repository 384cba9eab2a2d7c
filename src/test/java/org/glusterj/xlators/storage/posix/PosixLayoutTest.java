package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

class PosixLayoutTest extends BrickFixture {
    private static final Caller USER = Caller.of(1234, 2345, 99);

    @Test
    void startupCreatesIndexAndRootGfid() throws Exception {
        assertEquals(Gfid.ROOT, gfidOnDisk(brick));
        Path rootHandle = handle(Gfid.ROOT);
        assertTrue(Files.isSymbolicLink(rootHandle));
        assertEquals("../../..", Files.readSymbolicLink(rootHandle).toString());
        assertTrue(Files.isDirectory(brick.resolve(".glusterfs/unlink")));
        Iatt root = ok(posix.lookup(ROOT, org.glusterj.core.Loc.root(), null)).attr();
        assertEquals(Gfid.ROOT, root.gfid());
        assertTrue(root.isDirectory());
    }

    @Test
    void constructorRejectsBadConfiguration() throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> newXlator(brick.resolve("nope")));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());
        Path file = Files.createFile(brick.resolve("plain-file"));
        assertThrows(IllegalArgumentException.class, () -> newXlator(file));
        IllegalArgumentException noDir = assertThrows(IllegalArgumentException.class, () -> new PosixXlator(
                XlatorConfig.of("b", "storage/posix", Options.NONE, List.of())));
        assertTrue(noDir.getMessage().contains("directory"), noDir.getMessage());
        IllegalArgumentException badId = assertThrows(IllegalArgumentException.class, () -> new PosixXlator(
                XlatorConfig.of("b", "storage/posix", Options.of("directory", brick.toString(), "volume-id", "xyz"),
                        List.of())));
        assertTrue(badId.getMessage().contains("volume-id"), badId.getMessage());
    }

    @Test
    void acceptsGlusterfsBrickVolfileOptions() {
        Options opts = Options.of("directory", brick.toString(), "volume-id", "80462e24-40b3-46fb-9beb-7d2a0b6c0790",
                "shared-brick-count", "2", "fips-mode-rchecksum", "on");
        assertEquals(List.of(), opts.validate(PosixXlator.OPTIONS));
        org.glusterj.core.Xlator second = PosixXlator.TYPE.factory().apply(
                XlatorConfig.of("b", "storage/posix", opts, List.of()));
        assertTrue(second instanceof PosixXlator);
        assertEquals(brick.toAbsolutePath().normalize(), ((PosixXlator) second).directory());
        second.fini();
        assertEquals("storage/posix", PosixXlator.TYPE.type());
    }

    @Test
    void createSetsGfidHandleOwnerAndMode() throws Exception {
        Gfid g = Gfid.random();
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), Sys.O_RDWR, 1);
        EntryReply r = ok(posix.create(USER, newEntry(Gfid.ROOT, "f", g), Sys.O_RDWR | Sys.O_CREAT, 0666, 022, fd, null));
        Path f = brick.resolve("f");
        assertEquals(g, r.attr().gfid());
        assertEquals(g, gfidOnDisk(f));
        assertEquals(ino(f), ino(handle(g)), "handle is a hard link");
        assertEquals(1, r.attr().nlink());
        assertEquals(1234, r.attr().uid());
        assertEquals(2345, r.attr().gid());
        assertEquals(1234, Files.getAttribute(f, "unix:uid"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(FileType.S_IFREG | 0644, r.attr().mode());
        assertTrue(r.postParent().mtimeSec() >= r.preParent().mtimeSec());
        posix.release(fd);
    }

    @Test
    void createAsTheBricksOwnUserKeepsEveryModeBitAsked() throws Exception {
        // Root creating as root needs no chown; the mode must still be exactly what was asked,
        // including bits the brick process's umask would take and the set-id bits.
        for (int perm : new int[] {0777, 04755, 02750, 0600}) {
            Gfid g = Gfid.random();
            Fd fd = new Fd(new Inode(g, FileType.S_IFREG), Sys.O_RDWR, 1);
            EntryReply r = ok(posix.create(ROOT, newEntry(Gfid.ROOT, "m" + perm, g), Sys.O_RDWR | Sys.O_CREAT, perm, 0,
                    fd, null));
            assertEquals(FileType.S_IFREG | perm, r.attr().mode(), Integer.toOctalString(perm));
            assertEquals(perm, (int) Files.getAttribute(brick.resolve("m" + perm), "unix:mode") & 07777);
            assertEquals(0, r.attr().uid());
            assertEquals(0, r.attr().gid());
            posix.release(fd);
        }
    }

    @Test
    void createAsAnotherUserKeepsItsSetIdBitsAfterTheChown() throws Exception {
        Gfid g = Gfid.random();
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), Sys.O_RDWR, 1);
        EntryReply r = ok(posix.create(USER, newEntry(Gfid.ROOT, "s", g), Sys.O_RDWR | Sys.O_CREAT, 06755, 0, fd, null));
        assertEquals(FileType.S_IFREG | 06755, r.attr().mode());
        assertEquals(06755, (int) Files.getAttribute(brick.resolve("s"), "unix:mode") & 07777);
        assertEquals(1234, Files.getAttribute(brick.resolve("s"), "unix:uid"));
        assertEquals(2345, Files.getAttribute(brick.resolve("s"), "unix:gid"));
        posix.release(fd);
    }

    @Test
    void handleDirectoriesAreMadeWhetherTheirParentExistsOrNot() throws Exception {
        // Three gfids: a new first-level directory, a new second level under it, and that same one again.
        Gfid a = gfidStarting(0x5a, 0x01);
        Gfid b = gfidStarting(0x5a, 0x02);
        Gfid c = gfidStarting(0x5a, 0x02);
        for (Gfid g : List.of(a, b, c)) posix.release(create(Gfid.ROOT, "h-" + g, g, Sys.O_RDWR));
        for (Gfid g : List.of(a, b, c)) {
            assertEquals(ino(brick.resolve("h-" + g)), ino(handle(g)), "handle of " + g);
            assertEquals(g, gfidOnDisk(brick.resolve("h-" + g)));
        }
    }

    private static Gfid gfidStarting(int first, int second) {
        byte[] b = Gfid.random().toBytes();
        b[0] = (byte) first;
        b[1] = (byte) second;
        return Gfid.fromBytes(b);
    }

    @Test
    void createHonoursExclAndReopensWithoutIt() {
        Fd first = create(Gfid.ROOT, "f", Gfid.random(), Sys.O_RDWR);
        write(first, "hello".getBytes(), 0);
        Gfid other = Gfid.random();
        Fd fd2 = new Fd(new Inode(other, FileType.S_IFREG), Sys.O_RDWR, 1);
        assertErrno(Errno.EEXIST, posix.create(ROOT, newEntry(Gfid.ROOT, "f", other),
                Sys.O_RDWR | Sys.O_CREAT | Sys.O_EXCL, 0644, 0, fd2, null));
        EntryReply again = ok(posix.create(ROOT, newEntry(Gfid.ROOT, "f", other), Sys.O_RDWR | Sys.O_CREAT, 0644, 0, fd2,
                null));
        assertEquals(first.gfid(), again.attr().gfid(), "existing file keeps its gfid");
        assertEquals("hello", new String(read(fd2, 10, 0)));
        posix.release(first);
        posix.release(fd2);
    }

    @Test
    void mkdirMakesSymlinkHandleAndNestedDirsResolve() throws Exception {
        Gfid a = mkdir(Gfid.ROOT, "a");
        Gfid b = mkdir(a, "b");
        assertEquals("../../00/00/" + Gfid.ROOT + "/a", Files.readSymbolicLink(handle(a)).toString());
        String as = a.toString();
        assertEquals("../../" + as.substring(0, 2) + "/" + as.substring(2, 4) + "/" + a + "/b",
                Files.readSymbolicLink(handle(b)).toString());
        assertEquals(b, gfidOnDisk(brick.resolve("a/b")));
        Iatt st = ok(posix.stat(ROOT, byGfid(b), null)).attr();
        assertTrue(st.isDirectory());
        assertEquals(FileType.S_IFDIR | 0755, st.mode());
        assertErrno(Errno.EEXIST, posix.mkdir(ROOT, newEntry(a, "b", Gfid.random()), 0755, 0, null));
        // The same gfid may not name a second directory on one brick.
        assertErrno(Errno.EEXIST, posix.mkdir(ROOT, newEntry(Gfid.ROOT, "c", b), 0755, 0, null));
        assertFalse(Files.exists(brick.resolve("c")), "failed mkdir leaves nothing behind");
    }

    @Test
    void aGfidInUseIsNotTakenOverByANewObject() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        posix.release(fd);
        Gfid g = fd.gfid();
        assertErrno(Errno.EEXIST, posix.mkdir(ROOT, newEntry(Gfid.ROOT, "d", g), 0755, 0, null));
        assertErrno(Errno.EEXIST, posix.symlink(ROOT, "x", newEntry(Gfid.ROOT, "ln", g), 0, null));
        assertFalse(Files.exists(brick.resolve("d")));
        assertFalse(Files.exists(brick.resolve("ln"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(ino(brick.resolve("f")), ino(handle(g)), "the file's handle is intact");
    }

    @Test
    void mkdirAppliesUmaskAndOwner() throws Exception {
        Gfid g = Gfid.random();
        Iatt st = ok(posix.mkdir(USER, newEntry(Gfid.ROOT, "d", g), 0777, 027, null)).attr();
        assertEquals(FileType.S_IFDIR | 0750, st.mode());
        assertEquals(1234, st.uid());
        assertEquals(2345, Files.getAttribute(brick.resolve("d"), "unix:gid"));
    }

    @Test
    void symlinkStoresTargetWithHardLinkHandle() throws Exception {
        Gfid g = Gfid.random();
        EntryReply r = ok(posix.symlink(USER, "/etc/passwd", newEntry(Gfid.ROOT, "ln", g), 022, null));
        Path ln = brick.resolve("ln");
        assertTrue(r.attr().isSymlink());
        assertEquals(1, r.attr().nlink());
        assertEquals("/etc/passwd", Files.readSymbolicLink(ln).toString());
        assertEquals(g, gfidOnDisk(ln));
        assertEquals(ino(ln), ino(handle(g)));
        assertEquals(1234, Files.getAttribute(ln, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals("/etc/passwd", ok(posix.readlink(ROOT, byGfid(g), 4096, null)).target());
        assertEquals("/etc/passwd", ok(posix.readlink(ROOT, entry(Gfid.ROOT, "ln"), 0, null)).target());
        assertEquals(Errno.EINVAL, err(posix.readlink(ROOT, byGfid(Gfid.ROOT), 100, null)));
    }

    @Test
    void linkAddsNameAndNlinkIsReportedWithoutTheHandle() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        Gfid g = fd.gfid();
        Gfid d = mkdir(Gfid.ROOT, "d");
        EntryReply r = ok(posix.link(ROOT, byGfid(g), entry(d, "f2"), null));
        assertEquals(g, r.attr().gfid());
        assertEquals(2, r.attr().nlink());
        assertEquals(3, nlinkOnDisk(brick.resolve("f")), "two names and the handle");
        assertEquals(2, ok(posix.stat(ROOT, byGfid(g), null)).attr().nlink());
        assertEquals(ino(brick.resolve("f")), ino(brick.resolve("d/f2")));
        assertErrno(Errno.EEXIST, posix.link(ROOT, byGfid(g), entry(d, "f2"), null));
        assertErrno(Errno.EPERM, posix.link(ROOT, byGfid(d), entry(Gfid.ROOT, "dlink"), null));
        ok(posix.unlink(ROOT, entry(Gfid.ROOT, "f"), 0, null));
        assertEquals(1, ok(posix.stat(ROOT, byGfid(g), null)).attr().nlink());
        assertTrue(Files.exists(handle(g)));
        posix.release(fd);
    }

    @Test
    void mknodMakesFifoWithGfid() throws Exception {
        Gfid g = Gfid.random();
        EntryReply r = ok(posix.mknod(ROOT, newEntry(Gfid.ROOT, "p", g), FileType.S_IFIFO | 0640, 0, 0, null));
        assertEquals(FileType.S_IFIFO | 0640, r.attr().mode());
        assertEquals(g, gfidOnDisk(brick.resolve("p")));
        assertEquals(ino(brick.resolve("p")), ino(handle(g)));
        assertErrno(Errno.EINVAL, posix.mknod(ROOT, newEntry(Gfid.ROOT, "q", Gfid.random()), FileType.S_IFDIR | 0755, 0,
                0, null));
    }

    @Test
    void mknodSetsTheGlusterfsXattrsItCarriesBeforeTheNameAppears() {
        Gfid g = Gfid.random();
        byte[] target = "vol-client-1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Xdata x = Xdata.of("trusted.glusterfs.dht.linkto", target).with("user.not-an-entry-xattr", new byte[] {1});
        ok(posix.mknod(ROOT, newEntry(Gfid.ROOT, "l", g), FileType.S_IFREG | 01000, 0, 0, x));
        assertArrayEquals(target, ok(posix.getxattr(ROOT, entry(Gfid.ROOT, "l"), "trusted.glusterfs.dht.linkto", null))
                .values().get("trusted.glusterfs.dht.linkto"));
        assertErrno(Errno.ENODATA, posix.getxattr(ROOT, entry(Gfid.ROOT, "l"), "user.not-an-entry-xattr", null));
    }

    @Test
    void restartResolvesOldGfids() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "d");
        Gfid e = mkdir(d, "e");
        Fd fd = create(e, "f");
        write(fd, "persisted".getBytes(), 0);
        posix.release(fd);
        posix.fini();
        posix = newXlator(brick);
        assertEquals(e, ok(posix.stat(ROOT, byGfid(e), null)).attr().gfid());
        Fd again = open(fd.gfid(), Sys.O_RDONLY);
        assertEquals("persisted", new String(read(again, 100, 0)));
        assertEquals(fd.gfid(), ok(posix.lookup(ROOT, entry(e, "f"), null)).attr().gfid());
        posix.release(again);
    }

    @Test
    void objectsMadeDirectlyInTheBrickGetGfidsOnLookup() throws Exception {
        Files.createDirectories(brick.resolve("raw/sub"));
        Files.writeString(brick.resolve("raw/file"), "data");
        EntryReply dir = ok(posix.lookup(ROOT, entry(Gfid.ROOT, "raw"), null));
        Gfid raw = dir.attr().gfid();
        assertEquals(raw, gfidOnDisk(brick.resolve("raw")));
        assertTrue(Files.isSymbolicLink(handle(raw)));
        EntryReply file = ok(posix.lookup(ROOT, entry(raw, "file"), null));
        Gfid fg = file.attr().gfid();
        assertEquals(ino(brick.resolve("raw/file")), ino(handle(fg)));
        assertEquals(1, file.attr().nlink());
        assertEquals(4, file.attr().size());
        // The same object keeps its gfid on later lookups.
        assertEquals(fg, ok(posix.lookup(ROOT, entry(raw, "file"), null)).attr().gfid());
        assertEquals(fg, ok(posix.stat(ROOT, byGfid(fg), null)).attr().gfid());
    }

    @Test
    void missingObjectsGiveEstaleByGfidAndEnoentByName() {
        assertErrno(Errno.ESTALE, posix.stat(ROOT, byGfid(Gfid.random()), null));
        assertErrno(Errno.ESTALE, posix.lookup(ROOT, byGfid(Gfid.random()), null));
        assertErrno(Errno.ENOENT, posix.lookup(ROOT, entry(Gfid.ROOT, "absent"), null));
        assertErrno(Errno.ESTALE, posix.lookup(ROOT, entry(Gfid.random(), "absent"), null));
        Fd fd = create(Gfid.ROOT, "f");
        assertErrno(Errno.ENOTDIR, posix.lookup(ROOT, entry(fd.gfid(), "x"), null));
        posix.release(fd);
    }
}
