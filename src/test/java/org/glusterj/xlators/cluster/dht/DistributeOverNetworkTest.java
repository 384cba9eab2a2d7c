package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.glusterj.xlators.protocol.server.ServerXlator;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** distribute over protocol/client → loopback TCP → protocol/server → storage/posix, as a mount runs it. */
class DistributeOverNetworkTest {
    private static final Path ROOT_DIR = Path.of("target", "dht-net").toAbsolutePath();
    private static final Caller C = Caller.of(0, 0, 1);
    private static final DmHash HASH = DmHash.withDefaults();

    private Path base;
    private final List<Path> dirs = new ArrayList<>();
    private final List<PosixXlator> bricks = new ArrayList<>();
    private final List<ServerXlator> servers = new ArrayList<>();
    private final List<ClientXlator> clients = new ArrayList<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private DistributeXlator dht;

    @BeforeEach
    void setUp(TestInfo info) throws Exception {
        Files.createDirectories(ROOT_DIR);
        base = Files.createTempDirectory(ROOT_DIR, info.getTestMethod().map(m -> m.getName()).orElse("t") + "-");
        for (int i = 0; i < 2; i++) {
            dirs.add(Files.createDirectory(base.resolve("brick" + i)));
            startBrick(i, 0);
            clients.add(new ClientXlator(XlatorConfig.of("net-client-" + i, "protocol/client", Options.of(
                    "remote-host", "127.0.0.1", "remote-port", String.valueOf(servers.get(i).boundPort()),
                    "remote-subvolume", "brick-" + i, "ping-timeout", "2"), List.of())));
        }
        dht = new DistributeXlator(XlatorConfig.of("net-dht", "cluster/distribute", Options.NONE, List.copyOf(clients)));
        dht.addListener((e, src) -> events.add(e));
        dht.notify(Event.PARENT_UP, null);
        assertEquals(Event.CHILD_UP, events.poll(10, TimeUnit.SECONDS), "distribute reports up once both bricks are");
    }

    private void startBrick(int i, int port) {
        PosixXlator p = new PosixXlator(XlatorConfig.of("brick-" + i, "storage/posix",
                Options.of("directory", dirs.get(i).toString()), List.of()));
        ServerXlator s = new ServerXlator(XlatorConfig.of("server-" + i, "protocol/server", Options.of(
                "transport.socket.listen-port", String.valueOf(port), "transport.socket.bind-address", "127.0.0.1",
                "auth.addr.brick-" + i + ".allow", "127.0.0.1"),
                List.of(p)));
        s.notify(Event.PARENT_UP, null);
        if (bricks.size() > i) {
            bricks.set(i, p);
            servers.set(i, s);
        } else {
            bricks.add(p);
            servers.add(s);
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        clients.forEach(Xlator::fini);
        servers.forEach(Xlator::fini);
        bricks.forEach(Xlator::fini);
        try (var s = Files.walk(base)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static <T> T ok(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("fop failed: " + e.getCause(), e.getCause());
        }
    }

    private static Errno err(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        return FopException.errnoOf(e.getCause());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    private void write(Gfid parent, String name, byte[] content) throws Exception {
        Loc loc = new Loc(Gfid.random(), parent, name, null);
        Fd fd = new Fd(new Inode(loc.gfid(), FileType.S_IFREG), 1, 1);
        ok(dht.create(C, loc, 0101, 0644, 022, fd, Xdata.EMPTY));
        ByteBuf buf = Unpooled.directBuffer(content.length).writeBytes(content);
        ok(dht.writev(C, fd, buf, 0, 0, Xdata.EMPTY));
        ok(dht.flush(C, fd, Xdata.EMPTY));
        dht.release(fd);
    }

    private byte[] read(Xlator d, Gfid parent, String name) throws Exception {
        EntryReply r = ok(d.lookup(C, Loc.entry(parent, name, null), Xdata.EMPTY));
        Fd fd = new Fd(new Inode(r.attr().gfid(), FileType.S_IFREG), 0, 1);
        ok(d.open(C, Loc.of(r.attr().gfid(), null), 0, fd, Xdata.EMPTY));
        ReadReply rr = ok(d.readv(C, fd, 1 << 16, 0, 0, Xdata.EMPTY));
        byte[] out = new byte[rr.data().readableBytes()];
        rr.data().readBytes(out);
        rr.data().release();
        d.release(fd);
        return out;
    }

    private List<String> list(Gfid dir) throws Exception {
        Fd fd = new Fd(new Inode(dir, FileType.S_IFDIR), 0, 1);
        ok(dht.opendir(C, Loc.of(dir, null), fd, Xdata.EMPTY));
        List<String> names = new ArrayList<>();
        long off = 0;
        while (true) {
            ReaddirReply r = ok(dht.readdirp(C, fd, 1024, off, Xdata.EMPTY));
            if (r.entries().isEmpty()) break;
            for (Dirent d : r.entries()) names.add(d.name());
            off = r.entries().get(r.entries().size() - 1).offset();
        }
        dht.releasedir(fd);
        return names;
    }

    @Test
    void aKilledBrickFailsOnlyItsFilesAndReturnsWhenRestarted() throws Exception {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid d = ok(dht.mkdir(C, new Loc(Gfid.random(), Gfid.ROOT, "data", "/data"), 0755, 022, Xdata.EMPTY)).attr().gfid();
        Layout layout = dht.knownLayout(d);
        Map<String, Integer> where = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            String name = "file-" + i;
            write(d, name, name.getBytes(StandardCharsets.UTF_8));
            where.put(name, layout.subvolFor(HASH.hashName(name)));
            assertTrue(Files.exists(dirs.get(where.get(name)).resolve("data").resolve(name)));
        }
        assertEquals(40, list(d).stream().filter(n -> n.startsWith("file-")).count());

        int port = servers.get(1).boundPort();
        servers.get(1).fini();
        bricks.get(1).fini();
        await(() -> !clients.get(1).isConnected(), "the client notices the brick is gone");
        assertEquals(Event.SOME_DESCENDENT_DOWN, events.poll(10, TimeUnit.SECONDS),
                "one brick is still up: no CHILD_DOWN upward, but caches hear that one went");
        for (Map.Entry<String, Integer> e : where.entrySet()) {
            if (e.getValue() == 0) {
                assertArrayEquals(e.getKey().getBytes(StandardCharsets.UTF_8), read(dht, d, e.getKey()));
            } else {
                assertEquals(Errno.ENOTCONN, err(dht.lookup(C, Loc.entry(d, e.getKey(), null), Xdata.EMPTY)));
            }
        }

        startBrick(1, port);
        await(() -> clients.get(1).isConnected(), "the client reconnects");
        for (String name : where.keySet()) {
            assertArrayEquals(name.getBytes(StandardCharsets.UTF_8), read(dht, d, name));
        }
        assertEquals(40, list(d).stream().filter(n -> n.startsWith("file-")).count());
    }

    @Test
    void renamesAndListingsWorkOverTheWire() throws Exception {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Layout root = dht.knownLayout(Gfid.ROOT);
        write(Gfid.ROOT, "a", "payload".getBytes(StandardCharsets.UTF_8));
        String to = "b";
        for (int i = 0; root.subvolFor(HASH.hashName(to)) == root.subvolFor(HASH.hashName("a")); i++) to = "b" + i;
        ok(dht.rename(C, Loc.entry(Gfid.ROOT, "a", "/a"), Loc.entry(Gfid.ROOT, to, "/" + to), Xdata.EMPTY));
        DistributeXlator other = new DistributeXlator(XlatorConfig.of("net-dht-2", "cluster/distribute", Options.NONE,
                List.copyOf(clients)));
        assertArrayEquals("payload".getBytes(StandardCharsets.UTF_8), read(other, Gfid.ROOT, to));
        List<String> names = list(Gfid.ROOT);
        assertEquals(1, names.stream().filter(to::equals).count());
        assertEquals(0, names.stream().filter("a"::equals).count());
    }
}
