package org.glusterj.xlators.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
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
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.glusterj.xlators.protocol.server.ServerXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** protocol/client talking to protocol/server over real loopback TCP, on an in-memory brick. */
class LoopbackTest {
    private static final Caller ALICE = new Caller(1000, 100, new int[] {100, 4, 27}, 4242, 0xABCDEFL);
    private final List<Xlator> started = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (Xlator x : started) x.fini();
    }

    private ServerXlator server(Xlator child, int port, String allow) {
        Options opts = allow == null
                ? Options.of("transport.socket.listen-port", String.valueOf(port), "transport.socket.bind-address", "127.0.0.1")
                : Options.of("transport.socket.listen-port", String.valueOf(port), "transport.socket.bind-address", "127.0.0.1",
                        "auth.addr." + child.name() + ".allow", allow, "transport-type", "tcp");
        ServerXlator s = new ServerXlator(XlatorConfig.of("server", "protocol/server", opts, List.of(child)));
        s.notify(Event.PARENT_UP, null);
        started.add(s);
        return s;
    }

    private ClientXlator client(int port, String subvolume, BlockingQueue<Event> events) {
        ClientXlator c = new ClientXlator(XlatorConfig.of("client-0", "protocol/client", Options.of(
                "remote-host", "127.0.0.1", "remote-port", String.valueOf(port), "remote-subvolume", subvolume,
                "ping-timeout", "2", "transport-type", "tcp"), List.of()));
        c.addListener((e, src) -> events.add(e));
        c.notify(Event.PARENT_UP, null);
        started.add(0, c);
        return c;
    }

    private static void awaitEvent(BlockingQueue<Event> events, Event wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Event e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e == wanted) return;
        }
        throw new AssertionError("no " + wanted + " within 10 s");
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static Errno failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return FopException.errnoOf(e);
        }
        throw new AssertionError("expected a failure, got success");
    }

    private static Fd newFd(Gfid g, int type, int flags) {
        return new Fd(new Inode(g, type), flags, 1);
    }

    /** A server and a connected client over one in-memory brick. */
    private record Setup(MemoryXlator brick, ServerXlator server, ClientXlator client, BlockingQueue<Event> events) {
    }

    private Setup connected() throws Exception {
        MemoryXlator brick = new MemoryXlator("brick");
        ServerXlator s = server(brick, 0, "127.0.0.*");
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        ClientXlator c = client(s.boundPort(), "brick", events);
        awaitEvent(events, Event.CHILD_UP);
        return new Setup(brick, s, c, events);
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.directBuffer().writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ReadReply r) {
        try {
            return r.data().toString(StandardCharsets.UTF_8);
        } finally {
            r.data().release();
        }
    }

    @Test
    void fopsRoundTripWithValuesErrnosAndCallerIdentity() throws Exception {
        Setup t = connected();
        ClientXlator c = t.client();

        Gfid dirGfid = Gfid.random();
        EntryReply dir = get(c.mkdir(ALICE, Loc.entry(Gfid.ROOT, "d", "/d").withGfid(dirGfid), 0777, 022, null));
        assertEquals(dirGfid, dir.attr().gfid());
        assertEquals(FileType.S_IFDIR | 0755, dir.attr().mode());
        assertEquals(1000, dir.attr().uid(), "new directory owned by the caller's uid");
        assertEquals(ALICE, t.brick().callers.get(t.brick().callers.size() - 1), "caller identity reaches the brick");

        Gfid fileGfid = Gfid.random();
        Fd fd = newFd(fileGfid, FileType.S_IFREG, 02);
        EntryReply created = get(c.create(ALICE, Loc.entry(dirGfid, "f", "/d/f").withGfid(fileGfid), 02, 0644, 0, fd, null));
        assertEquals(fileGfid, created.attr().gfid());
        assertTrue(created.attr().isRegular());

        ChangeReply w = get(c.writev(ALICE, fd, bytes("hello, brick"), 0, 0, null));
        assertEquals(0, w.pre().size());
        assertEquals(12, w.post().size());
        assertEquals("brick", text(get(c.readv(ALICE, fd, 100, 7, 0, null))));
        assertEquals(12, get(c.fstat(ALICE, fd, null)).attr().size());

        EntryReply looked = get(c.lookup(ALICE, Loc.entry(dirGfid, "f", "/d/f"), Xdata.of("echo", "ping")));
        assertEquals(fileGfid, looked.attr().gfid());
        assertEquals("ping", looked.xdata().getString("echoed"), "xdata travels both ways");
        assertNull(looked.preParent());

        assertEquals(Errno.ENOENT, failure(c.lookup(ALICE, Loc.entry(dirGfid, "missing", "/d/missing"), null)));
        assertEquals(Errno.EEXIST, failure(c.mkdir(ALICE, Loc.entry(Gfid.ROOT, "d", "/d"), 0755, 0, null)));

        get(c.setxattr(ALICE, Loc.of(fileGfid, "/d/f"), Map.of("user.k", new byte[] {1, 2, 3}), 0, null));
        assertArrayEquals(new byte[] {1, 2, 3}, get(c.getxattr(ALICE, Loc.of(fileGfid, "/d/f"), "user.k", null)).values().get("user.k"));
        assertEquals(Errno.ENODATA, failure(c.getxattr(ALICE, Loc.of(fileGfid, "/d/f"), "user.none", null)));

        Fd dirFd = newFd(dirGfid, FileType.S_IFDIR, 0);
        get(c.opendir(ALICE, Loc.of(dirGfid, "/d"), dirFd, null));
        List<Dirent> entries = get(c.readdirp(ALICE, dirFd, 4096, 0, null)).entries();
        assertEquals(1, entries.size());
        assertEquals("f", entries.get(0).name());
        assertEquals(12, entries.get(0).attr().size());
        assertTrue(get(c.readdir(ALICE, dirFd, 4096, entries.get(0).offset(), null)).entries().isEmpty());

        assertEquals(Errno.EBADF, failure(c.fstat(ALICE, newFd(Gfid.random(), FileType.S_IFREG, 0), null)),
                "an fd never opened through this client");
        {
            Throwable err = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> c.fsync(ALICE, fd, false, null).get(10, TimeUnit.SECONDS));
            assertEquals(Errno.EIO, FopException.errnoOf(err), "a brick-side bug is EIO, not a hang");
            assertTrue(err.getCause().getMessage().contains("has no subvolume"), err.getCause().getMessage());
        }

        c.release(fd);
        c.releasedir(dirFd);
        assertEquals(Errno.EBADF, failure(c.fstat(ALICE, fd, null)), "released fd");
        awaitTrue(() -> t.brick().openFds.get() == 0, "RELEASE reaches the brick");
    }

    @Test
    void manyConcurrentCallsShareOneConnection() throws Exception {
        Setup t = connected();
        ClientXlator c = t.client();
        Gfid g = Gfid.random();
        Fd fd = newFd(g, FileType.S_IFREG, 02);
        get(c.create(ALICE, Loc.entry(Gfid.ROOT, "big", "/big").withGfid(g), 02, 0644, 0, fd, null));
        List<CompletableFuture<ChangeReply>> writes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            writes.add(c.writev(ALICE, fd, bytes(String.format("%04d", i)), i * 4L, 0, null));
        }
        for (CompletableFuture<ChangeReply> w : writes) get(w);
        List<CompletableFuture<ReadReply>> reads = new ArrayList<>();
        for (int i = 0; i < 200; i++) reads.add(c.readv(ALICE, fd, 4, i * 4L, 0, null));
        for (int i = 0; i < 200; i++) assertEquals(String.format("%04d", i), text(get(reads.get(i))));
    }

    @Test
    void unknownSubvolumeIsRefusedAndLogged() throws Exception {
        MemoryXlator brick = new MemoryXlator("brick");
        ServerXlator s = server(brick, 0, "*");
        ListAppender<ILoggingEvent> logged = capture(ClientXlator.class);
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        client(s.boundPort(), "nope", events);
        awaitEvent(events, Event.CHILD_DOWN);
        assertNull(events.poll(1, TimeUnit.SECONDS), "CHILD_UP must never come");
        assertTrue(logged.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                && e.getFormattedMessage().contains("brick nope not found here; exported: brick")), "refusal logged with reason");
    }

    @Test
    void disallowedAddressIsRefused() throws Exception {
        MemoryXlator brick = new MemoryXlator("brick");
        ServerXlator s = server(brick, 0, "10.1.2.*, 192.168.*");
        ListAppender<ILoggingEvent> logged = capture(ClientXlator.class);
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        ClientXlator c = client(s.boundPort(), "brick", events);
        awaitEvent(events, Event.CHILD_DOWN);
        assertNull(events.poll(1, TimeUnit.SECONDS), "CHILD_UP must never come");
        assertTrue(logged.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                && e.getFormattedMessage().contains("address 127.0.0.1 not allowed by auth.addr.brick.allow")));
        assertEquals(Errno.ENOTCONN, failure(c.lookup(ALICE, Loc.root(), null)), "calls fail at once while down");
    }

    @Test
    void noAllowOptionAllowsNobody() throws Exception {
        MemoryXlator brick = new MemoryXlator("brick");
        ServerXlator s = server(brick, 0, null);
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        client(s.boundPort(), "brick", events);
        awaitEvent(events, Event.CHILD_DOWN);
        assertNull(events.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void serverShutdownFailsPendingCallsThenRestartReconnectsAndReopensFds() throws Exception {
        Setup t = connected();
        ClientXlator c = t.client();
        int port = t.server().boundPort();
        Gfid g = Gfid.random();
        Fd fd = newFd(g, FileType.S_IFREG, 02);
        get(c.create(ALICE, Loc.entry(Gfid.ROOT, "kept", "/kept").withGfid(g), 02, 0644, 0, fd, null));
        get(c.writev(ALICE, fd, bytes("survives"), 0, 0, null));

        CompletableFuture<EntryReply> pending = c.lookup(ALICE, Loc.entry(Gfid.ROOT, "hang", "/hang"), null);
        Thread.sleep(100);
        assertFalse(pending.isDone());
        long before = System.nanoTime();
        t.server().fini();
        Errno e = failure(pending);
        assertEquals(Errno.ENOTCONN, e);
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(2), "pending call failed promptly");
        awaitEvent(t.events(), Event.CHILD_DOWN);
        awaitTrue(() -> t.brick().openFds.get() == 0, "the server released the connection's fds");
        assertEquals(Errno.ENOTCONN, failure(c.fstat(ALICE, fd, null)));
        assertEquals(Errno.ENOTCONN, failure(c.flush(ALICE, fd, null)), "a close on a lost brick fails, though flush sends nothing");

        server(t.brick(), port, "127.0.0.1");
        awaitEvent(t.events(), Event.CHILD_UP);
        assertEquals(1, t.brick().openFds.get(), "the fd was reopened on the new server");
        assertEquals("survives", text(get(c.readv(ALICE, fd, 100, 0, 0, null))));
        assertEquals(8, get(c.fstat(ALICE, fd, null)).attr().size());
    }

    /** Passes everything to the brick, but holds the opens that arrive while {@link #hold} is set. */
    private static final class OpenGate extends Xlator {
        volatile boolean hold;
        final BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();

        OpenGate(Xlator brick) {
            super(XlatorConfig.of("brick", "test/open-gate", Options.NONE, List.of(brick)));
        }

        @Override
        public CompletableFuture<org.glusterj.core.Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
            if (!hold) return firstChild().open(c, loc, flags, fd, x);
            CompletableFuture<org.glusterj.core.Done> later = new CompletableFuture<>();
            held.add(() -> firstChild().open(c, loc, flags, fd, x).whenComplete((d, t) -> {
                if (t != null) later.completeExceptionally(t);
                else later.complete(d);
            }));
            return later;
        }
    }

    /**
     * A close while the client reopens its fds after a reconnection: the RELEASE must reach the
     * brick once the reopen is answered, or the reopened fd stays open there until the next
     * disconnection.
     */
    @Test
    void aReleaseWhileTheFdIsBeingReopenedReachesTheBrickOnceReopened() throws Exception {
        MemoryXlator brick = new MemoryXlator("memory");
        OpenGate gate = new OpenGate(brick);
        ServerXlator s = server(gate, 0, "127.0.0.*");
        int port = s.boundPort();
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        ClientXlator c = client(port, "brick", events);
        awaitEvent(events, Event.CHILD_UP);
        Gfid g = Gfid.random();
        Fd fd = newFd(g, FileType.S_IFREG, 02);
        get(c.create(ALICE, Loc.entry(Gfid.ROOT, "f", "/f").withGfid(g), 02, 0644, 0, fd, null));
        s.fini();
        awaitEvent(events, Event.CHILD_DOWN);
        awaitTrue(() -> brick.openFds.get() == 0, "the server released the connection's fds");

        gate.hold = true;
        server(gate, port, "127.0.0.*");
        Runnable reopen = gate.held.poll(10, TimeUnit.SECONDS);
        assertTrue(reopen != null, "the client reopens its fd on the new server");
        c.release(fd);
        reopen.run();
        awaitEvent(events, Event.CHILD_UP);
        awaitTrue(() -> brick.openFds.get() == 0, "the release reached the brick once the fd was reopened");
        assertEquals(Errno.EBADF, failure(c.fstat(ALICE, fd, null)), "the fd is released on the client too");
    }

    @Test
    void garbageSenderIsDisconnectedWhileRealClientKeepsWorking() throws Exception {
        Setup t = connected();
        try (Socket raw = new Socket("127.0.0.1", t.server().boundPort())) {
            raw.setSoTimeout(5000);
            OutputStream out = raw.getOutputStream();
            out.write(new byte[] {0, 0, 0, 20, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
            out.flush();
            InputStream in = raw.getInputStream();
            assertEquals(-1, in.read(), "server closes the garbage connection");
        }
        assertEquals(Gfid.ROOT, get(t.client().lookup(ALICE, Loc.root(), null)).attr().gfid());
    }

    @Test
    void bindFailureIsReportedFromNotify() throws Exception {
        Setup t = connected();
        MemoryXlator other = new MemoryXlator("brick");
        ServerXlator s = new ServerXlator(XlatorConfig.of("server2", "protocol/server", Options.of(
                "transport.socket.listen-port", String.valueOf(t.server().boundPort()),
                "transport.socket.bind-address", "127.0.0.1", "auth.addr.brick.allow", "*"), List.of(other)));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> s.notify(Event.PARENT_UP, null));
        assertEquals("cannot listen on 127.0.0.1:" + t.server().boundPort() + ": Address already in use", e.getMessage());
    }

    @Test
    void missingRemoteSubvolumeIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClientXlator(
                XlatorConfig.of("c", "protocol/client", Options.of("remote-host", "x"), List.of())));
        assertTrue(e.getMessage().contains("remote-subvolume is required"), e.getMessage());
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> source) {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(source);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        return appender;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
            Thread.sleep(20);
        }
    }
}
