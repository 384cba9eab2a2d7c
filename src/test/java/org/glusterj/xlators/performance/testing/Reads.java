package org.glusterj.xlators.performance.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FopException;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;

/** Small helpers for tests of the data caches. */
public final class Reads {
    public static final Caller C = Caller.of(0, 0, 1);

    private Reads() {
    }

    /** Reads through {@code x} and returns the bytes, releasing the reply's buffer as a consumer must. */
    public static byte[] read(Xlator x, Fd fd, int size, long offset) {
        return bytesOf(x.readv(C, fd, size, offset, 0, Xdata.EMPTY));
    }

    public static byte[] bytesOf(CompletableFuture<ReadReply> f) {
        ReadReply r = f.join();
        ByteBuf d = r.data();
        try {
            byte[] out = new byte[d.readableBytes()];
            d.getBytes(d.readerIndex(), out);
            return out;
        } finally {
            d.release();
        }
    }

    public static void write(Xlator x, Fd fd, byte[] data, long offset) {
        x.writev(C, fd, Unpooled.copiedBuffer(data), offset, 0, Xdata.EMPTY).join();
    }

    public static Errno errnoOf(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return FopException.errnoOf(e);
    }
}
