package org.glusterj.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.glusterj.core.*;
import org.junit.jupiter.api.Test;

/** Frames through {@link RpcFrameDecoder} in an EmbeddedChannel, no sockets. */
class FrameCodecTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final Iatt IATT = new Iatt(Gfid.random(), FileType.S_IFREG | 0644, 1, 5, 6, 0, 100, 1, 4096,
            1, 2, 3, 4, 5, 6);
    private static final Xdata X = Xdata.of("key", "value");

    /** Closes the channel on a decoding failure, as the real connection handlers do. */
    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new RpcFrameDecoder(), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        });
    }

    private static RpcMessage decodeOne(ByteBuf frame) {
        EmbeddedChannel ch = channel();
        // Feed it in two pieces: a frame may arrive split across reads.
        int half = frame.readableBytes() / 2;
        ch.writeInbound(frame.readRetainedSlice(half));
        assertNull(ch.readInbound(), "half a frame decodes to nothing yet");
        ch.writeInbound(frame.readRetainedSlice(frame.readableBytes()));
        frame.release();
        RpcMessage m = ch.readInbound();
        assertTrue(ch.isOpen());
        assertFalse(ch.finish());
        return m;
    }

    @Test
    void everyProcedureCallHeaderRoundTrips() {
        Caller caller = new Caller(1, 2, new int[] {3, 4}, 5, 6L);
        for (Proc p : Proc.values()) {
            ByteBuf head = RpcCodec.startCall(ALLOC, 1000 + p.code, p, caller);
            Wire.writeLoc(head, Loc.root());
            ByteBuf data = p == Proc.WRITEV ? Unpooled.copiedBuffer("DATA", StandardCharsets.US_ASCII) : null;
            RpcMessage m = decodeOne(RpcCodec.finish(head, data));
            try {
                assertTrue(m.isCall());
                assertEquals(p, m.proc());
                assertEquals(1000 + p.code, m.xid());
                assertEquals(caller, m.caller());
                assertEquals(Loc.root(), Wire.readLoc(m.body()));
                assertEquals(p == Proc.WRITEV ? "DATA" : "", m.body().toString(StandardCharsets.US_ASCII));
            } finally {
                m.release();
            }
        }
    }

    private static ByteBuf writeCall(int xid, byte[] payload) {
        ByteBuf head = RpcCodec.startCall(ALLOC, xid, Proc.WRITEV, Caller.ROOT);
        return RpcCodec.finish(head, ALLOC.directBuffer(payload.length).writeBytes(payload));
    }

    /**
     * A 1 MiB write arriving in 64 KiB reads, right behind a small frame still held by its consumer
     * (the buffer is shared then and must not be resized under it), then another one alone.
     */
    @Test
    void largeFramesArrivingInPiecesDecodeWholeWhileAnEarlierFrameIsStillHeld() {
        byte[] big = new byte[1 << 20];
        new java.util.Random(7).nextBytes(big);
        ByteBuf stream = ALLOC.directBuffer();
        stream.writeBytes(writeCall(1, "small".getBytes(StandardCharsets.US_ASCII)));
        stream.writeBytes(writeCall(2, big));
        stream.writeBytes(writeCall(3, big));
        EmbeddedChannel ch = channel();
        List<RpcMessage> got = new java.util.ArrayList<>();
        while (stream.isReadable()) {
            ByteBuf piece = ALLOC.directBuffer(64 * 1024);
            stream.readBytes(piece, Math.min(64 * 1024, stream.readableBytes()));
            ch.writeInbound(piece);
            for (RpcMessage m; (m = ch.readInbound()) != null; ) got.add(m); // held, not released
        }
        stream.release();
        try {
            assertEquals(3, got.size());
            assertEquals("small", got.get(0).body().toString(StandardCharsets.US_ASCII));
            for (RpcMessage m : got.subList(1, 3)) {
                byte[] body = new byte[m.body().readableBytes()];
                m.body().getBytes(m.body().readerIndex(), body);
                assertTrue(java.util.Arrays.equals(big, body), "frame " + m.xid() + " intact");
            }
        } finally {
            got.forEach(RpcMessage::release);
        }
        assertTrue(ch.isOpen());
        assertFalse(ch.finish());
    }

    private static <T> T replyRoundTrip(Proc proc, Object reply, Function<ByteBuf, T> decoder) {
        ByteBuf head = RpcCodec.startReply(ALLOC, 7, proc);
        Replies.encode(head, reply);
        ByteBuf data = reply instanceof ReadReply r ? r.data() : null;
        RpcMessage m = decodeOne(RpcCodec.finish(head, data));
        try {
            assertFalse(m.isCall());
            assertFalse(m.failed());
            assertEquals(proc, m.proc());
            T back = decoder.apply(m.body());
            assertEquals(0, m.body().readableBytes());
            return back;
        } finally {
            m.release();
        }
    }

    @Test
    void everyReplyTypeRoundTrips() {
        EntryReply e = replyRoundTrip(Proc.LOOKUP, new EntryReply(IATT, null, IATT, null), Replies::entry);
        assertEquals(new EntryReply(IATT, null, IATT, null), e);
        assertEquals(new AttrReply(IATT, null), replyRoundTrip(Proc.STAT, new AttrReply(IATT, null), Replies::attr));
        assertEquals(new ChangeReply(null, IATT, null), replyRoundTrip(Proc.FSYNC, new ChangeReply(null, IATT, null), Replies::change));
        assertEquals("value", replyRoundTrip(Proc.FLUSH, new Done(X), Replies::done).xdata().getString("key"));
        assertEquals(new ParentReply(IATT, IATT, null), replyRoundTrip(Proc.UNLINK, new ParentReply(IATT, IATT, null), Replies::parent));
        RenameReply rr = new RenameReply(IATT, null, IATT, null, IATT, null);
        assertEquals(rr, replyRoundTrip(Proc.RENAME, rr, Replies::rename));
        assertEquals(new ReadlinkReply("t", IATT, null), replyRoundTrip(Proc.READLINK, new ReadlinkReply("t", IATT, null), Replies::readlink));
        Statvfs sv = new Statvfs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertEquals(new StatfsReply(sv, null), replyRoundTrip(Proc.STATFS, new StatfsReply(sv, null), Replies::statfs));
        List<Dirent> ds = List.of(new Dirent("a", 1, 1, 8, IATT, null));
        assertEquals(new ReaddirReply(ds, null), replyRoundTrip(Proc.READDIRP, new ReaddirReply(ds, null), Replies::readdir));
        XattrReply xr = replyRoundTrip(Proc.GETXATTR, new XattrReply(Map.of("n", new byte[] {4}), null), Replies::xattr);
        assertEquals(4, xr.values().get("n")[0]);
        Flock f = new Flock(0, 0, 1, 2, 3, 4);
        assertEquals(new LkReply(f, null), replyRoundTrip(Proc.LK, new LkReply(f, null), Replies::lk));
        assertEquals(new SeekReply(99, null), replyRoundTrip(Proc.SEEK, new SeekReply(99, null), Replies::seek));

        ReadReply read = replyRoundTrip(Proc.READV, new ReadReply(Unpooled.copiedBuffer("bytes", StandardCharsets.US_ASCII), IATT, X),
                Replies::read);
        try {
            assertEquals("bytes", read.data().toString(StandardCharsets.US_ASCII));
            assertEquals(IATT, read.attr());
        } finally {
            read.data().release();
        }
    }

    @Test
    void upcallNotifyRoundTrips() {
        org.glusterj.core.Upcall u = new org.glusterj.core.Upcall(IATT.gfid(),
                org.glusterj.core.Upcall.DATA | org.glusterj.core.Upcall.ATTR, IATT);
        ByteBuf head = RpcCodec.startNotify(ALLOC, Proc.UPCALL);
        Wire.writeUpcall(head, u);
        RpcMessage m = decodeOne(RpcCodec.finish(head, null));
        try {
            assertTrue(m.isNotify());
            assertFalse(m.isCall());
            assertEquals(Proc.UPCALL, m.proc());
            assertEquals(u, Wire.readUpcall(m.body()));
            assertEquals(0, m.body().readableBytes());
        } finally {
            m.release();
        }
        ByteBuf noGfid = RpcCodec.startNotify(ALLOC, Proc.UPCALL);
        Wire.writeGfid(noGfid, null);
        noGfid.writeInt(1);
        Wire.writeIatt(noGfid, null);
        RpcMessage bad = decodeOne(RpcCodec.finish(noGfid, null));
        try {
            assertThrows(MalformedFrameException.class, () -> Wire.readUpcall(bad.body()));
        } finally {
            bad.release();
        }
    }

    @Test
    void errorReplyCarriesErrnoAndMessage() {
        RpcMessage m = decodeOne(RpcCodec.errorReply(ALLOC, 9, Proc.HANDSHAKE, Errno.EACCES, "address 1.2.3.4 not allowed"));
        try {
            assertTrue(m.failed());
            FopException e = m.failure();
            assertEquals(Errno.EACCES, e.errno());
            assertEquals("EACCES: address 1.2.3.4 not allowed", e.getMessage());
        } finally {
            m.release();
        }
    }

    @Test
    void frameOverTheLimitIsRefusedBeforeSending() {
        ByteBuf head = RpcCodec.startCall(ALLOC, 1, Proc.WRITEV, Caller.ROOT);
        ByteBuf data = Unpooled.buffer(RpcCodec.MAX_FRAME + 1).writerIndex(RpcCodec.MAX_FRAME + 1);
        FopException e = assertThrows(FopException.class, () -> RpcCodec.finish(head, data));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(0, head.refCnt());
        assertEquals(0, data.refCnt());
    }

    private static void assertClosedBy(ByteBuf bytes) {
        EmbeddedChannel ch = channel();
        ch.writeInbound(bytes);
        assertFalse(ch.isOpen(), "channel closed");
        assertNull(ch.readInbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void badFramesCloseTheChannel() {
        // length beyond the limit: refused as soon as the length is read
        assertClosedBy(Unpooled.buffer().writeInt(RpcCodec.MAX_FRAME + 1).writeLong(0));
        // negative length
        assertClosedBy(Unpooled.buffer().writeInt(-5).writeLong(0));
        // a frame too short to hold a header
        assertClosedBy(Unpooled.buffer().writeInt(3).writeBytes(new byte[] {1, 0, 0}));
        // wrong version
        ByteBuf v2 = RpcCodec.startCall(ALLOC, 1, Proc.PING, Caller.ROOT);
        v2.setByte(4, 2);
        assertClosedBy(RpcCodec.finish(v2, null));
        // unknown procedure
        ByteBuf unknown = RpcCodec.startCall(ALLOC, 1, Proc.PING, Caller.ROOT);
        unknown.setShort(10, 999);
        assertClosedBy(RpcCodec.finish(unknown, null));
        // unknown kind
        ByteBuf kind = RpcCodec.startCall(ALLOC, 1, Proc.PING, Caller.ROOT);
        kind.setByte(5, 7);
        assertClosedBy(RpcCodec.finish(kind, null));
        // header truncated inside the caller (frame length says less than the caller needs)
        ByteBuf cut = RpcCodec.startCall(ALLOC, 1, Proc.PING, Caller.ROOT);
        cut.writerIndex(cut.writerIndex() - 6);
        assertClosedBy(RpcCodec.finish(cut, null));
        // random garbage
        byte[] junk = new byte[64];
        new java.util.Random(42).nextBytes(junk);
        junk[0] = 0x7f;
        assertClosedBy(Unpooled.wrappedBuffer(junk));
    }
}
