package org.glusterj.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream into frames (see {@link RpcCodec}) and emits one {@link RpcMessage} per
 * frame, the body being a slice of the received bytes. A frame over {@link RpcCodec#MAX_FRAME}
 * fails as soon as its length is read, before anything is buffered.
 */
public final class RpcFrameDecoder extends LengthFieldBasedFrameDecoder {
    public RpcFrameDecoder() {
        this(RpcCodec.MAX_FRAME);
    }

    public RpcFrameDecoder(int maxFrame) {
        super(maxFrame, 0, 4, 0, 4, true);
    }

    /** After one bad frame nothing that follows on the stream can be trusted. */
    private boolean broken;

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        try {
            ByteBuf frame = (ByteBuf) super.decode(ctx, in);
            return frame == null ? null : RpcCodec.parse(frame);
        } catch (Exception e) {
            broken = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }
}
