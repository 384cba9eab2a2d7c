package org.glusterj.xlators.protocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import org.glusterj.core.Caller;
import org.glusterj.core.Upcall;
import org.glusterj.rpc.FrameSender;
import org.glusterj.rpc.Proc;
import org.glusterj.rpc.RpcCodec;
import org.glusterj.rpc.Wire;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A handshaken client connection as the brick graph sees it: the {@link Caller#client()} of every
 * fop that arrives on it. Upcalls go out as NOTIFY frames, only to a client that announced
 * {@link RpcCodec#FEATURE_UPCALL} in its handshake.
 */
final class ConnectedClient implements Caller.Client {
    private static final Logger log = LoggerFactory.getLogger(ConnectedClient.class);

    private final Channel channel;
    private final FrameSender sender;
    private final String id;
    private final String key;
    private final boolean acceptsUpcalls;

    ConnectedClient(Channel channel, FrameSender sender, String id, String key, int features) {
        this.channel = channel;
        this.sender = sender;
        this.id = id;
        this.key = key;
        this.acceptsUpcalls = (features & RpcCodec.FEATURE_UPCALL) != 0;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public boolean isConnected() {
        return channel.isActive();
    }

    @Override
    public void upcall(Upcall upcall) {
        if (!acceptsUpcalls || !channel.isActive()) return;
        ByteBuf frame = RpcCodec.startNotify(channel.alloc(), Proc.UPCALL);
        Wire.writeUpcall(frame, upcall);
        log.trace("upcall {} to {}", upcall, id);
        sender.send(RpcCodec.finish(frame, null), err -> log.debug("upcall to {} not sent: {}", id, err.toString()));
    }

    @Override
    public String toString() {
        return id + "@" + channel.remoteAddress();
    }
}
