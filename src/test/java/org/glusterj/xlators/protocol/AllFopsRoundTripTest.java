package org.glusterj.xlators.protocol;

import static org.glusterj.xlators.protocol.RecordingXlator.canon;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.glusterj.core.*;
import org.glusterj.options.Options;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.glusterj.xlators.protocol.server.ServerXlator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every fop through protocol/client → TCP → protocol/server → a recording brick: the brick sees
 * exactly the arguments sent, the caller gets exactly the reply the brick gave.
 */
class AllFopsRoundTripTest {
    private static final Caller CALLER = new Caller(1001, 1002, new int[] {7, 8, 9}, 31337, -5L);
    private static final Xdata X = Xdata.of(Map.of("gfid-req", new byte[] {1, 2}, "k", "v".getBytes(StandardCharsets.UTF_8)));
    private static final Gfid G = Gfid.random();
    private static final Gfid DIR = Gfid.random();
    private static final Loc LOC = new Loc(G, Gfid.ROOT, "fïle ☃", "/fïle ☃");
    private static final Loc LOC2 = new Loc(null, DIR, "other", null);
    private static final Iatt IATT = new Iatt(G, FileType.S_IFREG | 0640, 3, 1001, 1002, 77L, 123456789012L, 99L, 4096,
            1_700_000_000L, 1, 1_700_000_001L, 999_999_999, -2L, 3);
    private static final Iatt IATT2 = IATT.withSize(5).withNlink(1);

    private static RecordingXlator brick;
    private static ServerXlator server;
    private static ClientXlator client;
    private static Fd fd;
    private static Fd dirFd;

    @BeforeAll
    static void start() throws Exception {
        brick = new RecordingXlator("brick");
        server = new ServerXlator(XlatorConfig.of("server", "protocol/server", Options.of(
                "transport.socket.listen-port", "0", "transport.socket.bind-address", "127.0.0.1",
                "auth.addr.brick.allow", "*"), List.of(brick)));
        server.notify(Event.PARENT_UP, null);
        client = new ClientXlator(XlatorConfig.of("client", "protocol/client", Options.of(
                "remote-host", "127.0.0.1", "remote-port", String.valueOf(server.boundPort()),
                "remote-subvolume", "brick"), List.of()));
        LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        client.addListener((e, s) -> events.add(e));
        client.notify(Event.PARENT_UP, null);
        assertEquals(Event.CHILD_UP, events.poll(10, TimeUnit.SECONDS));

        fd = new Fd(new Inode(G, FileType.S_IFREG), 02, 1);
        check("open", Done.OK, () -> client.open(CALLER, LOC, 02 | 01000, fd, X), CALLER, LOC, 02 | 01000, 02 | 01000, X);
        dirFd = new Fd(new Inode(DIR, FileType.S_IFDIR), 0, 1);
        check("opendir", new Done(X), () -> client.opendir(CALLER, Loc.of(DIR, "/d"), dirFd, Xdata.EMPTY),
                CALLER, Loc.of(DIR, "/d"), Xdata.EMPTY);
    }

    @AfterAll
    static void stop() {
        client.fini();
        server.fini();
    }

    private static <T> void check(String fop, Object reply, Supplier<CompletableFuture<T>> call, Object... expectedArgs)
            throws Exception {
        brick.replies.put(fop, reply);
        T got = call.get().get(10, TimeUnit.SECONDS);
        RecordingXlator.Call seen = brick.calls.poll(1, TimeUnit.SECONDS);
        assertNotNull(seen, fop + " reached the brick");
        assertEquals(fop, seen.fop());
        List<Object> args = new java.util.ArrayList<>(seen.args());
        Caller brickSaw = (Caller) args.get(0);
        assertNotNull(brickSaw.client(), fop + " carries the connection it came on (Caller.client)");
        args.set(0, brickSaw.withClient(null)); // the only part of the identity that does not travel
        assertEquals(canon(Arrays.asList(expectedArgs)), canon(args), fop + " arguments");
        if (got instanceof ReadReply r) {
            try {
                assertEquals(canon(reply), canon(r), fop + " reply");
            } finally {
                r.data().release();
            }
        } else {
            assertEquals(canon(reply), canon(got), fop + " reply");
        }
    }

    @Test
    void entryAndInodeFops() throws Exception {
        EntryReply entry = new EntryReply(IATT, null, IATT2, X);
        check("lookup", entry, () -> client.lookup(CALLER, LOC, X), CALLER, LOC, X);
        check("stat", new AttrReply(IATT, null), () -> client.stat(CALLER, LOC, null), CALLER, LOC, Xdata.EMPTY);
        check("fstat", new AttrReply(IATT2, X), () -> client.fstat(CALLER, fd, X), CALLER, G, X);
        check("access", Done.OK, () -> client.access(CALLER, LOC, 07, null), CALLER, LOC, 7, Xdata.EMPTY);
        check("readlink", new ReadlinkReply("../t☃rget", IATT, null), () -> client.readlink(CALLER, LOC, 4096, null),
                CALLER, LOC, 4096, Xdata.EMPTY);
        EntryReply full = new EntryReply(IATT, IATT2, IATT, null);
        check("mknod", full, () -> client.mknod(CALLER, LOC, FileType.S_IFCHR | 0600, 0x0501L, 022, X),
                CALLER, LOC, FileType.S_IFCHR | 0600, 0x0501L, 022, X);
        check("mkdir", full, () -> client.mkdir(CALLER, LOC, 0755, 022, X), CALLER, LOC, 0755, 022, X);
        ParentReply parent = new ParentReply(IATT, IATT2, X);
        check("unlink", parent, () -> client.unlink(CALLER, LOC, 1, X), CALLER, LOC, 1, X);
        check("rmdir", parent, () -> client.rmdir(CALLER, LOC, 0, X), CALLER, LOC, 0, X);
        check("symlink", full, () -> client.symlink(CALLER, "/abs/target", LOC, 0, X), CALLER, "/abs/target", LOC, 0, X);
        check("rename", new RenameReply(IATT, IATT2, IATT, null, IATT2, X), () -> client.rename(CALLER, LOC, LOC2, X),
                CALLER, LOC, LOC2, X);
        check("link", full, () -> client.link(CALLER, LOC, LOC2, X), CALLER, LOC, LOC2, X);
        ChangeReply change = new ChangeReply(IATT, IATT2, X);
        check("truncate", change, () -> client.truncate(CALLER, LOC, 1L << 40, X), CALLER, LOC, 1L << 40, X);
        check("ftruncate", change, () -> client.ftruncate(CALLER, fd, 0, X), CALLER, G, 0L, X);
        SetAttr sa = new SetAttr(SetAttr.MODE | SetAttr.MTIME, 0600, -1, -1, 0, SetAttr.UTIME_OMIT, 1234, SetAttr.UTIME_NOW);
        check("setattr", change, () -> client.setattr(CALLER, LOC, sa, X), CALLER, LOC, sa, X);
        check("fsetattr", change, () -> client.fsetattr(CALLER, fd, SetAttr.owner(5, -1), X), CALLER, G, SetAttr.owner(5, -1), X);
        Statvfs sv = new Statvfs(4096, 4096, 1L << 30, 12345, 12000, 1000000, 999, 998, 0xdeadbeefL, 0, 255);
        check("statfs", new StatfsReply(sv, X), () -> client.statfs(CALLER, Loc.root(), X), CALLER, Loc.root(), X);
    }

    @Test
    void openFileFops() throws Exception {
        Fd created = new Fd(new Inode(G, FileType.S_IFREG), 0101, 1);
        check("create", new EntryReply(IATT, IATT2, IATT, X), () -> client.create(CALLER, LOC, 0101, 0644, 022, created, X),
                CALLER, LOC, 0101, 0644, 022, X);
        ByteBuf payload = Unpooled.buffer().writeBytes("payload bytes".getBytes(StandardCharsets.UTF_8));
        check("readv", new ReadReply(payload, IATT, X), () -> client.readv(CALLER, fd, 65536, 1L << 33, 0, X),
                CALLER, G, 65536, 1L << 33, 0, X);
        payload.release();
        ChangeReply change = new ChangeReply(IATT, IATT2, null);
        check("writev", change, () -> client.writev(CALLER, fd, Unpooled.copiedBuffer("written ☃", StandardCharsets.UTF_8),
                17, 1, X), CALLER, G, "written ☃", 17L, 1, X);
        check("writev", change, () -> client.writev(CALLER, fd, Unpooled.EMPTY_BUFFER, 0, 0, null),
                CALLER, G, "", 0L, 0, Xdata.EMPTY);
        assertEquals(Done.OK, client.flush(CALLER, fd, null).get(10, TimeUnit.SECONDS));
        assertNull(brick.calls.poll(200, TimeUnit.MILLISECONDS), "flush is answered by the client: the brick has nothing to do");
        check("fsync", change, () -> client.fsync(CALLER, fd, true, X), CALLER, G, true, X);
        check("fallocate", change, () -> client.fallocate(CALLER, fd, 1, 10, 20, X), CALLER, G, 1, 10L, 20L, X);
        check("discard", change, () -> client.discard(CALLER, fd, 30, 40, X), CALLER, G, 30L, 40L, X);
        check("zerofill", change, () -> client.zerofill(CALLER, fd, 50, 60, X), CALLER, G, 50L, 60L, X);
        check("seek", new SeekReply(8192, X), () -> client.seek(CALLER, fd, 100, 3, X), CALLER, G, 100L, 3, X);
        Flock lock = new Flock(Flock.F_WRLCK, 0, 10, 0, 4242, 0x1234567890L);
        check("lk", new LkReply(new Flock(Flock.F_RDLCK, 0, 0, 5, 99, 7L), X), () -> client.lk(CALLER, fd, Flock.F_SETLKW, lock, X),
                CALLER, G, Flock.F_SETLKW, lock, X);
        check("entrylk", Done.OK, () -> client.entrylk(CALLER, "dht.entry.sync", LOC2, "nämé", EntrylkCmd.LOCK_NB, X),
                CALLER, "dht.entry.sync", LOC2, "nämé", EntrylkCmd.LOCK_NB, X);
    }

    @Test
    void directoryAndXattrFops() throws Exception {
        List<Dirent> entries = List.of(
                new Dirent("a", 11, 1, 8, null, null),
                new Dirent("ß☃", 12, 2, 4, IATT, X));
        check("readdir", new ReaddirReply(entries, null), () -> client.readdir(CALLER, dirFd, 4096, 0, null),
                CALLER, DIR, 4096, 0L, Xdata.EMPTY);
        check("readdirp", new ReaddirReply(List.of(), X), () -> client.readdirp(CALLER, dirFd, 131072, 2, X),
                CALLER, DIR, 131072, 2L, X);
        check("fsyncdir", Done.OK, () -> client.fsyncdir(CALLER, dirFd, false, null), CALLER, DIR, false, Xdata.EMPTY);
        Map<String, byte[]> xattrs = Map.of("user.a", new byte[] {0, 1, -1}, "trusted.empty", new byte[0]);
        check("getxattr", new XattrReply(xattrs, X), () -> client.getxattr(CALLER, LOC, null, X), CALLER, LOC, null, X);
        check("fgetxattr", new XattrReply(Map.of("user.a", new byte[] {3}), null), () -> client.fgetxattr(CALLER, fd, "user.a", null),
                CALLER, G, "user.a", Xdata.EMPTY);
        check("setxattr", Done.OK, () -> client.setxattr(CALLER, LOC, xattrs, 1, X), CALLER, LOC, xattrs, 1, X);
        check("fsetxattr", Done.OK, () -> client.fsetxattr(CALLER, fd, xattrs, 2, null), CALLER, G, xattrs, 2, Xdata.EMPTY);
        check("removexattr", Done.OK, () -> client.removexattr(CALLER, LOC, "user.a", X), CALLER, LOC, "user.a", X);
        check("fremovexattr", Done.OK, () -> client.fremovexattr(CALLER, fd, "user.a", X), CALLER, G, "user.a", X);
    }

    @Test
    void errnoAndMessageTravelBack() throws Exception {
        brick.replies.put("lookup", new FopException(Errno.ESTALE, "gone elsewhere"));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> client.lookup(CALLER, LOC, null).get(10, TimeUnit.SECONDS));
        brick.calls.clear();
        assertEquals(Errno.ESTALE, FopException.errnoOf(e));
    }

    @Test
    void releaseReachesTheBrickAndEndsTheFd() throws Exception {
        Gfid g = Gfid.random();
        Fd f = new Fd(new Inode(g, FileType.S_IFREG), 0, 1);
        check("open", Done.OK, () -> client.open(CALLER, Loc.of(g, null), 0, f, null), CALLER, Loc.of(g, null), 0, 0, Xdata.EMPTY);
        client.release(f);
        RecordingXlator.Call seen = brick.calls.poll(5, TimeUnit.SECONDS);
        assertNotNull(seen);
        assertEquals("release", seen.fop());
        assertEquals(List.of(g), seen.args());
        CompletableFuture<AttrReply> after = client.fstat(CALLER, f, null);
        assertTrue(after.isCompletedExceptionally(), "a released fd fails locally");
    }
}
