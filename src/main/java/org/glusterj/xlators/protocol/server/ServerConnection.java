package org.glusterj.xlators.protocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.Done;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FopException;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xlator;
import org.glusterj.rpc.FrameSender;
import org.glusterj.rpc.MalformedFrameException;
import org.glusterj.rpc.Proc;
import org.glusterj.rpc.Replies;
import org.glusterj.rpc.RpcCodec;
import org.glusterj.rpc.RpcMessage;
import org.glusterj.rpc.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one client connection: handshake, then fops wound into the exported
 * subvolume on the event loop (performance/io-threads below moves blocking ones to its pool),
 * replies written from their completion.
 * Owns the connection's fd table; when the connection ends every fd still open is released.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final ServerXlator server;
    private final Map<Long, ServerFd> fds = new ConcurrentHashMap<>();
    private final AtomicLong nextFdId = new AtomicLong();
    private volatile Channel channel;
    /** Every frame to this client goes through it, replies and upcalls alike, so that frames never interleave. */
    private volatile FrameSender sender;
    private volatile Xlator child;
    private volatile String clientId;
    /** Set by the handshake: the identity the fops of this connection carry down (features/upcall uses it). */
    private volatile ConnectedClient client;
    private volatile boolean closed;
    /** Names this connection to the brick graph (Fd.client): lock owners are per connection. */
    private final String clientKey;
    /** A bad frame was seen: the connection is closing and nothing more from it is run. */
    private boolean broken;

    ServerConnection(ServerXlator server) {
        this.server = server;
        this.clientKey = server.newClientKey();
    }

    private String peer() {
        Channel ch = channel;
        return ch == null ? "?" : String.valueOf(ch.remoteAddress());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        FrameSender s = new FrameSender(channel);
        s.open();
        sender = s;
        log.debug("{}: connection from {}", server, peer());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        RpcMessage m = (RpcMessage) msg;
        try {
            if (broken) return; // decoded before the bad frame was found: the stream is untrusted
            if (!m.isCall()) throw new MalformedFrameException("unexpected " + m + " from a client");
            switch (m.proc()) {
                case HANDSHAKE -> handshake(ctx, m);
                case PING -> write(replyFrame(ctx.channel(), m, Done.OK, null));
                case RELEASE, RELEASEDIR -> release(Wire.readLong(m.body(), "fd id"));
                default -> dispatch(ctx, m);
            }
        } finally {
            m.release();
        }
    }

    private void handshake(ChannelHandlerContext ctx, RpcMessage m) {
        int version = Wire.readInt(m.body(), "handshake version");
        String subvolume = Wire.readString(m.body(), "remote-subvolume");
        String id = Wire.readString(m.body(), "client id");
        int features = m.body().isReadable() ? Wire.readInt(m.body(), "handshake features") : 0;
        String address = address(ctx.channel().remoteAddress());
        String refusal = null;
        Errno errno = null;
        Xlator found = server.exported(subvolume);
        if (version != RpcCodec.VERSION) {
            errno = Errno.EPROTO;
            refusal = "client speaks protocol version " + version + ", this brick speaks " + RpcCodec.VERSION;
        } else if (found == null) {
            errno = Errno.ENOENT;
            refusal = "brick " + subvolume + " not found here; exported: " + server.exportedNames();
        } else if (!server.auth(found).allows(address)) {
            errno = Errno.EACCES;
            refusal = "address " + address + " not allowed by auth.addr." + subvolume + ".allow";
        }
        if (refusal != null) {
            log.warn("{}: refused client {} from {}: {}", server, id, peer(), refusal);
            sender.sendAndClose(RpcCodec.errorReply(ctx.alloc(), m.xid(), m.proc(), errno, refusal));
            return;
        }
        child = found;
        clientId = id;
        client = new ConnectedClient(ctx.channel(), sender, id, clientKey, features);
        log.info("{}: accepted client {} from {} for \"{}\"", server, id, peer(), subvolume);
        write(replyFrame(ctx.channel(), m, Done.OK, null));
    }

    private static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress ia && ia.getAddress() != null) return ia.getAddress().getHostAddress();
        return String.valueOf(a);
    }

    private void dispatch(ChannelHandlerContext ctx, RpcMessage m) {
        Channel ch = ctx.channel();
        Xlator target = child;
        if (target == null) {
            write(RpcCodec.errorReply(ch.alloc(), m.xid(), m.proc(), Errno.ENOTCONN,
                    "no handshake yet: send HANDSHAKE naming the remote-subvolume first"));
            return;
        }
        FopDecoder.Op op;
        try {
            op = FopDecoder.decode(m, client, target, this::lookupFd,
                    (gfid, flags, pid) -> server.newFd(gfid, flags, pid, clientKey));
        } catch (FopException e) {
            write(RpcCodec.errorReply(ch.alloc(), m.xid(), m.proc(), e.errno(), e.getMessage()));
            return;
        }
        int xid = m.xid();
        Proc proc = m.proc();
        // The fop runs on this event loop, as GlusterFS's server does: a thread handoff would cost
        // more than a metadata syscall. A performance/io-threads xlator below moves the fops that
        // can block for long onto its pool.
        CompletableFuture<?> f;
        try {
            f = op.run().get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        // handle, not whenComplete: whenComplete wraps a failure in a new CompletionException (with
        // a stack trace) for a dependent future nobody reads; ENOENT is a routine answer.
        f.handle((reply, err) -> {
            reply(ch, xid, proc, op, reply, err);
            return null;
        });
    }

    private Fd lookupFd(long id) {
        ServerFd sfd = fds.get(id);
        if (sfd == null) throw new FopException(Errno.EBADF, "no open fd #" + id + " on this connection");
        return sfd.fd();
    }

    private void reply(Channel ch, int xid, Proc proc, FopDecoder.Op op, Object reply, Throwable err) {
        if (err != null) {
            FopException fe = FopException.unwrap(err);
            if (fe == null) log.warn("{}: {} failed unexpectedly", server, proc, err);
            Errno errno = fe == null ? Errno.EIO : fe.errno();
            write(RpcCodec.errorReply(ch.alloc(), xid, proc, errno, fe == null ? String.valueOf(err) : null));
            return;
        }
        Long fdId = null;
        if (op.opened() != null) {
            long id = nextFdId.incrementAndGet();
            fds.put(id, new ServerFd(id, op.opened(), op.directory()));
            fdId = id;
            if (closed) release(id); // the client left while the open was running
        }
        if (closed) {
            if (reply instanceof ReadReply r && r.data() != null) r.data().release();
            return;
        }
        try {
            write(replyFrame(ch, xid, proc, reply, fdId));
        } catch (RuntimeException e) {
            log.warn("{}: cannot send the {} reply to {}: {}", server, proc, peer(), e.getMessage());
            write(RpcCodec.errorReply(ch.alloc(), xid, proc, FopException.errnoOf(e), e.getMessage()));
        }
    }

    private static ByteBuf replyFrame(Channel ch, RpcMessage call, Object reply, Long fdId) {
        return replyFrame(ch, call.xid(), call.proc(), reply, fdId);
    }

    /** Builds a success reply; a read's data is appended as is, without copying. */
    private static ByteBuf replyFrame(Channel ch, int xid, Proc proc, Object reply, Long fdId) {
        ByteBuf data = reply instanceof ReadReply r ? r.data() : null;
        ByteBuf head = RpcCodec.startReply(ch.alloc(), xid, proc);
        try {
            if (fdId != null) head.writeLong(fdId);
            Replies.encode(head, reply);
        } catch (RuntimeException e) {
            head.release();
            if (data != null) data.release();
            throw e;
        }
        return RpcCodec.finish(head, data);
    }

    private void write(ByteBuf frame) {
        sender.send(frame, err -> log.debug("{}: a reply to {} was not sent: {}", server, peer(), err.toString()));
    }

    private void release(long id) {
        ServerFd sfd = fds.remove(id);
        if (sfd == null) return;
        Xlator target = child;
        try {
            if (sfd.directory()) target.releasedir(sfd.fd());
            else target.release(sfd.fd());
        } catch (RuntimeException e) {
            log.warn("{}: releasing fd #{} failed", server, id, e);
        } finally {
            server.fdClosed(sfd.fd());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        FrameSender s = sender;
        if (s != null) s.close();
        List<Long> open = new ArrayList<>(fds.keySet());
        if (!open.isEmpty()) log.debug("{}: {} left; releasing its {} open fds", server, peer(), open.size());
        for (long id : open) release(id);
        Xlator target = child;
        if (target != null) ClientGone.tell(target, clientKey);
        server.connectionClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (broken) return;
        broken = true;
        if (cause instanceof DecoderException) {
            log.warn("{}: closing connection from {} (client {}): malformed frame: {}", server, peer(),
                    clientId == null ? "before handshake" : clientId,
                    cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage());
        } else {
            log.warn("{}: closing connection from {}: {}", server, peer(), cause.toString());
        }
        ctx.close();
    }
}
