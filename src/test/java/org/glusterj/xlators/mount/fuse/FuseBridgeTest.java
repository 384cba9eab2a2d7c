package org.glusterj.xlators.mount.fuse;

import static org.glusterj.core.OpenFlags.O_CREAT;
import static org.glusterj.core.OpenFlags.O_RDWR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.Gfid;
import org.glusterj.core.InodeTable;
import org.glusterj.core.Loc;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.features.locks.LocksXlator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/** The bridge driven directly, as libfuse would call it, over an in-memory xlator; no kernel involved. */
class FuseBridgeTest {
    private static final Runtime R = Runtime.getSystemRuntime();
    private static final Caller CALLER = new Caller(1000, 100, new int[] {10, 20}, 4242, 0L);

    private MemoryXlator mem;
    private FuseBridge bridge;

    @BeforeEach
    void setUp() {
        mem = new MemoryXlator();
        bridge = bridgeOver(mem);
    }

    private static FuseBridge bridgeOver(Xlator top) {
        FuseBridge.Settings s = new FuseBridge.Settings("test", Duration.ofHours(1), Duration.ofSeconds(1), null, false);
        return new FuseBridge(top, s, null, () -> CALLER);
    }

    // ---- jnr struct helpers ----

    private static FileStat stat() {
        return FileStat.of(Memory.allocateDirect(R, 256, true));
    }

    private static FuseFileInfo fileInfo(int flags) {
        FuseFileInfo fi = FuseFileInfo.of(Memory.allocateDirect(R, 64, true));
        fi.flags.set(flags);
        return fi;
    }

    private static Pointer bytes(byte[] b) {
        Pointer p = Memory.allocateDirect(R, Math.max(1, b.length), true);
        p.put(0, b, 0, b.length);
        return p;
    }

    private FuseFileInfo createFile(String path, byte[] content) {
        FuseFileInfo fi = fileInfo(O_RDWR | O_CREAT);
        assertEquals(0, bridge.create(path, 0644, fi));
        if (content.length > 0) assertEquals(content.length, bridge.write(path, bytes(content), content.length, 0, fi));
        return fi;
    }

    private byte[] readAll(String path, FuseFileInfo fi, int max) {
        Pointer buf = Memory.allocateDirect(R, max, true);
        int n = bridge.read(path, buf, max, 0, fi);
        assertTrue(n >= 0, "read failed with " + n);
        byte[] out = new byte[n];
        buf.get(0, out, 0, n);
        return out;
    }

    private record Listed(String name, int mode) {
    }

    private List<Listed> list(String path) {
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, bridge.opendir(path, fi));
        List<Listed> out = new ArrayList<>();
        FuseFillDir filler = (buf, name, stbuf, off) -> {
            int len = 0;
            while (name.get(name.position() + len) != 0) len++;
            byte[] b = new byte[len];
            name.duplicate().get(b);
            out.add(new Listed(new String(b, StandardCharsets.UTF_8), FileStat.of(stbuf).st_mode.intValue()));
            assertEquals(0L, off, "every entry is filled with offset 0");
            return 0;
        };
        assertEquals(0, bridge.readdir(path, null, filler, 0, fi));
        assertEquals(0, bridge.releasedir(path, fi));
        return out;
    }

    // ---- tests ----

    /** libfuse hides an open file that loses its name by renaming it; that name lives in this client only. */
    @Test
    void fileHiddenByLibfuseIsUnlinkedOnTheGraphAndServedByItsHiddenName() {
        FuseFileInfo fi = createFile("/f", "kept".getBytes(StandardCharsets.UTF_8));
        Gfid gfid = mem.childOf(Gfid.ROOT, "f");
        String hidden = "/.fuse_hidden0000000200000001";
        assertEquals(0, bridge.rename("/f", hidden));
        assertNull(mem.childOf(Gfid.ROOT, "f"), "the bricks no longer have the name");
        assertNull(mem.childOf(Gfid.ROOT, ".fuse_hidden0000000200000001"), "nor the hidden one");
        assertTrue(list("/").stream().noneMatch(l -> l.name().startsWith(".fuse_hidden") || l.name().equals("f")));
        FileStat st = stat();
        assertEquals(0, bridge.getattr(hidden, st));
        assertEquals(4, st.st_size.longValue());
        assertEquals(0, st.st_nlink.intValue(), "no names left");
        assertEquals(0, bridge.chmod(hidden, 0600));
        assertEquals(0600, mem.node(gfid).mode & 0777);
        assertEquals("kept", new String(readAll(hidden, fi, 16), StandardCharsets.UTF_8));
        assertEquals(0, bridge.release(hidden, fi));
        assertEquals(0, bridge.unlink(hidden), "libfuse's unlink of the hidden name after the last release");
        assertEquals(-Errno.ENOENT.code, bridge.getattr(hidden, stat()));
    }

    @Test
    void renameOfAFileNobodyHasOpenToAHiddenLookingNameIsAnOrdinaryRename() {
        FuseFileInfo fi = createFile("/g", new byte[0]);
        assertEquals(0, bridge.release("/g", fi));
        assertEquals(0, bridge.rename("/g", "/.fuse_hidden0000000300000001"));
        assertNotNull(mem.childOf(Gfid.ROOT, ".fuse_hidden0000000300000001"));
    }

    @Test
    void seekOnAnUnknownHandleIsEbadf() {
        assertEquals(-Errno.EBADF.code, bridge.seek(12345, 0, 3, 0, 0, 1));
    }

    @Test
    void getattrOfRootAndOfMissingName() {
        FileStat st = stat();
        assertEquals(0, bridge.getattr("/", st));
        assertEquals(FileType.S_IFDIR | 0755, st.st_mode.intValue());
        assertEquals(1L, st.st_ino.longValue());
        assertEquals(-Errno.ENOENT.code, bridge.getattr("/missing", stat()));
        assertEquals(-Errno.ENOENT.code, bridge.getattr("/missing/deeper", stat()));
    }

    @Test
    void createWriteReadRoundTripAndAttributes() {
        byte[] content = "hello, glusterj".getBytes(StandardCharsets.UTF_8);
        FuseFileInfo fi = createFile("/f.txt", content);
        assertNotEquals(0L, fi.fh.get(), "create sets a file handle");
        assertArrayEquals(content, readAll("/f.txt", fi, 4096));
        // a write at an offset past the end extends the file with a hole
        byte[] tail = "TAIL".getBytes(StandardCharsets.UTF_8);
        assertEquals(4, bridge.write("/f.txt", bytes(tail), 4, 20, fi));
        byte[] all = readAll("/f.txt", fi, 4096);
        assertEquals(24, all.length);
        assertEquals("TAIL", new String(all, 20, 4, StandardCharsets.UTF_8));

        FileStat st = stat();
        assertEquals(0, bridge.getattr("/f.txt", st));
        assertEquals(24L, st.st_size.longValue());
        assertEquals(FileType.S_IFREG | 0644, st.st_mode.intValue());
        assertEquals(1000L, st.st_uid.longValue(), "new file owned by the caller");
        FileStat fst = stat();
        assertEquals(0, bridge.fgetattr("/f.txt", fst, fi));
        assertEquals(24L, fst.st_size.longValue());

        Gfid g = mem.childOf(Gfid.ROOT, "f.txt");
        assertEquals(g.ino(), st.st_ino.longValue());
        assertEquals(CALLER, mem.lastCaller, "fops carry the FUSE caller");
        assertEquals(0, bridge.release("/f.txt", fi));
        assertEquals(0, bridge.fdTable().size());
        assertEquals(-Errno.EBADF.code, bridge.read("/f.txt", Memory.allocateDirect(R, 16), 16, 0, fi),
                "a released handle is gone");
    }

    @Test
    void openExistingFileReadsAndFtruncates() {
        mem.createFileBehindBridge(Gfid.ROOT, "data", "0123456789".getBytes(StandardCharsets.UTF_8));
        FuseFileInfo fi = fileInfo(O_RDWR);
        assertEquals(0, bridge.open("/data", fi));
        Pointer buf = Memory.allocateDirect(R, 4, true);
        assertEquals(4, bridge.read("/data", buf, 4, 3, fi));
        byte[] got = new byte[4];
        buf.get(0, got, 0, 4);
        assertEquals("3456", new String(got, StandardCharsets.US_ASCII));
        assertEquals(0, bridge.read("/data", buf, 4, 100, fi), "read past the end returns 0 bytes");
        assertEquals(0, bridge.ftruncate("/data", 2, fi));
        assertEquals(0, bridge.truncate("/data", 1));
        assertEquals(1, readAll("/data", fi, 64).length);
        assertEquals(0, bridge.flush("/data", fi));
        assertEquals(0, bridge.fsync("/data", 1, fi));
        assertEquals(0, bridge.fallocate("/data", 0x3, 0, 4096, fi));
        assertEquals(0x3, mem.lastFallocateMode, "fallocate mode passes through, PUNCH_HOLE included");
        assertEquals(0, bridge.release("/data", fi));
    }

    @Test
    void mkdirAndReaddirListsEveryEntryAcrossSeveralReaddirpCalls() {
        assertEquals(0, bridge.mkdir("/d", 0755));
        for (String n : List.of("a", "b", "c", "e")) createFile("/d/" + n, new byte[0]);
        assertEquals(0, bridge.mkdir("/d/sub", 0700));
        assertEquals(0, bridge.symlink("a", "/d/ln"));

        List<Listed> listed = list("/d");
        List<String> names = listed.stream().map(Listed::name).toList();
        assertEquals(List.of(".", "..", "a", "b", "c", "e", "ln", "sub"), names);
        assertEquals(FileType.S_IFDIR, listed.get(names.indexOf("sub")).mode() & FileType.S_IFMT);
        assertEquals(FileType.S_IFLNK, listed.get(names.indexOf("ln")).mode() & FileType.S_IFMT);
        assertEquals(FileType.S_IFREG, listed.get(names.indexOf("a")).mode() & FileType.S_IFMT);
        assertTrue(mem.count("readdirp") >= 4, "the bridge looped readdirp to the end");

        FileStat st = stat();
        assertEquals(0, bridge.getattr("/d/sub", st));
        assertEquals(FileType.S_IFDIR | 0700, st.st_mode.intValue());
        assertEquals(-Errno.ENOTEMPTY.code, bridge.rmdir("/d"));
        assertEquals(-Errno.ENOTDIR.code, bridge.opendir("/d/a", fileInfo(0)));
    }

    @Test
    void readdirpPrimesTheInodeTable() {
        assertEquals(0, bridge.mkdir("/d", 0755));
        Gfid d = mem.childOf(Gfid.ROOT, "d");
        Gfid x = mem.createFileBehindBridge(d, "x", new byte[] {1, 2, 3});
        list("/d");
        int lookups = mem.count("lookup");
        assertEquals(0, bridge.truncate("/d/x", 1), "resolved from the dentry readdirp linked");
        assertEquals(lookups, mem.count("lookup"));
        assertEquals(1, mem.node(x).size);
    }

    @Test
    void renameUpdatesResolution() {
        assertEquals(0, bridge.mkdir("/a", 0755));
        assertEquals(0, bridge.mkdir("/b", 0755));
        createFile("/a/f", "x".getBytes(StandardCharsets.UTF_8));
        Gfid f = mem.childOf(mem.childOf(Gfid.ROOT, "a"), "f");

        assertEquals(0, bridge.rename("/a/f", "/b/g"));
        assertEquals(-Errno.ENOENT.code, bridge.getattr("/a/f", stat()));
        assertEquals(-Errno.ENOENT.code, bridge.chmod("/a/f", 0600));
        FileStat st = stat();
        assertEquals(0, bridge.getattr("/b/g", st));
        assertEquals(f.ino(), st.st_ino.longValue());

        // renaming a directory keeps its children reachable under the new name
        assertEquals(0, bridge.rename("/b", "/c"));
        assertEquals(0, bridge.chmod("/c/g", 0600));
        assertEquals(f, mem.lastSetAttrGfid);
        assertEquals(-Errno.ENOENT.code, bridge.getattr("/b/g", stat()));
        assertEquals(f, bridge.inodeTable().resolveCached("/c/g").gfid());
    }

    @Test
    void renameOverAnExistingFileReplacesIt() {
        createFile("/x", "new".getBytes(StandardCharsets.UTF_8));
        createFile("/y", "old".getBytes(StandardCharsets.UTF_8));
        Gfid x = mem.childOf(Gfid.ROOT, "x");
        assertEquals(0, bridge.rename("/x", "/y"));
        assertEquals(x, bridge.inodeTable().resolveCached("/y").gfid());
        FuseFileInfo fi = fileInfo(0);
        assertEquals(0, bridge.open("/y", fi));
        assertArrayEquals("new".getBytes(StandardCharsets.UTF_8), readAll("/y", fi, 16));
    }

    @Test
    void unlinkAndRmdir() {
        assertEquals(0, bridge.mkdir("/d", 0755));
        FuseFileInfo fi = createFile("/d/f", new byte[] {1});
        assertEquals(0, bridge.release("/d/f", fi));
        Gfid f = mem.childOf(mem.childOf(Gfid.ROOT, "d"), "f");
        assertEquals(0, bridge.unlink("/d/f"));
        assertNull(mem.childOf(mem.childOf(Gfid.ROOT, "d"), "f"));
        assertEquals(-Errno.ENOENT.code, bridge.getattr("/d/f", stat()));
        assertNull(bridge.inodeTable().get(f), "the unlinked, closed file left the inode table");
        assertTrue(mem.forgotten.contains(f), "and the graph was told to forget it");
        assertEquals(-Errno.ENOENT.code, bridge.unlink("/d/f"));
        assertEquals(0, bridge.rmdir("/d"));
        assertEquals(-Errno.ENOENT.code, bridge.getattr("/d", stat()));
    }

    @Test
    void unlinkedOpenFileStaysUsableThroughItsHandle() {
        FuseFileInfo fi = createFile("/tmp", "keep".getBytes(StandardCharsets.UTF_8));
        Gfid g = mem.childOf(Gfid.ROOT, "tmp");
        assertEquals(0, bridge.unlink("/tmp"));
        assertNotNull(bridge.inodeTable().get(g), "the open fd holds the inode");
        assertArrayEquals("keep".getBytes(StandardCharsets.UTF_8), readAll(null, fi, 16), "fh ops work with a null path");
        assertEquals(0, bridge.release(null, fi));
        assertNull(bridge.inodeTable().get(g));
    }

    @Test
    void fstatOfAnOpenFileWhoseNameAnotherClientRenamedAwayAnswersForTheFile() {
        mem.createFileBehindBridge(Gfid.ROOT, "a", "kept".getBytes(StandardCharsets.UTF_8));
        FuseFileInfo fi = fileInfo(0);
        long node = 7;
        try {
            KernelInodes.serving(14 /* OPEN */, node);
            assertEquals(0, bridge.open("/a", fi));
            mem.renameBehindBridge(Gfid.ROOT, "a", "b");

            // fstat(2): the kernel sends GETATTR for the open file's node, libfuse gives us its path
            KernelInodes.serving(3 /* GETATTR */, node);
            FileStat st = stat();
            assertEquals(0, bridge.getattr("/a", st));
            assertEquals(4, st.st_size.longValue());

            // the kernel looking the name up learns that it is gone
            KernelInodes.serving(1 /* LOOKUP */, Gfid.ROOT.ino());
            assertEquals(-Errno.ENOENT.code, bridge.getattr("/a", stat()));
            // a node nothing is open on: gone is gone
            KernelInodes.serving(3 /* GETATTR */, node + 1);
            assertEquals(-Errno.ENOENT.code, bridge.getattr("/a", stat()));
        } finally {
            KernelInodes.served();
        }
        assertEquals(0, bridge.release("/a", fi));
    }

    /**
     * The fallback above answers with an fd that may be another request's. Its release can arrive
     * (on another libfuse thread) while the borrowed fstat is on its way down; below, that fd is
     * then unknown (protocol/client answers EBADF, as StressIT saw once). The release waits for it.
     */
    @Test
    void aReleaseArrivingDuringTheFallbackFstatWaitsForIt() {
        Gfid g = mem.createFileBehindBridge(Gfid.ROOT, "a", "kept".getBytes(StandardCharsets.UTF_8));
        ForgetsReleasedFds below = new ForgetsReleasedFds(mem);
        bridge = bridgeOver(below);
        FuseFileInfo othersHandle = fileInfo(0);
        long node = 7;
        int[] released = {Integer.MIN_VALUE};
        try {
            KernelInodes.serving(14 /* OPEN */, node);
            assertEquals(0, bridge.open("/a", othersHandle));
            mem.renameBehindBridge(Gfid.ROOT, "a", "b");
            // The other request closes its file just as the borrowed fstat goes down.
            below.beforeFstat = () -> released[0] = bridge.release("/a", othersHandle);

            KernelInodes.serving(3 /* GETATTR */, node);
            FileStat st = stat();
            assertEquals(0, bridge.getattr("/a", st));
            assertEquals(4, st.st_size.longValue());
        } finally {
            KernelInodes.served();
        }
        assertEquals(0, released[0], "the kernel's release is answered at once");
        assertEquals(List.of("fstat", "release"), below.fdFops, "released below only after the fstat");
        assertEquals(1, mem.count("release"));
        assertNull(bridge.inodeTable().get(g), "the release dropped the fd's inode reference");
    }

    /** Like protocol/client: forgets an fd at its release, and answers EBADF for one it does not know. */
    private static final class ForgetsReleasedFds extends Xlator {
        final List<String> fdFops = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.Set<org.glusterj.core.Fd> released = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile Runnable beforeFstat;

        ForgetsReleasedFds(Xlator below) {
            super(XlatorConfig.of("forgets", "test/forgets", Options.NONE, List.of(below)));
        }

        @Override
        public CompletableFuture<AttrReply> fstat(Caller c, org.glusterj.core.Fd fd, Xdata x) {
            Runnable r = beforeFstat;
            beforeFstat = null;
            if (r != null) r.run();
            if (released.contains(fd)) return CompletableFuture.failedFuture(Errno.EBADF.exception(fd + " released"));
            fdFops.add("fstat");
            return super.fstat(c, fd, x);
        }

        @Override
        public void release(org.glusterj.core.Fd fd) {
            fdFops.add("release");
            released.add(fd);
            super.release(fd);
        }
    }

    @Test
    void symlinkAndReadlink() {
        assertEquals(0, bridge.symlink("../some/where", "/ln"));
        Pointer buf = Memory.allocateDirect(R, 64, true);
        assertEquals(0, bridge.readlink("/ln", buf, 64));
        assertEquals("../some/where", buf.getString(0));
        Pointer small = Memory.allocateDirect(R, 5, true);
        assertEquals(0, bridge.readlink("/ln", small, 5));
        assertEquals("../s", small.getString(0), "truncated to fit with its NUL");
        FileStat st = stat();
        assertEquals(0, bridge.getattr("/ln", st));
        assertEquals(FileType.S_IFLNK, st.st_mode.intValue() & FileType.S_IFMT);
    }

    @Test
    void hardLinkSharesTheObject() {
        createFile("/one", "same".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, bridge.link("/one", "/two"));
        assertEquals(mem.childOf(Gfid.ROOT, "one"), mem.childOf(Gfid.ROOT, "two"));
        FileStat st = stat();
        assertEquals(0, bridge.getattr("/two", st));
        assertEquals(2L, st.st_nlink.longValue());
        assertEquals(-Errno.EEXIST.code, bridge.link("/one", "/two"));
    }

    @Test
    void chmodChownUtimensReachSetattr() {
        createFile("/f", new byte[0]);
        Gfid f = mem.childOf(Gfid.ROOT, "f");

        assertEquals(0, bridge.chmod("/f", FileType.S_IFREG | 04751));
        assertEquals(SetAttr.MODE, mem.lastSetAttr.valid());
        assertEquals(04751, mem.lastSetAttr.mode(), "type bits are stripped");
        assertEquals(f, mem.lastSetAttrGfid);

        assertEquals(0, bridge.chown("/f", 1234, 4294967295L));
        assertEquals(SetAttr.UID, mem.lastSetAttr.valid(), "gid -1 means unchanged");
        assertEquals(1234, mem.lastSetAttr.uid());
        assertEquals(0, bridge.chown("/f", -1, 55));
        assertEquals(SetAttr.GID, mem.lastSetAttr.valid());
        assertEquals(55, mem.lastSetAttr.gid());

        Pointer ts = Memory.allocateDirect(R, 32, true);
        Timespec atime = Timespec.of(ts);
        Timespec mtime = Timespec.of(ts.slice(16));
        atime.tv_sec.set(0);
        atime.tv_nsec.set(SetAttr.UTIME_NOW);
        mtime.tv_sec.set(1_600_000_000L);
        mtime.tv_nsec.set(123);
        assertEquals(0, bridge.utimens("/f", new Timespec[] {atime, mtime}));
        SetAttr t = mem.lastSetAttr;
        assertEquals(SetAttr.ATIME | SetAttr.MTIME, t.valid());
        assertEquals(SetAttr.UTIME_NOW, t.atimeNsec(), "UTIME_NOW passes through to the bricks");
        assertEquals(1_600_000_000L, t.mtimeSec());
        assertEquals(123, t.mtimeNsec());

        atime.tv_nsec.set(SetAttr.UTIME_OMIT);
        mtime.tv_nsec.set(SetAttr.UTIME_NOW);
        assertEquals(0, bridge.utimens("/f", new Timespec[] {atime, mtime}));
        assertEquals(SetAttr.MTIME, mem.lastSetAttr.valid(), "UTIME_OMIT leaves atime out");

        FileStat st = stat();
        assertEquals(0, bridge.getattr("/f", st));
        assertEquals(FileType.S_IFREG | 04751, st.st_mode.intValue());
        assertEquals(1234L, st.st_uid.longValue());
        assertEquals(55L, st.st_gid.longValue());
    }

    @Test
    void xattrSetGetListRemove() {
        createFile("/f", new byte[0]);
        byte[] v = "blue".getBytes(StandardCharsets.UTF_8);
        assertEquals(0, bridge.setxattr("/f", "user.color", bytes(v), v.length, 0));
        assertEquals(0, bridge.setxattr("/f", "user.empty", bytes(new byte[0]), 0, 0));
        assertEquals(-Errno.EEXIST.code, bridge.setxattr("/f", "user.color", bytes(v), v.length, 1));

        assertEquals(4, bridge.getxattr("/f", "user.color", null, 0), "size 0 asks for the length");
        Pointer buf = Memory.allocateDirect(R, 16, true);
        assertEquals(4, bridge.getxattr("/f", "user.color", buf, 16));
        byte[] got = new byte[4];
        buf.get(0, got, 0, 4);
        assertArrayEquals(v, got);
        assertEquals(-Errno.ERANGE.code, bridge.getxattr("/f", "user.color", buf, 2));
        assertEquals(0, bridge.getxattr("/f", "user.empty", buf, 16));
        assertEquals(-Errno.ENODATA.code, bridge.getxattr("/f", "user.none", buf, 16));

        byte[] expectedList = "user.color\0user.empty\0".getBytes(StandardCharsets.UTF_8);
        assertEquals(expectedList.length, bridge.listxattr("/f", null, 0));
        Pointer listBuf = Memory.allocateDirect(R, 64, true);
        assertEquals(expectedList.length, bridge.listxattr("/f", listBuf, 64));
        byte[] list = new byte[expectedList.length];
        listBuf.get(0, list, 0, list.length);
        assertArrayEquals(expectedList, list);
        assertEquals(-Errno.ERANGE.code, bridge.listxattr("/f", listBuf, 3));

        assertEquals(0, bridge.removexattr("/f", "user.color"));
        assertEquals(-Errno.ENODATA.code, bridge.removexattr("/f", "user.color"));
        assertEquals("user.empty\0".length(), bridge.listxattr("/f", null, 0));
    }

    @Test
    void staleGfidIsResolvedAgainAndRetriedOnce() {
        Gfid old = mem.createFileBehindBridge(Gfid.ROOT, "a", new byte[] {1});
        assertEquals(0, bridge.getattr("/a", stat()));
        assertEquals(old, bridge.inodeTable().resolveCached("/a").gfid());
        // another client replaces /a: our cached dentry now names a gfid the bricks no longer have
        mem.unlinkBehindBridge(Gfid.ROOT, "a");
        Gfid replacement = mem.createFileBehindBridge(Gfid.ROOT, "a", new byte[] {2});

        assertEquals(0, bridge.chmod("/a", 0600));
        assertEquals(replacement, mem.lastSetAttrGfid, "the retry used the fresh gfid");
        assertEquals(replacement, bridge.inodeTable().resolveCached("/a").gfid());
        assertNull(bridge.inodeTable().get(old));

        // getattr revalidates with a named lookup, so it sees a removal at once
        mem.unlinkBehindBridge(Gfid.ROOT, "a");
        assertEquals(-Errno.ENOENT.code, bridge.getattr("/a", stat()));
        assertNull(bridge.inodeTable().resolveCached("/a"));
    }

    @Test
    void expiredDentriesAreLookedUpAgain() {
        AtomicLong now = new AtomicLong();
        InodeTable table = new InodeTable(Duration.ofSeconds(1), 1000, mem::forget, now::get);
        FuseBridge b = new FuseBridge(mem, FuseBridge.Settings.defaults("v"), table, () -> CALLER);
        assertEquals(0, b.mkdir("/d", 0755));
        assertEquals(0, b.mkdir("/d/e", 0755));
        int before = mem.count("lookup");
        assertEquals(0, b.chmod("/d/e", 0700));
        assertEquals(before, mem.count("lookup"), "fresh dentries resolve without lookups");
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(0, b.chmod("/d/e", 0711));
        assertEquals(before + 2, mem.count("lookup"), "each expired component is looked up once");
    }

    @Test
    void createOfExistingNameWithoutExclOpensTheExistingFile() {
        Gfid existing = mem.createFileBehindBridge(Gfid.ROOT, "race", "abc".getBytes(StandardCharsets.UTF_8));
        FuseFileInfo fi = fileInfo(O_RDWR | O_CREAT);
        assertEquals(0, bridge.create("/race", 0644, fi));
        assertEquals(existing, bridge.fdTable().get(fi.fh.get()).gfid());
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), readAll("/race", fi, 16));
    }

    @Test
    void locksCarryTheOwnerAndGetlkIsWrittenBack() {
        FuseFileInfo fi = createFile("/l", new byte[0]);
        fi.lock_owner.set(0xABCDL);
        Pointer p = Memory.allocateDirect(R, 64, true);
        ru.serce.jnrfuse.struct.Flock fl = ru.serce.jnrfuse.struct.Flock.of(p);
        fl.l_type.set(Flock.F_WRLCK);
        fl.l_start.set(0);
        fl.l_len.set(100);
        assertEquals(0, bridge.lock("/l", fi, Flock.F_SETLK, fl));
        assertEquals(0xABCDL, mem.lastLock.owner());
        assertEquals(0xABCDL, mem.lastCaller.lkOwner());
        assertEquals(100L, mem.lastLock.len());
        assertFalse(mem.lastLockXdata.has(LocksXlator.FLOCK_KEY), "fcntl locks are in the bricks' fcntl domain");
        assertEquals(0, bridge.lock("/l", fi, Flock.F_GETLK, fl));
        assertEquals(Flock.F_WRLCK, fl.l_type.intValue());
        assertEquals(10L, fl.l_start.longValue());
        assertEquals(999, fl.l_pid.intValue());

        assertEquals(0, bridge.flock("/l", fi, 2 | 4)); // LOCK_EX | LOCK_NB
        assertTrue(mem.lastLockXdata.has(LocksXlator.FLOCK_KEY), "flock locks are in their own domain");
        assertEquals(Flock.F_SETLK, mem.lastLockCmd);
        assertEquals(Flock.F_WRLCK, mem.lastLock.type());
        assertEquals(0, bridge.flock("/l", fi, 1)); // LOCK_SH, blocking
        assertEquals(Flock.F_SETLKW, mem.lastLockCmd);
        assertEquals(Flock.F_RDLCK, mem.lastLock.type());
        assertEquals(0, bridge.flock("/l", fi, 8));
        assertEquals(Flock.F_UNLCK, mem.lastLock.type());
    }

    @Test
    void theUnlockAfterEveryCloseCostsNothingOnFilesNeverLocked() {
        FuseFileInfo fi = createFile("/never-locked", new byte[0]);
        Pointer p = Memory.allocateDirect(R, 64, true);
        ru.serce.jnrfuse.struct.Flock fl = ru.serce.jnrfuse.struct.Flock.of(p);
        fl.l_type.set(Flock.F_UNLCK);
        mem.lastLock = null;
        assertEquals(0, bridge.lock("/never-locked", fi, Flock.F_SETLK, fl));
        assertNull(mem.lastLock, "no lk fop for an unlock of a file this mount never locked");

        fl.l_type.set(Flock.F_RDLCK);
        assertEquals(0, bridge.lock("/never-locked", fi, Flock.F_SETLK, fl));
        fl.l_type.set(Flock.F_UNLCK);
        assertEquals(0, bridge.lock("/never-locked", fi, Flock.F_SETLK, fl));
        assertEquals(Flock.F_UNLCK, mem.lastLock.type(), "once locked, unlocks reach the bricks");
    }

    @Test
    void statfsAccessMknodFsyncdir() {
        Statvfs sv = Statvfs.of(Memory.allocateDirect(R, 256, true));
        assertEquals(0, bridge.statfs("/", sv));
        assertEquals(4096L, sv.f_bsize.longValue());
        assertEquals(1000L, sv.f_blocks.longValue());
        assertEquals(500L, sv.f_bavail.longValue());
        assertEquals(255L, sv.f_namemax.longValue());
        assertEquals(0, bridge.mknod("/fifo", FileType.S_IFIFO | 0600, 0));
        FileStat st = stat();
        assertEquals(0, bridge.getattr("/fifo", st));
        assertEquals(FileType.S_IFIFO | 0600, st.st_mode.intValue());
        assertEquals(0, bridge.access("/fifo", 4));
        assertEquals(-Errno.ENOENT.code, bridge.access("/nope", 4));
        assertEquals(-Errno.EEXIST.code, bridge.mkdir("/fifo", 0755));
        FuseFileInfo d = fileInfo(0);
        assertEquals(0, bridge.opendir("/", d));
        assertEquals(0, bridge.fsyncdir("/", d));
        assertEquals(0, bridge.releasedir("/", d));
    }

    @Test
    void anXlatorThatThrowsYieldsEio() {
        Xlator throwing = new Xlator(XlatorConfig.of("boom", "test/boom", Options.NONE, List.of(mem))) {
            @Override
            public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
                throw new IllegalStateException("bug in an xlator");
            }

            @Override
            public CompletableFuture<org.glusterj.core.EntryReply> lookup(Caller c, Loc loc, Xdata x) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("async bug"));
            }
        };
        FuseBridge b = bridgeOver(throwing);
        assertEquals(-Errno.EIO.code, b.getattr("/", stat()), "synchronous throw");
        assertEquals(-Errno.EIO.code, b.getattr("/x", stat()), "future failed with a non-fop exception");
        assertEquals(-Errno.EBADF.code, b.read("/x", Memory.allocateDirect(R, 8), 8, 0, fileInfo(0)));
    }

    @Test
    void writeHandsTheBufferToTheGraphWhichReleasesIt() {
        List<io.netty.buffer.ByteBuf> seen = new ArrayList<>();
        Xlator spy = new Xlator(XlatorConfig.of("spy", "test/spy", Options.NONE, List.of(mem))) {
            @Override
            public CompletableFuture<org.glusterj.core.ChangeReply> writev(Caller c, org.glusterj.core.Fd fd,
                    io.netty.buffer.ByteBuf data, long offset, int flags, Xdata x) {
                seen.add(data);
                assertTrue(data.isDirect(), "a direct buffer, ready for the socket");
                return super.writev(c, fd, data, offset, flags, x);
            }
        };
        FuseBridge b = bridgeOver(spy);
        FuseFileInfo fi = fileInfo(O_RDWR | O_CREAT);
        assertEquals(0, b.create("/w", 0644, fi));
        byte[] payload = new byte[70_000];
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 31);
        assertEquals(payload.length, b.write("/w", bytes(payload), payload.length, 0, fi));
        assertEquals(1, seen.size());
        assertEquals(0, seen.get(0).refCnt(), "ownership passed: the consumer released it");
        Pointer buf = Memory.allocateDirect(R, payload.length, true);
        assertEquals(payload.length, b.read("/w", buf, payload.length, 0, fi));
        byte[] back = new byte[payload.length];
        buf.get(0, back, 0, back.length);
        assertArrayEquals(payload, back);
    }

    @Test
    void mountOptionsDefaultsAndOverrides() {
        MountOptions m = MountOptions.defaults(FuseBridge.Settings.defaults("gv0"))
                .addArgs(new String[] {"-o", "attr_timeout=5,noallow_other", "-s", "-oro"});
        Map<String, String> parsed = new LinkedHashMap<>();
        for (String o : m.optionString().split(",")) {
            int eq = o.indexOf('=');
            parsed.put(eq < 0 ? o : o.substring(0, eq), eq < 0 ? null : o.substring(eq + 1));
        }
        assertEquals("glusterj:gv0", parsed.get("fsname"));
        assertEquals("5", parsed.get("attr_timeout"), "a later option wins");
        assertEquals("1", parsed.get("entry_timeout"));
        assertEquals("0", parsed.get("negative_timeout"));
        assertEquals("1048576", parsed.get("max_write"));
        assertEquals("1048576", parsed.get("max_read"));
        assertTrue(parsed.containsKey("auto_cache"), "pages kept across opens of an unchanged file");
        assertEquals("0", parsed.get("ac_attr_timeout"), "every open checks mtime and size");
        assertTrue(parsed.containsKey("big_writes") && parsed.containsKey("auto_unmount")
                && parsed.containsKey("default_permissions") && parsed.containsKey("ro"));
        assertTrue(!parsed.containsKey("allow_other"), "noallow_other drops a default flag");
        String[] args = m.toArgs();
        assertEquals("-o", args[0]);
        assertEquals("-s", args[2]);
        assertEquals("0.25", MountOptions.seconds(Duration.ofMillis(250)));
    }

    @Test
    void readerThreadCountIsOursAndNeverReachesLibfuse() {
        MountOptions m = FuseBridge.mountOptions(FuseBridge.Settings.defaults("v"),
                new String[] {"-o", "reader-thread-count=3,ro"});
        assertEquals(3, FuseBridge.readerThreadCount(m));
        assertTrue(!m.optionString().contains("reader-thread-count") && m.has("ro"), m.optionString());
        assertEquals(FuseBridge.DEFAULT_READER_THREADS,
                FuseBridge.readerThreadCount(FuseBridge.mountOptions(FuseBridge.Settings.defaults("v"), null)));
        for (String bad : new String[] {"0", "65", "two", ""}) {
            MountOptions b = FuseBridge.mountOptions(FuseBridge.Settings.defaults("v"),
                    new String[] {"-o", "reader-thread-count=" + bad});
            MountException e = org.junit.jupiter.api.Assertions.assertThrows(MountException.class,
                    () -> FuseBridge.readerThreadCount(b));
            assertTrue(e.getMessage().contains("reader-thread-count must be a whole number from 1 to 64, got \""
                    + bad + "\""), e.getMessage());
        }
    }

    @Test
    void badSettingsAndMountpointsGiveClearErrors() throws Exception {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FuseBridge.Settings.defaults("a,b"));
        assertTrue(e.getMessage().contains("volume name"));
        MountException m = org.junit.jupiter.api.Assertions.assertThrows(MountException.class,
                () -> bridge.mount(java.nio.file.Path.of("/nonexistent/glusterj-mnt"), new String[0]));
        assertTrue(m.getMessage().contains("does not exist"), m.getMessage());
        assertTrue(bridge.whenMounted().isCompletedExceptionally(), "waiters learn that the mount failed");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("glusterj", ".notadir");
        try {
            MountException notDir = org.junit.jupiter.api.Assertions.assertThrows(MountException.class,
                    () -> bridgeOver(mem).mount(file, new String[0]));
            assertTrue(notDir.getMessage().contains("not a directory"), notDir.getMessage());
        } finally {
            java.nio.file.Files.delete(file);
        }
        MountException o = org.junit.jupiter.api.Assertions.assertThrows(MountException.class,
                () -> FuseBridge.mountOptions(FuseBridge.Settings.defaults("v"), new String[] {"-o"}));
        assertTrue(o.getMessage().contains("-o"), o.getMessage());
    }

    @Test
    void concurrentCallbacksOnSeparateFilesKeepTheirData() throws Exception {
        assertEquals(0, bridge.mkdir("/par", 0755));
        int threads = 6;
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            done.add(ex.submit(() -> {
                for (int round = 0; round < 30; round++) {
                    String path = "/par/t" + id + "-" + round;
                    byte[] payload = (path + "#" + round).getBytes(StandardCharsets.UTF_8);
                    FuseFileInfo fi = createFile(path, payload);
                    assertArrayEquals(payload, readAll(path, fi, 256));
                    assertEquals(0, bridge.release(path, fi));
                    if (round % 2 == 0) assertEquals(0, bridge.rename(path, path + ".done"));
                    else assertEquals(0, bridge.unlink(path));
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        ex.shutdown();
        List<String> names = list("/par").stream().map(Listed::name).filter(n -> !n.startsWith(".")).toList();
        assertEquals(threads * 15, names.size());
        assertTrue(names.stream().allMatch(n -> n.endsWith(".done")));
        assertEquals(0, bridge.fdTable().size());
    }
}
