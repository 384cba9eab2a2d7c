package org.glusterj.xlators.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.glusterj.core.Gfid;
import org.glusterj.core.SetAttr;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One real mount through the kernel of the in-memory xlator. Needs /dev/fuse, libfuse2 and
 * fusermount, so it is tagged "fuse-mount" (exclude with -DexcludedGroups=fuse-mount) and skipped
 * where FUSE is missing.
 */
@Tag("fuse-mount")
class FuseBridgeMountIT {
    private static final jnr.posix.POSIX POSIX = jnr.posix.POSIXFactory.getNativePOSIX();

    @org.junit.jupiter.api.BeforeEach
    void needsFuse() {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
    }

    @Test
    void mountWriteReadListRenameUnmount() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse");
        MemoryXlator mem = new MemoryXlator();
        FuseBridge bridge = new FuseBridge(mem, FuseBridge.Settings.defaults("smoke"));
        Path mp = Files.createTempDirectory("glusterj-mnt");
        Thread server = new Thread(() -> bridge.mount(mp, new String[0]), "fuse-mount");
        server.setDaemon(true);
        try {
            server.start();
            bridge.whenMounted().get(20, TimeUnit.SECONDS);
            assertTrue(Files.readString(Path.of("/proc/mounts")).contains("glusterj:smoke " + mp),
                    "listed in /proc/mounts with our fsname");

            byte[] content = new byte[300_000];
            for (int i = 0; i < content.length; i++) content[i] = (byte) (i % 251);
            Path file = mp.resolve("hello.bin");
            Files.write(file, content);
            assertArrayEquals(content, Files.readAllBytes(file));
            assertEquals(content.length, Files.size(file));

            Files.createDirectory(mp.resolve("dir"));
            Files.writeString(mp.resolve("dir/a.txt"), "a");
            try (Stream<Path> s = Files.list(mp)) {
                assertEquals(List.of("dir", "hello.bin"), s.map(p -> p.getFileName().toString()).sorted().toList());
            }
            Files.move(mp.resolve("dir/a.txt"), mp.resolve("b.txt"));
            assertEquals("a", Files.readString(mp.resolve("b.txt")));
            assertFalse(Files.exists(mp.resolve("dir/a.txt")));

            // The kernel applies the umask before create reaches us (libfuse 2.9 never sets DONT_MASK).
            Files.createFile(mp.resolve("modes"), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxrwxrwx")));
            int created = mem.node(mem.childOf(Gfid.ROOT, "modes")).mode & 0777;
            assertEquals(0777 & ~umask(), created, "mode arrives with the umask applied");

            FileTime t = FileTime.fromMillis(1_600_000_000_000L);
            Files.setLastModifiedTime(file, t);
            assertEquals(t, Files.getLastModifiedTime(file));
            // touch -m: UTIME_NOW for mtime, UTIME_OMIT for atime reach the graph unchanged
            // (flag_utime_omit_ok is set in the fuse_operations bitfield).
            Process touch = new ProcessBuilder("touch", "-m", file.toString()).inheritIO().start();
            assertEquals(0, touch.waitFor());
            assertEquals(SetAttr.MTIME, mem.lastSetAttr.valid());
            assertEquals(SetAttr.UTIME_NOW, mem.lastSetAttr.mtimeNsec());

            // An open file stays usable after unlink, and its client-only .fuse_hidden name is never listed.
            Path tmp = mp.resolve("scratch");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                Files.delete(tmp);
                ch.write(ByteBuffer.wrap("still here".getBytes(StandardCharsets.UTF_8)), 0);
                ByteBuffer back = ByteBuffer.allocate(64);
                assertEquals(10, ch.read(back, 0));
                try (Stream<Path> s = Files.list(mp)) {
                    assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".fuse_hidden")));
                }
            }

            Files.delete(mp.resolve("b.txt"));
            assertFalse(Files.exists(mp.resolve("b.txt")));
        } finally {
            bridge.unmount();
            server.join(TimeUnit.SECONDS.toMillis(15));
            if (Files.readString(Path.of("/proc/mounts")).contains(" " + mp + " ")) Mountpoints.lazyUnmount(mp);
            Files.deleteIfExists(mp);
        }
        assertFalse(server.isAlive(), "mount() returned after unmount");
        assertEquals(0, bridge.fdTable().size(), "every handle was released");
    }

    /**
     * Requests are served by our own long-lived Java workers (FuseSessionLoop), not by libfuse's
     * native threads that jffi would attach as a new java.lang.Thread per callback.
     */
    @Test
    void callbacksRunOnFewLongLivedJavaWorkers() throws Exception {
        MemoryXlator mem = new MemoryXlator();
        withMount(mem, new String[] {"-o", "reader-thread-count=2,attr_timeout=0,entry_timeout=0"}, mp -> {
            Path file = mp.resolve("statme");
            Files.writeString(file, "x");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long startedBefore = threads.getTotalStartedThreadCount();
            int lookupsBefore = mem.count("lookup");
            for (int i = 0; i < 2000; i++) Files.readAttributes(file, BasicFileAttributes.class);
            long started = threads.getTotalStartedThreadCount() - startedBefore;
            assertTrue(mem.count("lookup") - lookupsBefore >= 1000, "the stats reached the graph (no kernel cache)");
            assertTrue(started < 50, started + " threads were started to serve 2000 stats");
            assertFalse(mem.servingThreads.isEmpty());
            assertTrue(mem.servingThreads.stream().allMatch(n -> n.startsWith("fuse-worker-")),
                    "served on: " + mem.servingThreads);
        });
    }

    /** A callback that waits (a lock, a slow brick) must not stop other requests: a worker is added. */
    @Test
    void aWaitingRequestDoesNotBlockOthers() throws Exception {
        MemoryXlator mem = new MemoryXlator();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        mem.lookupGates.put("gated", gate);
        withMount(mem, new String[] {"-o", "reader-thread-count=1"}, mp -> {
            Files.writeString(mp.resolve("free"), "free");
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> Files.exists(mp.resolve("gated")));
            try {
                Thread.sleep(200); // let the gated lookup occupy the only worker started up front
                CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Files.readString(mp.resolve("free"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertEquals("free", other.get(20, TimeUnit.SECONDS));
                assertFalse(waiting.isDone(), "the gated lookup is still waiting");
            } finally {
                gate.complete(null);
            }
            assertFalse(waiting.get(20, TimeUnit.SECONDS), "gated name does not exist once answered");
            assertTrue(mem.servingThreads.contains("fuse-worker-1"), "a second worker was started: "
                    + mem.servingThreads);
        });
    }

    /**
     * Another client removes a name between the kernel's lookup of a rename's source (answered from
     * its dentry cache) and its lookup of the same name as the target (always revalidated): the
     * kernel then asks to rename the name onto itself, on which libfuse 2.9 waits for its own
     * write lock forever, with the directory locked in the kernel, so the whole mount hung.
     */
    @Test
    void renameOntoItselfOfANameAnotherClientRemovedFailsWithEnoentAndTheMountStaysUsable() throws Exception {
        MemoryXlator mem = new MemoryXlator();
        // A long entry timeout: the kernel must take the source from its cache, not ask again.
        withMount(mem, new String[] {"-o", "entry_timeout=60"}, mp -> {
            Path x = mp.resolve("x");
            Files.writeString(x, "x");
            assertTrue(Files.exists(x));
            mem.unlinkBehindBridge(Gfid.ROOT, "x");

            CompletableFuture<Integer> rename = CompletableFuture.supplyAsync(
                    () -> POSIX.rename(x.toString(), x.toString()) == 0 ? 0 : POSIX.errno());
            try {
                assertEquals(2 /* ENOENT */, rename.get(20, TimeUnit.SECONDS));
            } catch (java.util.concurrent.TimeoutException e) {
                // umount -f aborts the FUSE connection, which frees the stuck request and worker;
                // without it neither this JVM nor the mount could end.
                new ProcessBuilder("umount", "-f", mp.toString()).inheritIO().start().waitFor(20, TimeUnit.SECONDS);
                throw new AssertionError("rename of a name onto itself hung", e);
            }
            Files.writeString(mp.resolve("y"), "y");
            assertEquals("y", Files.readString(mp.resolve("y")), "the directory is not left locked");
            assertFalse(Files.exists(x));
        });
    }

    /** libfuse's -s (single-threaded) still works: one worker serves everything. */
    @Test
    void singleThreadedOptionUsesOneWorker() throws Exception {
        MemoryXlator mem = new MemoryXlator();
        withMount(mem, new String[] {"-s"}, mp -> {
            Files.writeString(mp.resolve("a"), "abc");
            assertEquals("abc", Files.readString(mp.resolve("a")));
            assertEquals(java.util.Set.of("fuse-worker-0"), mem.servingThreads);
        });
    }

    /**
     * libfuse 2.9 alone gets 128 KiB requests at most; LargeRequests' FUSE_INIT reply asks the
     * kernel for 256 pages, so large sequential I/O arrives in 1 MiB pieces, intact.
     */
    @Test
    void sequentialIoArrivesInOneMebibyteRequests() throws Exception {
        MemoryXlator mem = new MemoryXlator();
        withMount(mem, new String[0], mp -> {
            byte[] content = new byte[4 << 20];
            for (int i = 0; i < content.length; i++) content[i] = (byte) (i * 31 + (i >>> 12));
            Path file = mp.resolve("big.bin");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.allocateDirect(content.length).put(content).flip();
                while (b.hasRemaining()) ch.write(b);
            }
            assertEquals(LargeRequests.MAX_REQUEST_DATA, mem.largestWrite.get(), "largest WRITE");

            // A new open drops the kernel's cached pages (no kernel_cache), so this reads through us.
            ByteBuffer back = ByteBuffer.allocateDirect(content.length);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                while (back.hasRemaining() && ch.read(back) > 0) { }
            }
            byte[] read = new byte[content.length];
            back.flip().get(read);
            assertArrayEquals(content, read);
            // Reads need the read-ahead raised through sysfs, which only root may do.
            if (POSIX.geteuid() == 0) {
                assertTrue(mem.largestRead.get() > 131072, "largest READ " + mem.largestRead.get() + " > 128 KiB");
            }
        });
    }

    /** FUSE_HANDLE_KILLPRIV_V2 (Linux 5.11): see SetIdKill. */
    @Test
    void writesAskForCapabilitiesOnceAndOnlyUnprivilegedOnesClearSetIdBits() throws Exception {
        assumeTrue(POSIX.geteuid() == 0, "writes as another user need root");
        assumeTrue(kernelAtLeast(5, 11), "FUSE_HANDLE_KILLPRIV_V2 came with Linux 5.11");
        MemoryXlator mem = new MemoryXlator();
        withMount(mem, new String[0], mp -> {
            Path file = mp.resolve("f");
            Files.write(file, new byte[0]);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
            int before = mem.count("getxattr");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                for (int i = 0; i < 100; i++) ch.write(ByteBuffer.wrap(new byte[] {(byte) i}), i);
            }
            assertTrue(mem.count("getxattr") - before < 10, "security.capability asked for before every write");
            assertTrue(mem.writeXdata.stream().noneMatch(x -> x.has(PosixXlator.KILL_SETID_KEY)),
                    "root (CAP_FSETID) keeps set-id bits: " + mem.writeXdata);
            Process p = new ProcessBuilder("setpriv", "--reuid=1001", "--regid=1001", "--clear-groups",
                    "sh", "-c", "printf x >> '" + file + "'").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(mem.writeXdata.get(mem.writeXdata.size() - 1).has(PosixXlator.KILL_SETID_KEY),
                    "an unprivileged write asks the bricks to clear them");
        });
    }

    private static boolean kernelAtLeast(int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)")
                .matcher(System.getProperty("os.version"));
        if (!m.find()) return false;
        int ma = Integer.parseInt(m.group(1)), mi = Integer.parseInt(m.group(2));
        return ma > major || (ma == major && mi >= minor);
    }

    @Test
    void optionLibfuseRejectsFailsTheMountWithAClearError() throws Exception {
        FuseBridge bridge = new FuseBridge(new MemoryXlator(), FuseBridge.Settings.defaults("bad"));
        Path mp = Files.createTempDirectory("glusterj-mnt");
        try {
            MountException e = org.junit.jupiter.api.Assertions.assertThrows(MountException.class,
                    () -> bridge.mount(mp, new String[] {"-o", "no_such_fuse_option"}));
            assertTrue(e.getMessage().contains("mount of " + mp + " failed"), e.getMessage());
            assertTrue(bridge.whenMounted().isCompletedExceptionally());
            assertFalse(Files.readString(Path.of("/proc/mounts")).contains(" " + mp + " "));
        } finally {
            Files.deleteIfExists(mp);
        }
    }

    private interface MountedBody {
        void run(Path mountpoint) throws Exception;
    }

    /** Mounts, runs the body, unmounts, and checks that mount() returned. */
    private static void withMount(MemoryXlator mem, String[] args, MountedBody body) throws Exception {
        FuseBridge bridge = new FuseBridge(mem, FuseBridge.Settings.defaults("loop"));
        Path mp = Files.createTempDirectory("glusterj-mnt");
        Thread server = new Thread(() -> bridge.mount(mp, args), "fuse-mount");
        server.setDaemon(true);
        try {
            server.start();
            bridge.whenMounted().get(20, TimeUnit.SECONDS);
            body.run(mp);
        } finally {
            bridge.unmount();
            server.join(TimeUnit.SECONDS.toMillis(15));
            if (Files.readString(Path.of("/proc/mounts")).contains(" " + mp + " ")) Mountpoints.lazyUnmount(mp);
            Files.deleteIfExists(mp);
        }
        assertFalse(server.isAlive(), "mount() returned after unmount");
    }

    private static int umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("Umask:")) return Integer.parseInt(line.substring(6).trim(), 8);
        }
        return 022;
    }

}
