package org.glusterj.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes frames to an epoll connection's socket from the calling thread. Handing a write to the
 * event loop costs an eventfd write and a thread wake-up per call; on a small VM that is a fair
 * share of a loopback round trip, so a FUSE worker sends its own request, as GlusterFS's fuse
 * thread does.
 *
 * <p>The writer owns a {@code dup} of Netty's descriptor: Netty may close its own at any moment on
 * the event loop, and a write to a closed and reused descriptor number would land in some other
 * file. The duplicate keeps the socket itself open until {@link #close()}, which {@link FrameSender}
 * calls under the same lock as its writes once the channel is inactive. Not thread-safe on its own.
 */
final class DirectSocketWriter {
    private static final Logger log = LoggerFactory.getLogger(DirectSocketWriter.class);

    private final FileDescriptor fd;
    private boolean closed;

    private DirectSocketWriter(FileDescriptor fd) {
        this.fd = fd;
    }

    /** A writer for {@code channel}, or null when it is not an epoll socket or the dup fails. */
    static DirectSocketWriter of(Channel channel) {
        if (!(channel instanceof EpollSocketChannel epoll) || !epoll.isOpen()) return null;
        int copy = ChildProcessGuard.dupCloseOnExec(epoll.fd().intValue());
        if (copy < 0) {
            log.debug("dup of {}'s socket failed; sending through the event loop", channel);
            return null;
        }
        return new DirectSocketWriter(new FileDescriptor(copy));
    }

    /**
     * Writes as much of {@code frame} as the socket takes now, without blocking. Returns null when
     * all of it went (and releases it), else the frame with its reader index past what was written;
     * a frame in heap memory is returned untouched, as native writes need off-heap memory (a
     * composite is direct only when all its parts are).
     */
    ByteBuf write(ByteBuf frame) throws IOException {
        if (closed) throw new IOException("connection closed");
        if (!frame.isDirect()) return frame;
        while (frame.isReadable()) {
            long n;
            if (frame.nioBufferCount() == 1) {
                ByteBuffer b = frame.internalNioBuffer(frame.readerIndex(), frame.readableBytes());
                n = fd.write(b, b.position(), b.limit());
            } else {
                ByteBuffer[] parts = frame.nioBuffers();
                n = fd.writev(parts, 0, parts.length, Long.MAX_VALUE);
            }
            if (n <= 0) return frame; // the socket buffer is full: Netty waits for it to drain
            frame.skipBytes((int) n);
        }
        frame.release();
        return null;
    }

    void close() {
        if (closed) return;
        closed = true;
        ChildProcessGuard.closeDuplicate(fd.intValue());
    }
}
