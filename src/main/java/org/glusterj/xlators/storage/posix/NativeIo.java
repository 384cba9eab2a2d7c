package org.glusterj.xlators.storage.posix;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;

/** Positional I/O between a native fd and Netty direct memory, without intermediate copies. */
final class NativeIo {
    private static final int ZERO_CHUNK = 1 << 20;

    private NativeIo() {
    }

    /** Reads up to {@code len} bytes at {@code offset} into the (empty, direct) buffer; fewer only at end of file. */
    static int pread(int fd, ByteBuf buf, int len, long offset) {
        long addr = buf.memoryAddress() + buf.writerIndex();
        int got = 0;
        while (got < len) {
            long n = Sys.C.pread(fd, addr + got, len - got, offset + got);
            if (n < 0) {
                if (Sys.isEintr()) continue;
                throw Sys.fail("pread");
            }
            if (n == 0) break;
            got += (int) n;
        }
        return got;
    }

    private static final int RWF_NOWAIT = 0x8;
    private static final int EAGAIN = 11, EOPNOTSUPP = 95, ENOSYS = 38;

    /**
     * Like {@link #pread}, but only from the page cache (preadv2 RWF_NOWAIT): -1 instead of
     * waiting for the disk, or where the kernel or filesystem cannot promise not to wait.
     */
    static int preadCached(int fd, ByteBuf buf, int len, long offset) {
        long addr = buf.memoryAddress() + buf.writerIndex();
        int got = 0;
        while (got < len) {
            long n = Sys.C.preadv2(fd, new long[] {addr + got, len - got}, 1, offset + got, RWF_NOWAIT);
            if (n < 0) {
                int e = Sys.errno();
                if (e == EAGAIN || e == EOPNOTSUPP || e == ENOSYS) return -1;
                if (Sys.isEintr()) continue;
                throw Sys.fail("preadv2");
            }
            if (n == 0) break;
            got += (int) n;
        }
        return got;
    }

    /** Writes every readable byte of {@code data} at {@code offset} (at the end for O_APPEND fds). */
    static void pwriteAll(int fd, ByteBuf data, long offset) {
        if (data.hasMemoryAddress()) {
            pwrite(fd, data.memoryAddress() + data.readerIndex(), data.readableBytes(), offset);
            return;
        }
        long pos = offset;
        for (ByteBuffer nio : data.nioBuffers()) {
            int len = nio.remaining();
            if (nio.isDirect() && PlatformDependent.hasUnsafe()) {
                pwrite(fd, PlatformDependent.directBufferAddress(nio) + nio.position(), len, pos);
            } else {
                ByteBuf copy = PooledByteBufAllocator.DEFAULT.directBuffer(len);
                try {
                    copy.writeBytes(nio);
                    pwrite(fd, copy.memoryAddress(), len, pos);
                } finally {
                    copy.release();
                }
            }
            pos += len;
        }
    }

    private static void pwrite(int fd, long addr, long len, long offset) {
        long done = 0;
        while (done < len) {
            long n = Sys.C.pwrite(fd, addr + done, len - done, offset + done);
            if (n < 0) {
                if (Sys.isEintr()) continue;
                throw Sys.fail("pwrite");
            }
            done += n;
        }
    }

    /** zerofill's fallback where the filesystem has no FALLOC_FL_ZERO_RANGE. */
    static void writeZeros(int fd, long offset, long len) {
        ByteBuf zeros = PooledByteBufAllocator.DEFAULT.directBuffer(ZERO_CHUNK);
        try {
            zeros.writeZero(ZERO_CHUNK);
            for (long done = 0; done < len; ) {
                int n = (int) Math.min(ZERO_CHUNK, len - done);
                pwrite(fd, zeros.memoryAddress(), n, offset + done);
                done += n;
            }
        } finally {
            zeros.release();
        }
    }
}
