package org.glusterj.rpc;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;
import org.glusterj.core.Upcall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to one server carrying many concurrent calls, matched to replies by xid
 * (Apache Ratis/BookKeeper style: when the connection drops every pending call fails at once with
 * ENOTCONN). Reconnects with backoff until stopped. Calls made while not connected and set up fail
 * at once with ENOTCONN: nothing waits for a connection.
 *
 * <p>Liveness follows GlusterFS: while calls are outstanding a PING goes out whenever the server
 * has been silent for a while; if nothing at all arrives for the ping timeout the connection is
 * closed, which fails the outstanding calls.
 */
public final class RpcClient {
    private static final Logger log = LoggerFactory.getLogger(RpcClient.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 3000;

    /** What the owner does as the connection comes and goes. Called on the event loop: never block. */
    public interface Session {
        /** A connection is open: handshake (with {@link #setupCall}) and complete when ready to serve. */
        CompletableFuture<Void> onConnected();

        /** The connection is set up; calls are accepted from now on. */
        void onReady();

        /** A connection attempt failed or an established connection was lost. */
        void onLost(boolean wasReady, String reason);

        /** The server sent a cache-invalidation notice (see {@link RpcCodec#FEATURE_UPCALL}). */
        default void onUpcall(Upcall upcall) {
        }
    }

    @FunctionalInterface
    public interface BodyWriter {
        void write(ByteBuf out);
    }

    @FunctionalInterface
    public interface ReplyReader<T> {
        T read(ByteBuf body);
    }

    private final String host;
    private final int port;
    private final long pingTimeoutNanos;
    private final Session session;
    private final AtomicInteger xids = new AtomicInteger();
    private volatile Connection current;
    private volatile boolean stopped = true;
    private long backoffMs = MIN_BACKOFF_MS;
    private volatile ScheduledFuture<?> reconnect;

    public RpcClient(String host, int port, Duration pingTimeout, Session session) {
        this.host = host;
        this.port = port;
        this.pingTimeoutNanos = pingTimeout.toNanos();
        this.session = session;
    }

    public String peer() {
        return host + ":" + port;
    }

    public synchronized void start() {
        if (!stopped) return;
        stopped = false;
        connect();
    }

    /** Stops reconnecting, closes the connection and fails every pending call with ENOTCONN. */
    public synchronized void stop() {
        stopped = true;
        ScheduledFuture<?> r = reconnect;
        if (r != null) r.cancel(false);
        Connection c = current;
        if (c != null) {
            c.failAll("connection to " + peer() + " shut down");
            c.channel.close();
        }
    }

    public boolean isReady() {
        Connection c = current;
        return c != null && c.ready && c.channel.isActive();
    }

    /**
     * Sends a call and decodes its reply with {@code reader} (on the event loop). Takes ownership of
     * {@code data} (may be null), which travels as raw bytes after the body.
     */
    public <T> CompletableFuture<T> call(Proc proc, Caller caller, BodyWriter body, ByteBuf data, ReplyReader<T> reader) {
        return send(true, proc, caller, body, data, reader);
    }

    /** Like {@link #call}, but allowed while the connection is being set up (handshake, fd reopen). */
    public <T> CompletableFuture<T> setupCall(Proc proc, Caller caller, BodyWriter body, ReplyReader<T> reader) {
        return send(false, proc, caller, body, null, reader);
    }

    /** A call that gets no reply (RELEASE); dropped silently when not connected, as the server cleans up then. */
    public void sendOneWay(Proc proc, BodyWriter body) {
        Connection c = current;
        if (c == null || !c.ready || !c.channel.isActive()) return;
        int xid = xids.incrementAndGet();
        ByteBuf head = RpcCodec.startCall(c.channel.alloc(), xid, proc, Caller.ROOT);
        body.write(head);
        c.write(xid, RpcCodec.finish(head, null));
    }

    private <T> CompletableFuture<T> send(boolean requireReady, Proc proc, Caller caller, BodyWriter body,
                                          ByteBuf data, ReplyReader<T> reader) {
        Connection c = current;
        if (c == null || (requireReady && !c.ready) || !c.channel.isActive()) {
            if (data != null) data.release();
            return CompletableFuture.failedFuture(new FopException(Errno.ENOTCONN, "not connected to " + peer()));
        }
        int xid = xids.incrementAndGet();
        ByteBuf frame;
        try {
            ByteBuf head = RpcCodec.startCall(c.channel.alloc(), xid, proc, caller);
            try {
                body.write(head);
            } catch (RuntimeException e) {
                head.release();
                if (data != null) data.release();
                throw e;
            }
            frame = RpcCodec.finish(head, data);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> future = new CompletableFuture<>();
        c.pending.put(xid, new Pending<>(proc, future, reader));
        c.write(xid, frame);
        return future;
    }

    // ---- connection management ----

    private void connect() {
        if (stopped) return;
        Bootstrap b = new Bootstrap()
                .group(Transport.clientGroup())
                .channelFactory(Transport.socketChannels())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new RpcFrameDecoder(), new Connection(ch));
                    }
                });
        b.connect(host, port).addListener(f -> {
            if (!f.isSuccess()) {
                session.onLost(false, "cannot connect to " + peer() + ": " + rootMessage(f.cause()));
                scheduleReconnect();
            }
        });
    }

    private void scheduleReconnect() {
        synchronized (this) {
            if (stopped) return;
            long delay = backoffMs;
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            reconnect = Transport.clientGroup().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void connected(Connection c) {
        synchronized (this) {
            if (stopped) {
                c.channel.close();
                return;
            }
            current = c;
        }
        session.onConnected().whenComplete((ok, err) -> {
            if (err != null) {
                session.onLost(false, rootMessage(err));
                c.channel.close();
                return;
            }
            if (!c.channel.isActive()) return;
            synchronized (this) {
                backoffMs = MIN_BACKOFF_MS;
            }
            c.ready = true;
            c.startLiveness();
            session.onReady();
        });
    }

    private void disconnected(Connection c) {
        c.failAll("disconnected from " + peer());
        boolean wasCurrent;
        synchronized (this) {
            wasCurrent = current == c;
            if (wasCurrent) current = null;
        }
        // After stop() the connection closing is our own doing: nothing was lost, nothing to retry.
        if (stopped) return;
        if (wasCurrent && c.ready) session.onLost(true, "disconnected from " + peer());
        if (wasCurrent) scheduleReconnect();
    }

    static String rootMessage(Throwable t) {
        FopException fe = FopException.unwrap(t);
        if (fe != null) return fe.getMessage();
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    private record Pending<T>(Proc proc, CompletableFuture<T> future, ReplyReader<T> reader) {
        void complete(RpcMessage reply) {
            if (reply.failed()) {
                future.completeExceptionally(reply.failure());
                return;
            }
            future.complete(reader.read(reply.body()));
        }
    }

    /** The state of one TCP connection; a new one is made for each reconnection. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        final Channel channel;
        final Map<Integer, Pending<?>> pending = new ConcurrentHashMap<>();
        volatile boolean ready;
        private long lastHeard = System.nanoTime();
        private volatile boolean pinging;
        private ScheduledFuture<?> liveness;
        final FrameSender sender;

        Connection(Channel channel) {
            this.channel = channel;
            this.sender = new FrameSender(channel);
        }

        void write(int xid, ByteBuf frame) {
            sender.send(frame, err -> fail(xid, "cannot send to " + peer() + ": " + rootMessage(err)));
        }

        void fail(int xid, String why) {
            Pending<?> p = pending.remove(xid);
            if (p != null) p.future.completeExceptionally(new FopException(Errno.ENOTCONN, why));
        }

        void failAll(String why) {
            List<Integer> xids = new ArrayList<>(pending.keySet());
            for (int xid : xids) fail(xid, why);
        }

        void startLiveness() {
            if (pingTimeoutNanos <= 0) return;
            long interval = Math.max(TimeUnit.MILLISECONDS.toNanos(100),
                    Math.min(TimeUnit.SECONDS.toNanos(5), pingTimeoutNanos / 4));
            channel.eventLoop().execute(() -> {
                lastHeard = System.nanoTime();
                liveness = channel.eventLoop().scheduleAtFixedRate(() -> checkLiveness(interval), interval, interval,
                        TimeUnit.NANOSECONDS);
            });
        }

        /** Runs on the event loop, as does every update of lastHeard. */
        private void checkLiveness(long interval) {
            long now = System.nanoTime();
            if (pending.isEmpty()) {
                lastHeard = now; // an idle connection owes us nothing: the silence clock runs only while calls wait
                return;
            }
            long silent = now - lastHeard;
            if (silent >= pingTimeoutNanos) {
                log.warn("{}: no answer for {} ms with {} calls outstanding (ping-timeout); closing the connection",
                        peer(), TimeUnit.NANOSECONDS.toMillis(silent), pending.size());
                channel.close();
            } else if (silent >= interval && !pinging) {
                pinging = true; // one PING at a time, as GlusterFS does
                send(false, Proc.PING, Caller.ROOT, out -> { }, null, body -> null)
                        .whenComplete((ok, err) -> pinging = false);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            log.debug("connected to {}", peer());
            sender.open();
            connected(this);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (liveness != null) liveness.cancel(false);
            sender.close();
            disconnected(this);
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            lastHeard = System.nanoTime();
            RpcMessage m = (RpcMessage) msg;
            try {
                if (m.isCall()) throw new MalformedFrameException("unexpected " + m + " from the server");
                if (m.isNotify()) {
                    notified(m);
                    return;
                }
                Pending<?> p = pending.remove(m.xid());
                if (p == null) {
                    log.debug("{}: reply to unknown call {}", peer(), m);
                    return;
                }
                if (p.proc != m.proc()) {
                    p.future.completeExceptionally(new FopException(Errno.EPROTO, "reply to " + p.proc + " came as " + m.proc()));
                    throw new MalformedFrameException("reply " + m + " does not match its call " + p.proc);
                }
                try {
                    p.complete(m);
                } catch (MalformedFrameException e) {
                    p.future.completeExceptionally(new FopException(Errno.EPROTO, e.getMessage()));
                    throw e;
                }
            } finally {
                m.release();
            }
        }

        private void notified(RpcMessage m) {
            if (m.proc() != Proc.UPCALL) throw new MalformedFrameException("unexpected " + m + " from the server");
            Upcall u = Wire.readUpcall(m.body());
            if (m.body().isReadable()) {
                throw new MalformedFrameException(m.body().readableBytes() + " unexpected bytes after an upcall");
            }
            try {
                session.onUpcall(u);
            } catch (RuntimeException e) {
                log.warn("{}: handling {} failed", peer(), u, e); // a cache's bug must not cost the connection
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof DecoderException) {
                log.warn("closing connection to {}: malformed frame: {}", peer(), rootMessage(cause));
            } else {
                log.warn("closing connection to {}: {}", peer(), rootMessage(cause));
            }
            ctx.close();
        }
    }
}
