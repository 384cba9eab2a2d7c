package org.glusterj.xlators.performance;

import static org.glusterj.core.OpenFlags.O_TRUNC;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Loc;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;

/**
 * The base of the translators that keep file data (quick-read, io-cache, read-ahead). To them every
 * fop that changes a file's data, size or times means one thing: drop what is held for that gfid,
 * once before the change is wound and again when it is answered (a read or lookup may have raced
 * it). So does an upcall saying another client changed the file; a brick going or coming drops
 * everything.
 */
public abstract class DataCacheXlator extends Xlator {
    protected DataCacheXlator(XlatorConfig config) {
        super(config);
    }

    /** False when the xlator passes everything through: then there is nothing to drop. */
    protected abstract boolean caching();

    /** Drops what is held for {@code gfid} (which may be null) because this client changes it. */
    protected abstract void dataChanged(Gfid gfid);

    /** Drops everything held: a brick went or came, or its upcalls may have been lost. */
    protected abstract void everythingChanged();

    /**
     * Drops what is held for {@code gfid} because a brick said another client changed it. By
     * default the same as our own change.
     */
    protected void dataChangedElsewhere(Gfid gfid) {
        dataChanged(gfid);
    }

    private <T> CompletableFuture<T> changing(Gfid g, Supplier<CompletableFuture<T>> wind) {
        if (!caching()) return wind.get();
        dataChanged(g);
        return wind.get().whenComplete((r, t) -> dataChanged(g));
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        if ((flags & O_TRUNC) == 0) return firstChild().open(c, loc, flags, fd, x);
        return changing(fd.gfid(), () -> firstChild().open(c, loc, flags, fd, x));
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        return changing(fd.gfid(), () -> firstChild().writev(c, fd, data, offset, flags, x));
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return changing(loc.gfid(), () -> firstChild().truncate(c, loc, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return changing(fd.gfid(), () -> firstChild().ftruncate(c, fd, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return changing(fd.gfid(), () -> firstChild().fallocate(c, fd, mode, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        return changing(fd.gfid(), () -> firstChild().discard(c, fd, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return changing(fd.gfid(), () -> firstChild().zerofill(c, fd, offset, len, x));
    }

    /** Setting mtime back could hide a change from a size/mtime check, and cached attributes age. */
    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return changing(loc.gfid(), () -> firstChild().setattr(c, loc, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return changing(fd.gfid(), () -> firstChild().fsetattr(c, fd, attr, x));
    }

    /** A file on a brick that just went away must not stay readable from memory. */
    @Override
    public void notify(Event event, Xlator source) {
        if (caching() && event.changesReachableBricks()) everythingChanged();
        super.notify(event, source);
    }

    @Override
    public void upcall(Upcall upcall, Xlator source) {
        if (caching() && upcall.isEverything()) everythingChanged();
        else if (caching() && upcall.has(Upcall.DATA | Upcall.ATTR | Upcall.GONE)) dataChangedElsewhere(upcall.gfid());
        super.upcall(upcall, source);
    }
}
