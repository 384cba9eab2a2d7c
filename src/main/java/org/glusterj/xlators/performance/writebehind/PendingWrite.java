package org.glusterj.xlators.performance.writebehind;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Xdata;

/**
 * One application write held by write-behind. The queue owns {@code data} until the write is
 * wound. {@code acked} means the application was already told it succeeded (GlusterFS "lied"),
 * so a failure must be reported later on the fd.
 */
final class PendingWrite {
    final Fd fd;
    final Caller caller;
    final long offset;
    final int size;
    final int flags;
    final Xdata xdata;
    final boolean sync;
    final boolean append;
    final CompletableFuture<ChangeReply> reply = new CompletableFuture<>();
    ByteBuf data;
    boolean acked;

    PendingWrite(Fd fd, Caller caller, ByteBuf data, long offset, int flags, Xdata xdata, boolean sync, boolean append) {
        this.fd = fd;
        this.caller = caller;
        this.data = data;
        this.offset = offset;
        this.size = data.readableBytes();
        this.flags = flags;
        this.xdata = xdata;
        this.sync = sync;
        this.append = append;
    }

    long end() {
        return offset + size;
    }

    /** Whether {@code next} can ride in the same RPC right after this write. */
    boolean canBeFollowedBy(PendingWrite next) {
        return next.fd == fd && next.offset == end() && next.flags == flags && !next.sync && !sync
                && next.xdata.equals(xdata) && next.caller.equals(caller);
    }
}
