package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.SetAttr;
import org.junit.jupiter.api.Test;

/**
 * Creation is atomic for lookups: a name never exists without its gfid (non-directories are
 * made at their handle and then linked), and a lookup never tags a fresh object with a gfid of
 * its own (directories are named before they are tagged).
 */
class PosixCreateAtomicityTest extends BrickFixture {
    private static final Caller USER = Caller.of(1234, 2345, 99);

    /** A create that finds a file made meanwhile opens it only if the caller may (the brick runs as root). */
    @Test
    void createOfAFileThatAppearedMeanwhileChecksTheCallersAccess() {
        create(Gfid.ROOT, "theirs"); // root's, mode 0644
        assertErrno(Errno.EACCES, posix.create(USER, newEntry(Gfid.ROOT, "theirs", Gfid.random()),
                Sys.O_RDWR | Sys.O_CREAT, 0644, 022, new Fd(new Inode(Gfid.random(), FileType.S_IFREG), 0, 1), null));
        assertErrno(Errno.EACCES, posix.create(USER, newEntry(Gfid.ROOT, "theirs", Gfid.random()),
                Sys.O_RDONLY | Sys.O_TRUNC | Sys.O_CREAT, 0644, 022, new Fd(new Inode(Gfid.random(), FileType.S_IFREG), 0, 1), null));
        Fd readable = new Fd(new Inode(Gfid.random(), FileType.S_IFREG), 0, 1);
        ok(posix.create(USER, newEntry(Gfid.ROOT, "theirs", Gfid.random()), Sys.O_RDONLY | Sys.O_CREAT, 0644, 022,
                readable, null));
        posix.release(readable);
    }

    @Test
    void lookupsRacingCreationsSeeNothingOrTheRequestedGfid() throws Exception {
        Gfid dir = mkdir(Gfid.ROOT, "race");
        int count = 500;
        Gfid[] want = new Gfid[count];
        for (int i = 0; i < count; i++) want[i] = Gfid.random();
        AtomicInteger current = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger lookups = new AtomicInteger();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        int lookers = 2;
        CountDownLatch lookersRunning = new CountDownLatch(lookers);
        ExecutorService pool = Executors.newFixedThreadPool(lookers + 1);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int l = 0; l < lookers; l++) {
                jobs.add(pool.submit(() -> {
                    lookersRunning.countDown();
                    while (!done.get()) {
                        // The object being made right now and the next one, over and over.
                        int i = current.get();
                        for (int k = i; k <= i + 1 && k < count; k++) {
                            lookups.incrementAndGet();
                            CompletableFuture<EntryReply> f = posix.lookup(ROOT, entry(dir, name(k)), null);
                            try {
                                Gfid g = f.join().attr().gfid();
                                if (!g.equals(want[k])) wrong.add(name(k) + " looked up with gfid " + g);
                            } catch (CompletionException e) {
                                Errno errno = FopException.errnoOf(e);
                                if (errno != Errno.ENOENT) wrong.add(name(k) + " looked up: " + errno);
                            }
                        }
                    }
                    return null;
                }));
            }
            jobs.add(pool.submit(() -> {
                try {
                    assertTrue(lookersRunning.await(30, TimeUnit.SECONDS));
                    for (int i = 0; i < count; i++) {
                        current.set(i);
                        makeKind(i, dir, name(i), want[i]);
                    }
                } finally {
                    done.set(true);
                }
                return null;
            }));
            for (Future<?> j : jobs) j.get(120, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            pool.shutdownNow();
        }
        assertEquals(List.of(), List.copyOf(wrong));
        assertTrue(lookups.get() >= lookers, "the lookers ran");
        for (int i = 0; i < count; i++) {
            Path p = brick.resolve("race").resolve(name(i));
            assertEquals(want[i], gfidOnDisk(p), p.toString());
            assertEquals(want[i], ok(posix.lookup(ROOT, entry(dir, name(i)), null)).attr().gfid());
            if (i % 4 != 3) assertEquals(ino(p), ino(handle(want[i])), "name and handle are one inode: " + p);
        }
    }

    private static String name(int i) {
        return "n" + i;
    }

    /** A file, a fifo, a symlink or a directory, in turn. */
    private void makeKind(int i, Gfid dir, String name, Gfid g) {
        switch (i % 4) {
            case 0 -> posix.release(create(dir, name, g, Sys.O_RDWR | Sys.O_EXCL));
            case 1 -> ok(posix.mknod(ROOT, newEntry(dir, name, g), FileType.S_IFIFO | 0644, 0, 022, null));
            case 2 -> ok(posix.symlink(ROOT, "target-" + i, newEntry(dir, name, g), 022, null));
            default -> ok(posix.mkdir(ROOT, newEntry(dir, name, g), 0755, 022, null));
        }
    }

    @Test
    void nameAndHandleAreOneInodeWithTheRequestedGfidOwnerAndGroup() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "shared");
        // A set-group-id directory: new objects take its group even though they are made in .glusterfs.
        ok(posix.setattr(ROOT, byGfid(d), new SetAttr(SetAttr.MODE | SetAttr.GID, 02777, -1, 777, 0,
                SetAttr.UTIME_OMIT, 0, SetAttr.UTIME_OMIT), null));
        Gfid f = Gfid.random(), p = Gfid.random(), l = Gfid.random();
        Fd fd = new Fd(new Inode(f, FileType.S_IFREG), Sys.O_RDWR, 1);
        EntryReply rf = ok(posix.create(USER, newEntry(d, "f", f), Sys.O_RDWR | Sys.O_CREAT | Sys.O_EXCL, 0640, 022,
                fd, null));
        EntryReply rp = ok(posix.mknod(USER, newEntry(d, "p", p), FileType.S_IFIFO | 0666, 0, 027, null));
        EntryReply rl = ok(posix.symlink(USER, "../elsewhere", newEntry(d, "l", l), 022, null));
        posix.release(fd);
        assertEquals(FileType.S_IFREG | 0640, rf.attr().mode());
        assertEquals(FileType.S_IFIFO | 0640, rp.attr().mode());
        assertTrue(rl.attr().isSymlink());
        for (EntryReply r : List.of(rf, rp, rl)) {
            Path name = brick.resolve("shared").resolve(r == rf ? "f" : r == rp ? "p" : "l");
            Gfid g = r.attr().gfid();
            assertEquals(g, gfidOnDisk(name));
            assertEquals(g, gfidOnDisk(handle(g)));
            assertEquals(ino(name), ino(handle(g)));
            assertEquals(2, nlinkOnDisk(name), "the name and the handle");
            assertEquals(1, r.attr().nlink());
            assertEquals(1234, r.attr().uid());
            assertEquals(777, r.attr().gid());
            assertEquals(777, Files.getAttribute(name, "unix:gid", LinkOption.NOFOLLOW_LINKS));
        }
        assertEquals(List.of(f, p, l), List.of(rf.attr().gfid(), rp.attr().gfid(), rl.attr().gfid()));
        assertEquals("../elsewhere", Files.readSymbolicLink(brick.resolve("shared/l")).toString());
    }

    @Test
    void createOverAnExistingNameBehavesAsOpen() throws Exception {
        Fd first = create(Gfid.ROOT, "f");
        write(first, "hello".getBytes(), 0);
        posix.release(first);
        Gfid other = Gfid.random();

        assertErrno(Errno.EEXIST, createCall(other, "f", Sys.O_RDWR | Sys.O_EXCL));
        assertFalse(Files.exists(handle(other), LinkOption.NOFOLLOW_LINKS), "the failed creation left no handle");

        Fd reopened = new Fd(new Inode(other, FileType.S_IFREG), Sys.O_RDWR, 1);
        EntryReply r = ok(posix.create(ROOT, newEntry(Gfid.ROOT, "f", other), Sys.O_RDWR | Sys.O_CREAT, 0600, 0,
                reopened, null));
        assertEquals(first.gfid(), r.attr().gfid(), "the existing file keeps its gfid");
        assertEquals("hello", new String(read(reopened, 10, 0)));
        assertFalse(Files.exists(handle(other), LinkOption.NOFOLLOW_LINKS));
        posix.release(reopened);

        Fd truncating = new Fd(new Inode(other, FileType.S_IFREG), Sys.O_WRONLY, 1);
        r = ok(posix.create(ROOT, newEntry(Gfid.ROOT, "f", other), Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC, 0600, 0,
                truncating, null));
        assertEquals(first.gfid(), r.attr().gfid());
        assertEquals(0, r.attr().size());
        assertEquals(0, Files.size(brick.resolve("f")));
        posix.release(truncating);

        mkdir(Gfid.ROOT, "d");
        ok(posix.symlink(ROOT, "f", newEntry(Gfid.ROOT, "ln", Gfid.random()), 0, null));
        assertErrno(Errno.EISDIR, createCall(other, "d", Sys.O_RDWR));
        assertErrno(Errno.EEXIST, createCall(other, "d", Sys.O_RDWR | Sys.O_EXCL));
        assertErrno(Errno.ELOOP, createCall(other, "ln", Sys.O_RDWR));
        assertErrno(Errno.EEXIST, posix.mknod(ROOT, newEntry(Gfid.ROOT, "f", other), FileType.S_IFIFO | 0644, 0, 0,
                null));
        assertErrno(Errno.EEXIST, posix.symlink(ROOT, "x", newEntry(Gfid.ROOT, "f", other), 0, null));
        assertFalse(Files.exists(handle(other), LinkOption.NOFOLLOW_LINKS), "no failed creation left a handle");
        assertEquals(first.gfid(), gfidOnDisk(brick.resolve("f")));
        assertEquals(2, nlinkOnDisk(brick.resolve("f")));
    }

    private CompletableFuture<EntryReply> createCall(Gfid g, String name, int flags) {
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), flags, 1);
        return posix.create(ROOT, newEntry(Gfid.ROOT, name, g), flags | Sys.O_CREAT, 0644, 0, fd, null);
    }

    @Test
    void aGfidThatNamesAFileIsNotCreatedAgainUnderAnotherName() throws Exception {
        Fd fd = create(Gfid.ROOT, "f");
        posix.release(fd);
        assertErrno(Errno.EEXIST, createCall(fd.gfid(), "g", Sys.O_RDWR));
        assertErrno(Errno.EEXIST, posix.mknod(ROOT, newEntry(Gfid.ROOT, "p", fd.gfid()), FileType.S_IFIFO | 0644, 0,
                0, null));
        assertFalse(Files.exists(brick.resolve("g")));
        assertFalse(Files.exists(brick.resolve("p"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(ino(brick.resolve("f")), ino(handle(fd.gfid())), "the file's handle is intact");
    }

    @Test
    void aHandleLeftByAnInterruptedCreationIsReplaced() throws Exception {
        // A brick that died between making the handle and naming it left a nameless handle.
        Gfid g = Gfid.random();
        Files.createDirectories(handle(g).getParent());
        Files.writeString(handle(g), "leftover");
        Fd fd = create(Gfid.ROOT, "f", g, Sys.O_RDWR | Sys.O_EXCL);
        posix.release(fd);
        assertEquals(ino(brick.resolve("f")), ino(handle(g)));
        assertEquals(0, Files.size(brick.resolve("f")));
        assertEquals(g, gfidOnDisk(brick.resolve("f")));
    }

    @Test
    void aFreshDirectoryWithoutGfidGetsItsCreatorsGfid() throws Exception {
        // Plays mkdir's part by hand: the directory is named first and tagged a little later.
        Path raw = Files.createDirectory(brick.resolve("in-progress"));
        Gfid creators = Gfid.random();
        CompletableFuture<EntryReply> lookup = CompletableFuture.supplyAsync(
                () -> ok(posix.lookup(ROOT, entry(Gfid.ROOT, "in-progress"), null)));
        Thread.sleep(100);
        assertEquals(null, gfidOnDisk(raw), "the lookup tagged a fresh directory itself");
        setGfid(raw, creators);
        assertEquals(creators, lookup.get(10, TimeUnit.SECONDS).attr().gfid());
        assertEquals(creators, gfidOnDisk(raw));
        assertTrue(Files.isSymbolicLink(handle(creators)), "the lookup repaired the missing handle");
        assertEquals(creators, ok(posix.stat(ROOT, byGfid(creators), null)).attr().gfid());
    }

    @Test
    void anUntaggedObjectKeptFreshIsReportedMissingThenHealedOnceItAges() throws Exception {
        Path raw = Files.createDirectory(brick.resolve("busy"));
        AtomicBoolean stop = new AtomicBoolean();
        Thread toucher = new Thread(() -> {
            // chmod changes ctime: the object never stops being fresh while this runs.
            for (int i = 0; !stop.get(); i++) {
                try {
                    Files.setAttribute(raw, "unix:mode", i % 2 == 0 ? 0755 : 0750);
                    Thread.sleep(20);
                } catch (Exception e) {
                    return;
                }
            }
        });
        toucher.start();
        try {
            assertErrno(Errno.ENOENT, posix.lookup(ROOT, entry(Gfid.ROOT, "busy"), null));
            assertEquals(null, gfidOnDisk(raw));
        } finally {
            stop.set(true);
            toucher.join();
        }
        Thread.sleep(BrickStore.FRESH.toMillis() + 100);
        Gfid healed = ok(posix.lookup(ROOT, entry(Gfid.ROOT, "busy"), null)).attr().gfid();
        assertNotNull(healed);
        assertNotEquals(Gfid.ROOT, healed);
        assertEquals(healed, gfidOnDisk(raw));
    }

    @Test
    void freshMeansAChangeWithinASecondEitherSideOfNow() {
        java.time.Instant now = java.time.Instant.ofEpochSecond(1_700_000_000L, 500_000_000);
        assertTrue(BrickStore.isFresh(statWithCtime(1_700_000_000L, 0), now));
        assertTrue(BrickStore.isFresh(statWithCtime(1_699_999_999L, 600_000_000), now));
        assertFalse(BrickStore.isFresh(statWithCtime(1_699_999_999L, 400_000_000), now));
        assertFalse(BrickStore.isFresh(statWithCtime(1_699_999_000L, 0), now), "old");
        assertFalse(BrickStore.isFresh(statWithCtime(1_700_000_002L, 0), now), "far in the future");
    }

    private static StatBuf statWithCtime(long sec, long nsec) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(StatBuf.SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(104, sec).putLong(112, nsec);
        return new StatBuf(b.array());
    }

    private static void setGfid(Path p, Gfid g) {
        assertEquals(0, Sys.C.lsetxattr(Sys.cstr(p.toString()), Sys.cstr(BrickStore.GFID_XATTR), g.toBytes(), 16,
                Sys.XATTR_CREATE), "set gfid by hand");
    }
}
