package org.glusterj.xlators.cluster.dht;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;

/**
 * Stands between distribute and a brick and lets a test act at the critical points of a file
 * migration: just before the brick sees an unlink, a removexattr or a readv, and just after a write
 * reached the brick (before its reply goes up).
 */
final class GateBrick extends Xlator {
    /** Fop name ("unlink", "removexattr", "readv") to what to do on the calling thread before it reaches the brick. */
    final Map<String, Runnable> before = new ConcurrentHashMap<>();
    /** Run once, on the writing thread, after the next write reached the brick. */
    volatile Runnable afterNextWrite;
    /**
     * While set, a getxattr by gfid alone fails with ENOENT: what storage/posix answers for a
     * moment while an unlink moves an open file's handle to .glusterfs/unlink (its lookup by gfid
     * finds the handle, then reads the xattr by a name that has just gone).
     */
    volatile boolean gfidLookupsMiss;

    GateBrick(String name, Xlator brick) {
        super(XlatorConfig.of(name, "test/gate", Options.NONE, List.of(brick)));
    }

    private void runBefore(String fop) {
        Runnable r = before.get(fop);
        if (r != null) r.run();
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        runBefore("unlink");
        return super.unlink(c, loc, xflags, x);
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        runBefore("removexattr");
        return super.removexattr(c, loc, name, x);
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        runBefore("readv");
        return super.readv(c, fd, size, offset, flags, x);
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        if (gfidLookupsMiss && !loc.hasEntry()) {
            return CompletableFuture.failedFuture(Errno.ENOENT.exception(loc + " (moving to .glusterfs/unlink)"));
        }
        return super.getxattr(c, loc, name, x);
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        CompletableFuture<ChangeReply> f = super.writev(c, fd, data, offset, flags, x);
        Runnable after = afterNextWrite;
        if (after != null) {
            afterNextWrite = null;
            after.run();
        }
        return f;
    }
}
