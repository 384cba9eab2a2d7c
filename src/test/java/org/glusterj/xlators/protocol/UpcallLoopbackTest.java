package org.glusterj.xlators.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.features.upcall.UpcallXlator;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.glusterj.xlators.protocol.server.ServerXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Upcalls over real loopback TCP: brick features/upcall → protocol/server → NOTIFY → protocol/client → parents. */
class UpcallLoopbackTest {
    private static final Caller ME = Caller.of(1000, 1000, 7);
    private final List<Xlator> started = new ArrayList<>();

    /** Sits above a protocol/client and records the upcalls that reach it. */
    static final class UpcallRecorder extends Xlator {
        final BlockingQueue<Upcall> got = new LinkedBlockingQueue<>();
        volatile Xlator from;

        UpcallRecorder(Xlator child) {
            super(XlatorConfig.of("recorder", "test/recorder", Options.NONE, List.of(child)));
        }

        @Override
        public void upcall(Upcall upcall, Xlator source) {
            from = source;
            got.add(upcall);
            super.upcall(upcall, source);
        }
    }

    @AfterEach
    void tearDown() {
        for (Xlator x : started) x.fini();
    }

    private ClientXlator client(String name, int port) throws InterruptedException {
        ClientXlator c = new ClientXlator(XlatorConfig.of(name, "protocol/client", Options.of(
                "remote-host", "127.0.0.1", "remote-port", String.valueOf(port), "remote-subvolume", "up",
                "ping-timeout", "5"), List.of()));
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        c.addListener((e, src) -> events.add(e));
        c.notify(Event.PARENT_UP, null);
        started.add(0, c);
        Event e = events.poll(10, TimeUnit.SECONDS);
        assertEquals(Event.CHILD_UP, e);
        return c;
    }

    @Test
    void anotherClientsCreateReachesTheClientThatLookedUpTheMissingName() throws Exception {
        MemoryXlator brick = new MemoryXlator("brick");
        UpcallXlator up = new UpcallXlator(XlatorConfig.of("up", UpcallXlator.TYPE.type(),
                Options.of("cache-invalidation", "on"), List.of(brick)));
        ServerXlator server = new ServerXlator(XlatorConfig.of("server", "protocol/server", Options.of(
                "transport.socket.listen-port", "0", "transport.socket.bind-address", "127.0.0.1",
                "auth.addr.up.allow", "127.0.0.1"), List.of(up)));
        server.notify(Event.PARENT_UP, null);
        started.add(server);
        ClientXlator a = client("client-a", server.boundPort());
        ClientXlator b = client("client-b", server.boundPort());
        UpcallRecorder aboveA = new UpcallRecorder(a);
        UpcallRecorder aboveB = new UpcallRecorder(b);

        try {
            a.lookup(ME, Loc.entry(Gfid.ROOT, "new", "/new"), Xdata.EMPTY).get(10, TimeUnit.SECONDS);
            throw new AssertionError("the name should not exist yet");
        } catch (ExecutionException e) {
            assertEquals(Errno.ENOENT, FopException.errnoOf(e));
        }
        Gfid g = Gfid.random();
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), 2, 7);
        b.create(ME, new Loc(g, Gfid.ROOT, "new", "/new"), 2, 0644, 022, fd, Xdata.EMPTY).get(10, TimeUnit.SECONDS);

        Upcall u = aboveA.got.poll(10, TimeUnit.SECONDS);
        assertNotNull(u, "client A heard nothing of B's create");
        assertEquals(Gfid.ROOT, u.gfid());
        assertTrue(u.has(Upcall.ENTRIES));
        assertNotNull(u.stat(), "the directory's new attributes travel with the notice");
        assertEquals(a, aboveA.from, "delivered by protocol/client as the source");

        // B, the changer, hears nothing; a round trip on B's connection after the create proves nothing was queued.
        b.lookup(ME, Loc.entry(Gfid.ROOT, "new", "/new"), Xdata.EMPTY).get(10, TimeUnit.SECONDS);
        assertEquals(0, aboveB.got.size());

        // The brick saw each connection as a distinct client.
        Caller.Client first = brick.callers.get(0).client();
        Caller.Client last = brick.callers.get(brick.callers.size() - 1).client();
        assertNotNull(first);
        assertNotSame(first, last);
        b.release(fd);
    }
}
