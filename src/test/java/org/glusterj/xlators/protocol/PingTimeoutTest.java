package org.glusterj.xlators.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Event;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;
import org.glusterj.core.Loc;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.junit.jupiter.api.Test;

/** A brick that accepts the handshake and then goes silent: the client must give up by itself. */
class PingTimeoutTest {
    @Test
    void silentServerIsDroppedAfterPingTimeoutAndPendingCallsFail() throws Exception {
        AtomicInteger framesAfterHandshake = new AtomicInteger();
        try (ServerSocket ss = new ServerSocket(0)) {
            Thread fake = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    byte[] hs = new byte[in.readInt()];
                    in.readFully(hs);
                    int xid = ((hs[2] & 0xff) << 24) | ((hs[3] & 0xff) << 16) | ((hs[4] & 0xff) << 8) | (hs[5] & 0xff);
                    // reply: version 1, REPLY, xid, proc HANDSHAKE, errno 0, empty xdata
                    out.writeInt(16);
                    out.writeByte(1);
                    out.writeByte(1);
                    out.writeInt(xid);
                    out.writeShort(1);
                    out.writeInt(0);
                    out.writeInt(0);
                    out.flush();
                    while (true) { // swallow calls and pings, answer nothing
                        byte[] f = new byte[in.readInt()];
                        in.readFully(f);
                        framesAfterHandshake.incrementAndGet();
                    }
                } catch (Exception e) {
                    // the client hung up: expected
                }
            }, "silent-brick");
            fake.setDaemon(true);
            fake.start();

            ClientXlator c = new ClientXlator(XlatorConfig.of("c", "protocol/client", Options.of(
                    "remote-host", "127.0.0.1", "remote-port", String.valueOf(ss.getLocalPort()),
                    "remote-subvolume", "brick", "ping-timeout", "2"), List.of()));
            LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
            c.addListener((e, src) -> events.add(e));
            try {
                c.notify(Event.PARENT_UP, null);
                assertEquals(Event.CHILD_UP, events.poll(10, TimeUnit.SECONDS));
                long start = System.nanoTime();
                CompletableFuture<EntryReply> call = c.lookup(Caller.ROOT, Loc.root(), null);
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> call.get(10, TimeUnit.SECONDS));
                long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(Errno.ENOTCONN, FopException.errnoOf(e));
                assertTrue(waitedMs >= 1500, "not before the ping timeout: " + waitedMs + " ms");
                assertTrue(framesAfterHandshake.get() >= 2, "the call and at least one PING were sent");
                assertEquals(Event.CHILD_DOWN, events.poll(5, TimeUnit.SECONDS));
            } finally {
                c.fini();
            }
        }
    }
}
