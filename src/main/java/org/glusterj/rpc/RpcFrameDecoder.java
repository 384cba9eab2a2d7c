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
    private static final int LARGE = 64 * 1024;

    private final int maxFrame;
    /** After one bad frame nothing that follows on the stream can be trusted. */
    private boolean broken;

    public RpcFrameDecoder() {
        this(RpcCodec.MAX_FRAME);
    }

    public RpcFrameDecoder(int maxFrame) {
        super(maxFrame, 0, 4, 0, 4, true);
        this.maxFrame = maxFrame;
    }

    /**
     * A large frame (a 1 MiB write or read) arrives in many socket reads. Left to itself the
     * cumulation grows by doubling, copying what it holds each time and ending at twice the frame;
     * sized once to the whole frame after its first 64 KiB, it is copied into only once more. Not
     * sooner: a peer must not make us reserve a whole frame's memory with a 4-byte header. Never
     * while an earlier frame's slice still shares the buffer (refCnt above 1): resizing moves the
     * memory that slice's consumer may be reading on another thread.
     */
    private void sizeForWholeFrame(ByteBuf in) {
        if (in.readableBytes() < LARGE || in.refCnt() != 1) return;
        long whole = 4 + in.getUnsignedInt(in.readerIndex());
        long missing = whole - in.readableBytes();
        if (missing <= LARGE || whole > maxFrame || in.writableBytes() >= missing) return;
        long capacity = in.writerIndex() + missing;
        if (capacity <= in.maxCapacity()) in.capacity((int) capacity);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        try {
            sizeForWholeFrame(in);
            ByteBuf frame = (ByteBuf) super.decode(ctx, in);
            return frame == null ? null : RpcCodec.parse(frame);
        } catch (Exception e) {
            broken = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }
}
