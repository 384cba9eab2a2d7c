package org.glusterj.xlators.debug;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Inode;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.ParentReply;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.ReadlinkReply;
import org.glusterj.core.RenameReply;
import org.glusterj.core.SeekReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.StatfsReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * debug/trace: logs every fop as it is wound (with its arguments) and as it unwinds (with its
 * reply or errno, and how long it took), at INFO as GlusterFS does, under the logger
 * {@code org.glusterj.xlators.debug.TraceXlator}. A sequence number pairs the two lines. Data
 * buffers are shown as their length, never their content.
 */
public final class TraceXlator extends Xlator {
    private static final Logger log = LoggerFactory.getLogger(TraceXlator.class);

    public static final Option<Set<Fop>> INCLUDE_OPS = Option.custom("include-ops", "fop list", null,
            "fop names separated by commas or spaces (e.g. \"lookup, readv\")",
            "Trace only these fops.", TraceXlator::parseFops);
    public static final Option<Set<Fop>> EXCLUDE_OPS = Option.custom("exclude-ops", "fop list", null,
            "fop names separated by commas or spaces (e.g. \"stat fstat\")",
            "Trace every fop but these.", TraceXlator::parseFops);
    private static final String COMPAT = "Accepted for compatibility with GlusterFS volfiles; glusterj always logs.";
    public static final List<Option<?>> OPTIONS = List.of(INCLUDE_OPS, EXCLUDE_OPS,
            Option.string("log-file", null, COMPAT), Option.string("log-history", null, COMPAT),
            Option.string("history-size", null, COMPAT));

    public static final XlatorType TYPE = new XlatorType("debug/trace", List.of(),
            "Logs every fop with its arguments and its result; for debugging.", OPTIONS, TraceXlator::new);

    private final Set<Fop> traced;
    private final AtomicLong sequence = new AtomicLong();

    public TraceXlator(XlatorConfig config) {
        super(config);
        Set<Fop> include = options().get(INCLUDE_OPS);
        Set<Fop> exclude = options().get(EXCLUDE_OPS);
        Set<Fop> t = include != null ? EnumSet.copyOf(include) : EnumSet.allOf(Fop.class);
        if (exclude != null) t.removeAll(exclude);
        traced = t;
    }

    static Set<Fop> parseFops(String text) {
        Set<Fop> out = EnumSet.noneOf(Fop.class);
        for (String word : text.split("[,\\s]+")) {
            if (word.isEmpty()) continue;
            Fop f = Fop.byName(word);
            if (f == null) {
                throw new IllegalArgumentException("unknown fop \"" + word + "\"; known: "
                        + String.join(", ", Arrays.stream(Fop.values()).map(Fop::lowerName).toList()));
            }
            out.add(f);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no fop named");
        return out;
    }

    /** Whether this fop is logged (for tests and for the callbacks). */
    public boolean traces(Fop fop) {
        return traced.contains(fop) && log.isInfoEnabled();
    }

    private <T> CompletableFuture<T> trace(Fop fop, Caller c, Supplier<CompletableFuture<T>> wind, Object... namedArgs) {
        if (!traces(fop)) return wind.get();
        long id = sequence.incrementAndGet();
        log.info("{} #{} {}({}) caller uid={} gid={} pid={}", name(), id, fop, describeArgs(namedArgs), c.uid(), c.gid(),
                c.pid());
        long t0 = System.nanoTime();
        CompletableFuture<T> child;
        try {
            child = wind.get();
        } catch (RuntimeException e) {
            log.info("{} #{} {} threw {}", name(), id, fop, e.toString());
            throw e;
        }
        // Logged before the reply goes up, so that a read buffer is described before anyone consumes it.
        CompletableFuture<T> out = new CompletableFuture<>();
        child.whenComplete((reply, error) -> {
            long us = (System.nanoTime() - t0) / 1000;
            if (error != null) {
                FopException fe = FopException.unwrap(error);
                log.info("{} #{} {} failed: {} ({} us)", name(), id, fop,
                        fe != null ? fe.getMessage() : error.toString(), us);
                out.completeExceptionally(error);
            } else {
                log.info("{} #{} {} -> {} ({} us)", name(), id, fop, describe(reply), us);
                out.complete(reply);
            }
        });
        return out;
    }

    private static String describeArgs(Object[] namedArgs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i + 1 < namedArgs.length; i += 2) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(namedArgs[i]).append('=').append(describe(namedArgs[i + 1]));
        }
        return sb.toString();
    }

    static String describe(Object o) {
        if (o instanceof ByteBuf b) return b.readableBytes() + " bytes";
        if (o instanceof ReadReply r) return "ReadReply[" + (r.data() == null ? 0 : r.data().readableBytes())
                + " bytes, attr=" + r.attr() + "]";
        if (o instanceof Map<?, ?> m) return "xattrs" + m.keySet();
        return String.valueOf(o);
    }

    @Override
    public void release(Fd fd) {
        if (traces(Fop.RELEASE)) log.info("{} RELEASE {}", name(), fd);
        super.release(fd);
    }

    @Override
    public void releasedir(Fd fd) {
        if (traces(Fop.RELEASEDIR)) log.info("{} RELEASEDIR {}", name(), fd);
        super.releasedir(fd);
    }

    @Override
    public void forget(Inode inode) {
        if (traces(Fop.FORGET)) log.info("{} FORGET {}", name(), inode);
        super.forget(inode);
    }

    // ---- fops ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        return trace(Fop.LOOKUP, c, () -> firstChild().lookup(c, loc, x), "loc", loc);
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return trace(Fop.STAT, c, () -> firstChild().stat(c, loc, x), "loc", loc);
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return trace(Fop.FSTAT, c, () -> firstChild().fstat(c, fd, x), "fd", fd);
    }

    @Override
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        return trace(Fop.ACCESS, c, () -> firstChild().access(c, loc, mask, x), "loc", loc, "mask", mask);
    }

    @Override
    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        return trace(Fop.READLINK, c, () -> firstChild().readlink(c, loc, size, x), "loc", loc, "size", size);
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return trace(Fop.MKNOD, c, () -> firstChild().mknod(c, loc, mode, rdev, umask, x), "loc", loc, "mode", mode, "rdev", rdev, "umask", umask);
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        return trace(Fop.MKDIR, c, () -> firstChild().mkdir(c, loc, mode, umask, x), "loc", loc, "mode", mode, "umask", umask);
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        return trace(Fop.UNLINK, c, () -> firstChild().unlink(c, loc, xflags, x), "loc", loc, "xflags", xflags);
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return trace(Fop.RMDIR, c, () -> firstChild().rmdir(c, loc, flags, x), "loc", loc, "flags", flags);
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return trace(Fop.SYMLINK, c, () -> firstChild().symlink(c, target, loc, umask, x), "target", target, "loc", loc, "umask", umask);
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return trace(Fop.RENAME, c, () -> firstChild().rename(c, oldLoc, newLoc, x), "oldLoc", oldLoc, "newLoc", newLoc);
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return trace(Fop.LINK, c, () -> firstChild().link(c, oldLoc, newLoc, x), "oldLoc", oldLoc, "newLoc", newLoc);
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return trace(Fop.TRUNCATE, c, () -> firstChild().truncate(c, loc, offset, x), "loc", loc, "offset", offset);
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return trace(Fop.FTRUNCATE, c, () -> firstChild().ftruncate(c, fd, offset, x), "fd", fd, "offset", offset);
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return trace(Fop.SETATTR, c, () -> firstChild().setattr(c, loc, attr, x), "loc", loc, "attr", attr);
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return trace(Fop.FSETATTR, c, () -> firstChild().fsetattr(c, fd, attr, x), "fd", fd, "attr", attr);
    }

    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        return trace(Fop.STATFS, c, () -> firstChild().statfs(c, loc, x), "loc", loc);
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return trace(Fop.OPEN, c, () -> firstChild().open(c, loc, flags, fd, x), "loc", loc, "flags", flags, "fd", fd);
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return trace(Fop.CREATE, c, () -> firstChild().create(c, loc, flags, mode, umask, fd, x), "loc", loc, "flags", flags, "mode", mode, "umask", umask, "fd", fd);
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        return trace(Fop.READ, c, () -> firstChild().readv(c, fd, size, offset, flags, x), "fd", fd, "size", size, "offset", offset, "flags", flags);
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        return trace(Fop.WRITE, c, () -> firstChild().writev(c, fd, data, offset, flags, x), "fd", fd, "data", data, "offset", offset, "flags", flags);
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return trace(Fop.FLUSH, c, () -> firstChild().flush(c, fd, x), "fd", fd);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return trace(Fop.FSYNC, c, () -> firstChild().fsync(c, fd, datasync, x), "fd", fd, "datasync", datasync);
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return trace(Fop.FALLOCATE, c, () -> firstChild().fallocate(c, fd, mode, offset, len, x), "fd", fd, "mode", mode, "offset", offset, "len", len);
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        return trace(Fop.DISCARD, c, () -> firstChild().discard(c, fd, offset, len, x), "fd", fd, "offset", offset, "len", len);
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return trace(Fop.ZEROFILL, c, () -> firstChild().zerofill(c, fd, offset, len, x), "fd", fd, "offset", offset, "len", len);
    }

    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        return trace(Fop.SEEK, c, () -> firstChild().seek(c, fd, offset, what, x), "fd", fd, "offset", offset, "what", what);
    }

    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return trace(Fop.LK, c, () -> firstChild().lk(c, fd, cmd, lock, x), "fd", fd, "cmd", cmd, "lock", lock);
    }

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return trace(Fop.OPENDIR, c, () -> firstChild().opendir(c, loc, fd, x), "loc", loc, "fd", fd);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        return trace(Fop.READDIR, c, () -> firstChild().readdir(c, fd, size, offset, x), "fd", fd, "size", size, "offset", offset);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return trace(Fop.READDIRP, c, () -> firstChild().readdirp(c, fd, size, offset, x), "fd", fd, "size", size, "offset", offset);
    }

    @Override
    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        return trace(Fop.FSYNCDIR, c, () -> firstChild().fsyncdir(c, fd, datasync, x), "fd", fd, "datasync", datasync);
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return trace(Fop.GETXATTR, c, () -> firstChild().getxattr(c, loc, name, x), "loc", loc, "name", name);
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        return trace(Fop.FGETXATTR, c, () -> firstChild().fgetxattr(c, fd, name, x), "fd", fd, "name", name);
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return trace(Fop.SETXATTR, c, () -> firstChild().setxattr(c, loc, values, flags, x), "loc", loc, "values", values, "flags", flags);
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        return trace(Fop.FSETXATTR, c, () -> firstChild().fsetxattr(c, fd, values, flags, x), "fd", fd, "values", values, "flags", flags);
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return trace(Fop.REMOVEXATTR, c, () -> firstChild().removexattr(c, loc, name, x), "loc", loc, "name", name);
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        return trace(Fop.FREMOVEXATTR, c, () -> firstChild().fremovexattr(c, fd, name, x), "fd", fd, "name", name);
    }
}
