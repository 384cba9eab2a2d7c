package org.glusterj.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;

/**
 * The glusterj wire protocol, version 1 (with the NOTIFY extension). Our own, modelled on ONC RPC
 * record marking as GlusterFS uses it, not compatible with it. All integers are big-endian.
 *
 * <pre>
 * frame   = length:u32  header  body  [data]      length counts everything after itself,
 *                                                  at most {@link #MAX_FRAME} bytes
 * header  = version:u8 (1)  kind:u8 (0 CALL, 1 REPLY, 2 NOTIFY)  xid:i32  proc:u16 ({@link Proc})
 *   CALL  : uid:i32 gid:i32 pid:i32 lkOwner:i64 ngroups:i32 group:i32*ngroups
 *   REPLY : errno:i32 (0 = success, else the Linux number)  [message:string when errno != 0]
 *   NOTIFY: nothing more (xid is 0); only server to client, never answered
 * body    = the call's arguments or the reply's results, per procedure, encoded by {@link Wire}
 *           (strings: i32 length + UTF-8, -1 = null; nullable values: presence byte then value);
 *           failed replies have no body.
 * data    = raw bytes of a WRITEV call or a READV reply: everything after the body up to the end
 *           of the frame. Never re-encoded: it is a slice of the frame on receipt and a component
 *           of a composite buffer on sending.
 * </pre>
 *
 * Many calls travel on one connection at once; replies may come in any order and are matched by
 * xid. RELEASE and RELEASEDIR get no reply. A connection starts with HANDSHAKE (body: protocol
 * version i32, remote subvolume string, client id string, then optionally features:i32, a mask
 * of {@link #FEATURE_UPCALL}; a client of the first version sends no features and a server of the
 * first version ignores them).
 *
 * <p>NOTIFY frames (the server calling back, GlusterFS's CBK program) go only to a client that
 * announced {@link #FEATURE_UPCALL}, so an older client never sees one. The one kind so far is
 * {@link Proc#UPCALL}: body = gfid, flags:i32, stat (nullable iatt), see
 * {@link Wire#writeUpcall}; features/upcall on the brick sends it when another client changed an
 * inode this client looked at.
 *
 * <p>A frame that is too long, truncated or garbled, or names an unknown version, kind or
 * procedure closes the connection that sent it.
 */
public final class RpcCodec {
    public static final int VERSION = 1;
    public static final int KIND_CALL = 0;
    public static final int KIND_REPLY = 1;
    /** A one-way message from server to client (an upcall). */
    public static final int KIND_NOTIFY = 2;
    /** Handshake feature bit: the client accepts {@link Proc#UPCALL} notifications. */
    public static final int FEATURE_UPCALL = 1;
    /** Largest bulk payload of one readv or writev. */
    public static final int MAX_DATA = 4 << 20;
    /** Largest frame: a full payload plus room for the header, attributes and xdata. */
    public static final int MAX_FRAME = MAX_DATA + (64 << 10);
    /** Byte offset of the errno in a reply frame (after length, version, kind, xid, proc). */
    private static final int HEADER_BYTES = 4 + 1 + 1 + 4 + 2;

    private RpcCodec() {
    }

    /** Starts a call frame; the caller appends the body, then calls {@link #finish}. */
    public static ByteBuf startCall(ByteBufAllocator alloc, int xid, Proc proc, Caller caller) {
        ByteBuf b = alloc.directBuffer(256);
        b.writeInt(0).writeByte(VERSION).writeByte(KIND_CALL).writeInt(xid).writeShort(proc.code);
        Wire.writeCaller(b, caller);
        return b;
    }

    /** Starts a successful reply frame; the caller appends the body, then calls {@link #finish}. */
    public static ByteBuf startReply(ByteBufAllocator alloc, int xid, Proc proc) {
        ByteBuf b = alloc.directBuffer(256);
        b.writeInt(0).writeByte(VERSION).writeByte(KIND_REPLY).writeInt(xid).writeShort(proc.code).writeInt(0);
        return b;
    }

    /** Starts a NOTIFY frame (server to client); the caller appends the body, then calls {@link #finish}. */
    public static ByteBuf startNotify(ByteBufAllocator alloc, Proc proc) {
        ByteBuf b = alloc.directBuffer(128);
        b.writeInt(0).writeByte(VERSION).writeByte(KIND_NOTIFY).writeInt(0).writeShort(proc.code);
        return b;
    }

    public static ByteBuf errorReply(ByteBufAllocator alloc, int xid, Proc proc, Errno errno, String message) {
        ByteBuf b = alloc.directBuffer(HEADER_BYTES + 8 + (message == null ? 0 : message.length() * 3));
        b.writeInt(0).writeByte(VERSION).writeByte(KIND_REPLY).writeInt(xid).writeShort(proc.code)
                .writeInt(errno.code);
        Wire.writeString(b, message);
        return finish(b, null);
    }

    /**
     * Fills in the length and appends {@code data} (may be null) without copying it; takes
     * ownership of both buffers. Fails with EINVAL, releasing them, if the frame would exceed
     * {@link #MAX_FRAME}, since the peer would drop the connection for it.
     */
    public static ByteBuf finish(ByteBuf head, ByteBuf data) {
        long length = head.readableBytes() - 4L + (data == null ? 0 : data.readableBytes());
        if (length > MAX_FRAME) {
            head.release();
            if (data != null) data.release();
            throw new FopException(Errno.EINVAL, "message of " + length + " bytes exceeds the frame limit of "
                    + MAX_FRAME + " bytes");
        }
        head.setInt(head.readerIndex(), (int) length);
        if (data == null || !data.isReadable()) {
            if (data != null) data.release();
            return head;
        }
        CompositeByteBuf frame = head.alloc().compositeDirectBuffer(2);
        return frame.addComponents(true, head, data);
    }

    /** Parses the header of a frame whose length prefix was already removed; takes ownership of it. */
    static RpcMessage parse(ByteBuf frame) {
        try {
            if (frame.readableBytes() < HEADER_BYTES - 4) {
                throw new MalformedFrameException("frame of " + frame.readableBytes() + " bytes is shorter than a header");
            }
            int version = frame.readUnsignedByte();
            if (version != VERSION) {
                throw new MalformedFrameException("unsupported protocol version " + version + " (this side speaks "
                        + VERSION + ")");
            }
            int kind = frame.readUnsignedByte();
            int xid = frame.readInt();
            int code = frame.readUnsignedShort();
            Proc proc = Proc.of(code);
            if (proc == null) throw new MalformedFrameException("unknown procedure " + code);
            if (kind == KIND_CALL) {
                Caller caller = Wire.readCaller(frame);
                return new RpcMessage(KIND_CALL, xid, proc, caller, 0, null, frame);
            }
            if (kind == KIND_REPLY) {
                int errno = Wire.readInt(frame, "reply errno");
                String error = errno == 0 ? null : Wire.readString(frame, "reply message");
                return new RpcMessage(KIND_REPLY, xid, proc, null, errno, error, frame);
            }
            if (kind == KIND_NOTIFY) {
                return new RpcMessage(KIND_NOTIFY, xid, proc, null, 0, null, frame);
            }
            throw new MalformedFrameException("unknown message kind " + kind);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }
}
