package org.glusterj.xlators.cluster.dht;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;

/**
 * Stands between distribute and a brick and stalls a random few of the fops a migration races
 * with, before and after they reach the brick, the way a loaded machine does: threads lose the
 * CPU between a fop's effect and its reply.
 */
final class JitterBrick extends Xlator {
    private final int percent;
    private final long maxNanos;

    JitterBrick(String name, Xlator brick, int percent, long maxNanos) {
        super(XlatorConfig.of(name, "test/jitter", Options.NONE, List.of(brick)));
        this.percent = percent;
        this.maxNanos = maxNanos;
    }

    private void stall() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        if (r.nextInt(100) < percent) LockSupport.parkNanos(r.nextLong(maxNanos));
    }

    private <T> CompletableFuture<T> jitter(Supplier<CompletableFuture<T>> fop) {
        stall();
        CompletableFuture<T> f = fop.get();
        stall();
        return f;
    }

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        return jitter(() -> super.lookup(c, loc, x));
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return jitter(() -> super.create(c, loc, flags, mode, umask, fd, x));
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return jitter(() -> super.mknod(c, loc, mode, rdev, umask, x));
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return jitter(() -> super.rename(c, oldLoc, newLoc, x));
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return jitter(() -> super.stat(c, loc, x));
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return jitter(() -> super.fstat(c, fd, x));
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return jitter(() -> super.unlink(c, loc, xflags, x));
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return jitter(() -> super.setattr(c, loc, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return jitter(() -> super.truncate(c, loc, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return jitter(() -> super.ftruncate(c, fd, offset, x));
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return jitter(() -> super.open(c, loc, flags, fd, x));
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        return jitter(() -> super.readv(c, fd, size, offset, flags, x));
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        return jitter(() -> super.writev(c, fd, data, offset, flags, x));
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return jitter(() -> super.getxattr(c, loc, name, x));
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return jitter(() -> super.setxattr(c, loc, values, flags, x));
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return jitter(() -> super.removexattr(c, loc, name, x));
    }
}
