package org.glusterj.xlators.cluster.dht;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.StatfsReply;
import org.glusterj.core.Statvfs;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;

/**
 * Stands between distribute and a brick the way protocol/client does: while {@code down} every fop
 * fails with ENOTCONN; {@code statfs} can be replaced to make the brick look full. With
 * {@code strictFds}, fstat and fgetxattr of a directory fd not opened through it fail with EBADF,
 * as protocol/client's do (storage/posix itself would open any fd by its gfid).
 */
final class FlakyBrick extends Xlator {
    volatile boolean down;
    volatile Statvfs fakeStatfs;
    volatile boolean strictFds;
    private final java.util.Set<Fd> openedDirs = java.util.concurrent.ConcurrentHashMap.newKeySet();

    FlakyBrick(String name, Xlator brick) {
        super(XlatorConfig.of(name, "test/flaky", Options.NONE, List.of(brick)));
    }

    private <T> CompletableFuture<T> gate(Supplier<CompletableFuture<T>> fop) {
        return down ? CompletableFuture.failedFuture(Errno.ENOTCONN.exception(name() + " is down")) : fop.get();
    }

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        return gate(() -> super.lookup(c, loc, x));
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return gate(() -> super.stat(c, loc, x));
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        return gate(() -> super.mkdir(c, loc, mode, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return gate(() -> super.mknod(c, loc, mode, rdev, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return gate(() -> super.create(c, loc, flags, mode, umask, fd, x));
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return gate(() -> super.unlink(c, loc, xflags, x));
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return gate(() -> super.rmdir(c, loc, flags, x));
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return gate(() -> super.rename(c, oldLoc, newLoc, x));
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return gate(() -> super.setattr(c, loc, attr, x));
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return gate(() -> super.open(c, loc, flags, fd, x));
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        return gate(() -> super.readv(c, fd, size, offset, flags, x));
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        if (down) data.release();
        return gate(() -> super.writev(c, fd, data, offset, flags, x));
    }

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return gate(() -> super.opendir(c, loc, fd, x)).thenApply(d -> {
            openedDirs.add(fd);
            return d;
        });
    }

    @Override
    public void releasedir(Fd fd) {
        openedDirs.remove(fd);
        super.releasedir(fd);
    }

    private <T> CompletableFuture<T> onKnownFd(Fd fd, Supplier<CompletableFuture<T>> fop) {
        if (strictFds && fd.inode().isDirectory() && !openedDirs.contains(fd)) {
            return CompletableFuture.failedFuture(Errno.EBADF.exception(fd + " was not opened through " + name()));
        }
        return gate(fop);
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return onKnownFd(fd, () -> super.fstat(c, fd, x));
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        return onKnownFd(fd, () -> super.fgetxattr(c, fd, name, x));
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return gate(() -> super.readdirp(c, fd, size, offset, x));
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return gate(() -> super.getxattr(c, loc, name, x));
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return gate(() -> super.setxattr(c, loc, values, flags, x));
    }

    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        Statvfs fake = fakeStatfs;
        if (fake != null && !down) return CompletableFuture.completedFuture(new StatfsReply(fake, null));
        return gate(() -> super.statfs(c, loc, x));
    }
}
