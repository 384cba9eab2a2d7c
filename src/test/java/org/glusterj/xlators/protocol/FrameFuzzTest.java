package org.glusterj.xlators.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.glusterj.core.Caller;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.rpc.Proc;
import org.glusterj.rpc.RpcCodec;
import org.glusterj.rpc.Wire;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.glusterj.xlators.protocol.server.ServerXlator;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Thousands of random, truncated, oversized and half-valid frames against a real brick
 * (protocol/server over storage/posix): each bad connection is closed or answered with an error,
 * the brick keeps serving a well-behaved client, and nothing outside the brick directory changes.
 */
class FrameFuzzTest {
    private static final int CONNECTIONS = 400;
    private static final int FRAMES_PER_CONNECTION = 10;

    private final Path root = Path.of("target", "fuzz-brick").toAbsolutePath();
    private ServerXlator server;
    private ClientXlator client;
    private PosixXlator posix;

    @AfterEach
    void tearDown() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.glusterj.xlators.protocol.server")).setLevel(null);
        if (client != null) client.fini();
        if (server != null) server.fini();
        if (posix != null) posix.fini();
    }

    @Test
    void randomFramesNeverHurtTheBrickOrItsOtherClients() throws Exception {
        deleteTree(root);
        Path brick = Files.createDirectories(root.resolve("brick"));
        Path outside = Files.createDirectories(root.resolve("outside"));
        Files.writeString(outside.resolve("sentinel"), "untouched");
        posix = new PosixXlator(XlatorConfig.of("b", "storage/posix", Options.of("directory", brick.toString()), List.of()));
        server = new ServerXlator(XlatorConfig.of("server", "protocol/server", Options.of(
                "transport.socket.listen-port", "0", "transport.socket.bind-address", "127.0.0.1",
                "auth.addr.b.allow", "*"), List.of(posix)));
        server.notify(Event.PARENT_UP, null);
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        client = new ClientXlator(XlatorConfig.of("c", "protocol/client", Options.of(
                "remote-host", "127.0.0.1", "remote-port", String.valueOf(server.boundPort()), "remote-subvolume", "b",
                "ping-timeout", "5"), List.of()));
        client.addListener((e, s) -> events.add(e));
        client.notify(Event.PARENT_UP, null);
        assertEquals(Event.CHILD_UP, events.poll(10, TimeUnit.SECONDS));

        // Hundreds of "closing connection" warnings are the expected outcome here, not news.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.glusterj.xlators.protocol.server"))
                .setLevel(ch.qos.logback.classic.Level.ERROR);
        long seed = System.nanoTime();
        LoggerFactory.getLogger(FrameFuzzTest.class).info("fuzz seed {}", seed);
        Random rnd = new Random(seed);
        int frames = 0;
        for (int conn = 0; conn < CONNECTIONS; conn++) {
            try (Socket s = new Socket("127.0.0.1", server.boundPort())) {
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                boolean handshake = rnd.nextInt(3) > 0;
                if (handshake) out.write(handshake());
                for (int f = 0; f < FRAMES_PER_CONNECTION; f++, frames++) {
                    try {
                        out.write(frame(rnd, conn * FRAMES_PER_CONNECTION + f));
                    } catch (IOException closedByServer) {
                        break;
                    }
                }
                out.flush();
                s.shutdownOutput();
                drainUntilClosed(s.getInputStream());
            }
            if (conn % 50 == 0) assertServes("during fuzzing (seed " + seed + ")", conn);
        }
        assertTrue(frames >= 2000, "sent " + frames + " frames");
        assertServes("after fuzzing (seed " + seed + ")", CONNECTIONS);
        assertEquals("untouched", Files.readString(outside.resolve("sentinel")));
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(1, s.count(), "nothing was created outside the brick (seed " + seed + ")");
        }
    }

    /** The well-behaved client creates, writes and reads back a file. */
    private void assertServes(String when, int n) throws Exception {
        Caller c = Caller.of(0, 0, 1);
        Gfid g = Gfid.random();
        Fd fd = new Fd(new Inode(g, 0100000), 2, 1);
        client.create(c, new Loc(g, Gfid.ROOT, "ok-" + n, null), 0102, 0644, 0, fd, Xdata.EMPTY).get(10, TimeUnit.SECONDS);
        byte[] data = ("alive " + n).getBytes(StandardCharsets.UTF_8);
        client.writev(c, fd, Unpooled.wrappedBuffer(data), 0, 0, Xdata.EMPTY).get(10, TimeUnit.SECONDS);
        ReadReply r = client.readv(c, fd, 100, 0, 0, Xdata.EMPTY).get(10, TimeUnit.SECONDS);
        try {
            assertArrayEquals(data, ByteBufUtil.getBytes(r.data()), when);
        } finally {
            r.data().release();
        }
        client.release(fd);
    }

    private static byte[] handshake() {
        ByteBuf b = RpcCodec.startCall(Unpooled.buffer().alloc(), 1, Proc.HANDSHAKE, Caller.ROOT);
        b.writeInt(RpcCodec.VERSION);
        Wire.writeString(b, "b");
        Wire.writeString(b, "fuzzer");
        return bytes(RpcCodec.finish(b, null));
    }

    /** One of several kinds of bad frame; half-valid ones reach the fop decoders with random bodies. */
    private static byte[] frame(Random rnd, int xid) {
        switch (rnd.nextInt(6)) {
            case 0: { // pure noise
                byte[] noise = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(noise);
                return noise;
            }
            case 1: { // a length prefix far beyond the limit, or negative
                return Unpooled.buffer(8).writeInt(rnd.nextBoolean() ? RpcCodec.MAX_FRAME + 1 + rnd.nextInt(1 << 20) : -1 - rnd.nextInt(100))
                        .writeInt(rnd.nextInt()).array();
            }
            case 2: { // a valid header announcing more than follows: truncated
                ByteBuf b = RpcCodec.startCall(Unpooled.buffer().alloc(), xid, randomProc(rnd), Caller.ROOT);
                byte[] body = new byte[rnd.nextInt(64)];
                rnd.nextBytes(body);
                b.writeBytes(body);
                byte[] whole = bytes(RpcCodec.finish(b, null));
                return java.util.Arrays.copyOf(whole, Math.max(1, whole.length - 1 - rnd.nextInt(whole.length)));
            }
            default: { // a complete, well-framed call with a random body: exercises every decoder
                ByteBuf b = RpcCodec.startCall(Unpooled.buffer().alloc(), xid, randomProc(rnd), randomCaller(rnd));
                byte[] body = new byte[rnd.nextInt(200)];
                rnd.nextBytes(body);
                if (rnd.nextBoolean() && body.length > 16) {
                    // Plausible prefixes: small lengths and the root gfid make decoders go deeper.
                    body[0] = 0;
                    body[1] = 0;
                    body[2] = 0;
                    body[3] = (byte) rnd.nextInt(20);
                }
                b.writeBytes(body);
                return bytes(RpcCodec.finish(b, null));
            }
        }
    }

    private static Proc randomProc(Random rnd) {
        Proc[] all = Proc.values();
        return all[rnd.nextInt(all.length)];
    }

    private static Caller randomCaller(Random rnd) {
        return new Caller(rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(70000), rnd.nextInt(70000), new int[] {rnd.nextInt()},
                rnd.nextInt(), rnd.nextLong());
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** Reads replies until the server closes; a silent server that keeps the socket is fine too. */
    private static void drainUntilClosed(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        try {
            while (in.read(buf) >= 0) {
                // replies to half-valid calls: errors or results, either is fine
            }
        } catch (SocketTimeoutException stillOpen) {
            // the server answered what it could and waits for more: not a failure
        } catch (IOException reset) {
            // closed with a reset: fine
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
