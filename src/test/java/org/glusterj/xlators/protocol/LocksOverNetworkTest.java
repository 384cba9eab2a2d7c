package org.glusterj.xlators.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.features.locks.LocksXlator;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.glusterj.xlators.protocol.server.ServerXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * features/locks under protocol/server, two protocol/clients over loopback TCP: lock owners are
 * per connection, a blocked F_SETLKW outlives the ping timeout, and a client that disconnects
 * loses its locks.
 */
class LocksOverNetworkTest {
    private final List<Xlator> started = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (Xlator x : started) x.fini();
    }

    private ServerXlator server() {
        MemoryXlator memory = new MemoryXlator("brick-posix");
        LocksXlator locks = new LocksXlator(XlatorConfig.of("brick", LocksXlator.TYPE.type(), Options.NONE, List.of(memory)));
        ServerXlator s = new ServerXlator(XlatorConfig.of("server", "protocol/server", Options.of(
                "transport.socket.listen-port", "0", "transport.socket.bind-address", "127.0.0.1",
                "auth.addr.brick.allow", "127.0.0.1"), List.of(locks)));
        s.notify(Event.PARENT_UP, null);
        started.add(s);
        return s;
    }

    private ClientXlator client(int port) throws InterruptedException {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        ClientXlator c = new ClientXlator(XlatorConfig.of("client", "protocol/client", Options.of(
                "remote-host", "127.0.0.1", "remote-port", String.valueOf(port), "remote-subvolume", "brick",
                "ping-timeout", "1"), List.of()));
        c.addListener((e, src) -> events.add(e));
        c.notify(Event.PARENT_UP, null);
        started.add(0, c);
        Event e;
        do {
            e = events.poll(10, TimeUnit.SECONDS);
        } while (e != null && e != Event.CHILD_UP);
        if (e == null) throw new AssertionError("client did not connect within 10 s");
        return c;
    }

    private static Caller process(int pid) {
        // Both mounts' processes use lock owner 42: only the connection tells them apart.
        return Caller.of(0, 0, pid).withLkOwner(42);
    }

    private static CompletableFuture<LkReply> lk(ClientXlator c, Fd fd, int pid, int cmd, int type) {
        return c.lk(process(pid), fd, cmd, new Flock(type, 0, 0, 0, pid, 42), null);
    }

    private static Errno errno(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return FopException.errnoOf(e);
        }
        throw new AssertionError("expected a failure, got success");
    }

    @Test
    void locksAreOwnedPerConnectionAndGoWithIt() throws Exception {
        ServerXlator s = server();
        ClientXlator one = client(s.boundPort());
        ClientXlator two = client(s.boundPort());
        Gfid g = Gfid.random();
        Fd fd1 = new Fd(new Inode(g, FileType.S_IFREG), 2, 101);
        one.create(process(101), Loc.entry(Gfid.ROOT, "f", "/f").withGfid(g), 2, 0644, 0, fd1, null)
                .get(10, TimeUnit.SECONDS);
        Fd fd2 = new Fd(new Inode(g, FileType.S_IFREG), 2, 202);
        two.open(process(202), Loc.of(g, "/f"), 2, fd2, null).get(10, TimeUnit.SECONDS);

        lk(one, fd1, 101, Flock.F_SETLK, Flock.F_WRLCK).get(10, TimeUnit.SECONDS);
        assertEquals(Errno.EAGAIN, errno(lk(two, fd2, 202, Flock.F_SETLK, Flock.F_WRLCK)));
        Flock holder = lk(two, fd2, 202, Flock.F_GETLK, Flock.F_RDLCK).get(10, TimeUnit.SECONDS).flock();
        assertEquals(Flock.F_WRLCK, holder.type());
        assertEquals(101, holder.pid());

        CompletableFuture<LkReply> waiting = lk(two, fd2, 202, Flock.F_SETLKW, Flock.F_WRLCK);
        Thread.sleep(2500); // past the 1 s ping timeout: pings keep the waiting call alive
        assertFalse(waiting.isDone(), "still blocked: " + waiting);

        one.fini(); // the connection drops without unlocking or releasing
        started.remove(one);
        assertEquals(Flock.F_WRLCK, waiting.get(10, TimeUnit.SECONDS).flock().type());
    }
}
