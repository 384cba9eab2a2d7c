package org.glusterj.xlators.performance;

import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.LkReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.SeekReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;

/**
 * The base of the translators that answer an open or opendir themselves and send it below only
 * when something needs the fd open on the bricks (open-behind; readdir-ahead listing a directory
 * from a kept listing). Every fop on an fd first sends the open still owed for it, and fails as
 * that open failed; a subclass overrides the fops it answers otherwise.
 */
public abstract class DeferredOpenXlator extends Xlator {
    protected DeferredOpenXlator(XlatorConfig config) {
        super(config);
    }

    /** Sends the open owed below for {@code fd}, if not sent yet: its answer, or null if none is owed. */
    protected abstract CompletableFuture<Done> sendDeferredOpen(Fd fd);

    /** Runs {@code fop} once the fd is open on the bricks, or fails it as the deferred open failed. */
    protected final <T> CompletableFuture<T> opened(Fd fd, Supplier<CompletableFuture<T>> fop) {
        return opened(fd, fop, null);
    }

    /** The same; {@code notWound} runs when the open failed and {@code fop} is therefore never wound. */
    protected final <T> CompletableFuture<T> opened(Fd fd, Supplier<CompletableFuture<T>> fop, Runnable notWound) {
        CompletableFuture<Done> open = sendDeferredOpen(fd);
        if (open == null || (open.isDone() && !open.isCompletedExceptionally())) return fop.get();
        return open.handle((done, t) -> {
            if (t == null) return fop.get();
            if (notWound != null) notWound.run();
            return CompletableFuture.<T>failedFuture(t);
        }).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        return opened(fd, () -> firstChild().readv(c, fd, size, offset, flags, x));
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        return opened(fd, () -> firstChild().writev(c, fd, data, offset, flags, x), data::release);
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return opened(fd, () -> firstChild().flush(c, fd, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return opened(fd, () -> firstChild().fsync(c, fd, datasync, x));
    }

    @Override
    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        return opened(fd, () -> firstChild().fsyncdir(c, fd, datasync, x));
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return opened(fd, () -> firstChild().fstat(c, fd, x));
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return opened(fd, () -> firstChild().ftruncate(c, fd, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return opened(fd, () -> firstChild().fsetattr(c, fd, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return opened(fd, () -> firstChild().fallocate(c, fd, mode, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        return opened(fd, () -> firstChild().discard(c, fd, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return opened(fd, () -> firstChild().zerofill(c, fd, offset, len, x));
    }

    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        return opened(fd, () -> firstChild().seek(c, fd, offset, what, x));
    }

    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return opened(fd, () -> firstChild().lk(c, fd, cmd, lock, x));
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        return opened(fd, () -> firstChild().fgetxattr(c, fd, name, x));
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        return opened(fd, () -> firstChild().fsetxattr(c, fd, values, flags, x));
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        return opened(fd, () -> firstChild().fremovexattr(c, fd, name, x));
    }
}
