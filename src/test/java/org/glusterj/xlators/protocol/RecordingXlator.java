package org.glusterj.xlators.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import org.glusterj.core.*;
import org.glusterj.options.Options;

/**
 * A test-only brick that records every fop with its arguments (an fd recorded as its gfid, a data
 * buffer as its text) and answers with the reply the test planted for that fop.
 */
public final class RecordingXlator extends Xlator {
    public record Call(String fop, List<Object> args) {
    }

    final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    final Map<String, Object> replies = new ConcurrentHashMap<>();

    public RecordingXlator(String name) {
        super(XlatorConfig.of(name, "test/recording", Options.NONE, List.of()));
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> record(String fop, Object... args) {
        List<Object> list = new ArrayList<>();
        for (Object a : args) list.add(a instanceof Fd fd ? fd.gfid() : a);
        calls.add(new Call(fop, list));
        Object r = replies.get(fop);
        if (r instanceof FopException e) return CompletableFuture.failedFuture(e);
        if (r instanceof ReadReply rr) {
            return (CompletableFuture<T>) CompletableFuture.completedFuture(
                    new ReadReply(rr.data().retainedDuplicate(), rr.attr(), rr.xdata()));
        }
        if (r == null) return CompletableFuture.failedFuture(new FopException(Errno.ENOSYS, "no reply planted for " + fop));
        return CompletableFuture.completedFuture((T) r);
    }

    @Override public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) { return record("lookup", c, loc, x); }
    @Override public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) { return record("stat", c, loc, x); }
    @Override public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) { return record("fstat", c, fd, x); }
    @Override public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) { return record("access", c, loc, mask, x); }
    @Override public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) { return record("readlink", c, loc, size, x); }
    @Override public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) { return record("mknod", c, loc, mode, rdev, umask, x); }
    @Override public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) { return record("mkdir", c, loc, mode, umask, x); }
    @Override public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) { return record("unlink", c, loc, xflags, x); }
    @Override public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) { return record("rmdir", c, loc, flags, x); }
    @Override public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) { return record("symlink", c, target, loc, umask, x); }
    @Override public CompletableFuture<RenameReply> rename(Caller c, Loc o, Loc n, Xdata x) { return record("rename", c, o, n, x); }
    @Override public CompletableFuture<EntryReply> link(Caller c, Loc o, Loc n, Xdata x) { return record("link", c, o, n, x); }
    @Override public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long off, Xdata x) { return record("truncate", c, loc, off, x); }
    @Override public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long off, Xdata x) { return record("ftruncate", c, fd, off, x); }
    @Override public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr a, Xdata x) { return record("setattr", c, loc, a, x); }
    @Override public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr a, Xdata x) { return record("fsetattr", c, fd, a, x); }
    @Override public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) { return record("statfs", c, loc, x); }
    @Override public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) { return record("open", c, loc, flags, fd.flags(), x); }
    @Override public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) { return record("create", c, loc, flags, mode, umask, x); }
    @Override public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long off, int flags, Xdata x) { return record("readv", c, fd, size, off, flags, x); }
    @Override public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long off, int flags, Xdata x) {
        String text = data.toString(StandardCharsets.UTF_8);
        data.release();
        return record("writev", c, fd, text, off, flags, x);
    }
    @Override public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) { return record("flush", c, fd, x); }
    @Override public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean d, Xdata x) { return record("fsync", c, fd, d, x); }
    @Override public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long off, long len, Xdata x) { return record("fallocate", c, fd, mode, off, len, x); }
    @Override public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long off, long len, Xdata x) { return record("discard", c, fd, off, len, x); }
    @Override public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long off, long len, Xdata x) { return record("zerofill", c, fd, off, len, x); }
    @Override public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long off, int what, Xdata x) { return record("seek", c, fd, off, what, x); }
    @Override public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) { return record("lk", c, fd, cmd, lock, x); }
    @Override public CompletableFuture<Done> entrylk(Caller c, String domain, Loc dir, String name, EntrylkCmd cmd, Xdata x) { return record("entrylk", c, domain, dir, name, cmd, x); }
    @Override public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) { return record("opendir", c, loc, x); }
    @Override public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long off, Xdata x) { return record("readdir", c, fd, size, off, x); }
    @Override public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long off, Xdata x) { return record("readdirp", c, fd, size, off, x); }
    @Override public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean d, Xdata x) { return record("fsyncdir", c, fd, d, x); }
    @Override public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) { return record("getxattr", c, loc, name, x); }
    @Override public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) { return record("fgetxattr", c, fd, name, x); }
    @Override public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> v, int flags, Xdata x) { return record("setxattr", c, loc, v, flags, x); }
    @Override public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> v, int flags, Xdata x) { return record("fsetxattr", c, fd, v, flags, x); }
    @Override public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) { return record("removexattr", c, loc, name, x); }
    @Override public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) { return record("fremovexattr", c, fd, name, x); }
    @Override public void release(Fd fd) { calls.add(new Call("release", List.of(fd.gfid()))); }
    @Override public void releasedir(Fd fd) { calls.add(new Call("releasedir", List.of(fd.gfid()))); }

    /**
     * A deep, comparable rendering of fop arguments and replies: records by component, byte arrays
     * and maps by content (Xdata and byte[] have identity equality).
     */
    public static String canon(Object o) {
        if (o == null) return "null";
        if (o instanceof byte[] b) return Arrays.toString(b);
        if (o instanceof int[] a) return Arrays.toString(a);
        if (o instanceof Xdata x) return "Xdata" + canon(x.asMap());
        if (o instanceof ByteBuf b) return "bytes:" + b.toString(StandardCharsets.UTF_8);
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            m.forEach((k, v) -> sb.append(k).append('=').append(canon(v)).append(';'));
            return sb.append('}').toString();
        }
        if (o instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object e : l) sb.append(canon(e)).append(',');
            return sb.append(']').toString();
        }
        if (o instanceof Record r) {
            StringBuilder sb = new StringBuilder(r.getClass().getSimpleName()).append('(');
            for (var comp : r.getClass().getRecordComponents()) {
                try {
                    sb.append(comp.getName()).append('=').append(canon(comp.getAccessor().invoke(r))).append(',');
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return sb.append(')').toString();
        }
        return o.toString();
    }
}
