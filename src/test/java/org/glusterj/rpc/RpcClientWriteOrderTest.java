package org.glusterj.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.glusterj.core.Caller;
import org.junit.jupiter.api.Test;

/**
 * Callers write their own frames to the socket (DirectSocketWriter) until it is full, then queue
 * them on the event loop. Many threads sending large frames to a server that is slow to read must
 * still put every frame on the wire whole and unmixed.
 */
class RpcClientWriteOrderTest {
    private static final int THREADS = 6;
    private static final int CALLS_PER_THREAD = 12;
    private static final int FRAME_DATA = 300 << 10;

    @Test
    void framesStayWholeWhenTheSocketFillsUp() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            ss.setReceiveBufferSize(64 << 10);
            Thread server = new Thread(() -> serve(ss), "slow-reader");
            server.setDaemon(true);
            server.start();

            CompletableFuture<Void> ready = new CompletableFuture<>();
            RpcClient client = new RpcClient("127.0.0.1", ss.getLocalPort(), Duration.ofSeconds(30), new RpcClient.Session() {
                @Override
                public CompletableFuture<Void> onConnected() {
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public void onReady() {
                    ready.complete(null);
                }

                @Override
                public void onLost(boolean wasReady, String reason) {
                }
            });
            client.start();
            try {
                ready.get(10, TimeUnit.SECONDS);
                List<CompletableFuture<Boolean>> results = new ArrayList<>();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> senders = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    long seed = t;
                    List<CompletableFuture<Boolean>> mine = new ArrayList<>();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) mine.add(new CompletableFuture<>());
                    results.addAll(mine);
                    Thread s = new Thread(() -> {
                        Random random = new Random(seed);
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        for (CompletableFuture<Boolean> r : mine) {
                            byte[] payload = new byte[FRAME_DATA];
                            random.nextBytes(payload);
                            long expected = crc(payload);
                            ByteBuf data = ByteBufAllocator.DEFAULT.directBuffer(FRAME_DATA).writeBytes(payload);
                            client.call(Proc.WRITEV, Caller.ROOT, out -> out.writeInt(FRAME_DATA), data, ByteBuf::readLong)
                                    .whenComplete((crc, err) -> {
                                        if (err != null) r.completeExceptionally(err);
                                        else r.complete(crc == expected);
                                    });
                        }
                    });
                    senders.add(s);
                    s.start();
                }
                go.countDown();
                for (Thread s : senders) s.join();
                for (CompletableFuture<Boolean> r : results) {
                    assertTrue(r.get(60, TimeUnit.SECONDS), "a frame arrived with other bytes than were sent");
                }
                assertEquals(THREADS * CALLS_PER_THREAD, results.size());
            } finally {
                client.stop();
            }
        }
    }

    /** Reads nothing for a while, so that the client's socket buffer fills, then answers each call with its data's CRC. */
    private static void serve(ServerSocket ss) {
        try (Socket s = ss.accept()) {
            Thread.sleep(500);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (true) {
                byte[] frame = new byte[in.readInt()];
                in.readFully(frame);
                RpcMessage m = RpcCodec.parse(Unpooled.wrappedBuffer(frame));
                try {
                    int length = m.body().readInt();
                    byte[] payload = new byte[length];
                    m.body().readBytes(payload);
                    ByteBuf reply = RpcCodec.finish(RpcCodec.startReply(ByteBufAllocator.DEFAULT, m.xid(), m.proc())
                            .writeLong(m.body().isReadable() ? -1 : crc(payload)), null);
                    byte[] bytes = new byte[reply.readableBytes()];
                    reply.readBytes(bytes);
                    reply.release();
                    out.write(bytes);
                } finally {
                    m.release();
                }
            }
        } catch (Exception e) {
            // the client hung up at the end of the test
        }
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }
}
