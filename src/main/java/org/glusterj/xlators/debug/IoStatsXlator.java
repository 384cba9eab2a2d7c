package org.glusterj.xlators.debug;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
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
import sun.misc.Signal;

/**
 * debug/io-stats: counts every fop that passes through it, the bytes read and written, and each
 * fop's latency (average, minimum, maximum, measured from wind to unwind of the child's future),
 * and renders them as a table: on demand ({@link #table()}), for every live instance at once
 * ({@link #dumpAll()}, which a signal handler can call, see {@link #dumpOnSignal}), and at fini.
 *
 * <p>Unlike GlusterFS, where counting waits for {@code latency-measurement}/{@code count-fop-hits}
 * (turned on by {@code gluster volume profile start}), calls and bytes are always counted and
 * latency is on by default: a LongAdder increment and two System.nanoTime calls are cheap next to a
 * fop. The other GlusterFS keys are accepted so that its volfiles load.
 */
public final class IoStatsXlator extends Xlator {
    private static final Logger log = LoggerFactory.getLogger(IoStatsXlator.class);

    public static final Option<Boolean> LATENCY_MEASUREMENT = Option.bool("latency-measurement", true,
            "Measure each fop's latency (avg/min/max). On by default in glusterj; GlusterFS's default is off.");
    public static final Option<String> VOLUME_ID = Option.string("volume-id", null,
            "The volume's UUID; shown in the table's heading.");
    public static final Option<String> UNIQUE_ID = Option.string("unique-id", null,
            "Names this instance in the table's heading (GlusterFS sets the brick path here).");
    private static final String COMPAT = "Accepted for compatibility with GlusterFS volfiles; glusterj ignores it.";
    public static final List<Option<?>> OPTIONS = List.of(LATENCY_MEASUREMENT, VOLUME_ID, UNIQUE_ID,
            Option.bool("count-fop-hits", null, "Accepted for compatibility: glusterj always counts fops."),
            compat("dump-fd-stats"), compat("ios-dump-interval"), compat("ios-sample-interval"),
            compat("ios-sample-buf-size"), compat("ios-dump-format"), compat("ios-dnscache-ttl-sec"),
            compat("log-level"), compat("sys-log-level"), compat("logger"), compat("log-format"),
            compat("log-buf-size"), compat("log-flush-timeout"), compat("client-log-level"),
            compat("brick-log-level"), compat("client-logger"), compat("brick-logger"), compat("client-log-format"),
            compat("brick-log-format"), compat("client-log-buf-size"), compat("brick-log-buf-size"),
            compat("client-log-flush-timeout"), compat("brick-log-flush-timeout"), compat("threads"),
            compat("global-threading"), compat("iam-self-heal-daemon"), compat("iam-gfproxy-daemon"),
            compat("iam-nfs-daemon"), compat("iam-brick-daemon"));

    public static final XlatorType TYPE = new XlatorType("debug/io-stats", List.of(),
            "Counts fops, bytes and latencies passing through it; dumps them as a table on request and at fini.",
            OPTIONS, IoStatsXlator::new);

    /** Every instance between construction and fini, for {@link #dumpAll()}. */
    private static final Set<IoStatsXlator> LIVE = ConcurrentHashMap.newKeySet();

    private final boolean measureLatency;
    private final String label;
    private final Instant started = Instant.now();
    private final EnumMap<Fop, FopStats> stats = new EnumMap<>(Fop.class);
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();

    public IoStatsXlator(XlatorConfig config) {
        super(config);
        measureLatency = options().get(LATENCY_MEASUREMENT);
        String id = options().get(UNIQUE_ID) != null ? options().get(UNIQUE_ID) : options().get(VOLUME_ID);
        label = name() + (id != null ? " (" + id + ")" : "");
        for (Fop f : Fop.values()) stats.put(f, new FopStats());
        LIVE.add(this);
    }

    private static Option<String> compat(String key) {
        return Option.string(key, null, COMPAT);
    }

    // ---- reporting ----

    /** Counters of one fop so far. */
    public FopStats.Snapshot stats(Fop fop) {
        return stats.get(fop).snapshot();
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** The counters as a text table: one row per fop called at least once, busiest first. */
    public String table() {
        Duration up = Duration.between(started, Instant.now());
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "io-stats of %s: %d s, %s read, %s written%n", label,
                up.toSeconds(), human(bytesRead()), human(bytesWritten())));
        List<Map.Entry<Fop, FopStats.Snapshot>> rows = new ArrayList<>();
        for (Fop f : Fop.values()) {
            FopStats.Snapshot s = stats(f);
            if (s.calls() > 0) rows.add(Map.entry(f, s));
        }
        if (rows.isEmpty()) return sb.append("  no fops yet").toString();
        rows.sort((a, b) -> Long.compare(b.getValue().calls(), a.getValue().calls()));
        sb.append(String.format(Locale.ROOT, "  %-13s %12s %8s %12s %12s %12s%n", "fop", "calls", "errors",
                "avg us", "min us", "max us"));
        for (Map.Entry<Fop, FopStats.Snapshot> r : rows) {
            FopStats.Snapshot s = r.getValue();
            boolean t = s.timed() > 0;
            sb.append(String.format(Locale.ROOT, "  %-13s %12d %8d %12s %12s %12s%n", r.getKey(), s.calls(),
                    s.errors(), t ? micros(s.avgNanos()) : "-", t ? micros(s.minNanos()) : "-",
                    t ? micros(s.maxNanos()) : "-"));
        }
        return sb.toString().stripTrailing();
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    private static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    /** Logs the table of every live io-stats instance at INFO. */
    public static void dumpAll() {
        for (IoStatsXlator x : LIVE) log.info("{}", x.table());
    }

    /**
     * Makes the given signal (e.g. "USR1") dump every live instance's table to the log. Meant for
     * the client's main(), once; returns false if the JVM refuses the signal (it names why in the log).
     */
    public static boolean dumpOnSignal(String signalName) {
        try {
            Signal.handle(new Signal(signalName), sig -> dumpAll());
            return true;
        } catch (IllegalArgumentException e) {
            log.warn("cannot dump io-stats on SIG{}: {}", signalName, e.getMessage());
            return false;
        }
    }

    @Override
    public void fini() {
        boolean used = java.util.Arrays.stream(Fop.values()).anyMatch(f -> stats(f).calls() > 0);
        if (LIVE.remove(this) && used) log.info("{}", table());
    }

    // ---- measuring ----

    private long start(Fop fop) {
        stats.get(fop).called();
        return measureLatency ? System.nanoTime() : 0L;
    }

    /**
     * Records the outcome when the child's future completes, before anyone above sees the reply
     * (so a reader cannot have consumed a read buffer yet), and hands the reply on unchanged.
     */
    private <T> CompletableFuture<T> finish(Fop fop, long t0, CompletableFuture<T> child, Consumer<T> onSuccess) {
        FopStats s = stats.get(fop);
        CompletableFuture<T> out = new CompletableFuture<>();
        // handle, not whenComplete: whenComplete's own future would wrap every failure in a new
        // CompletionException (a stack trace per failed fop, e.g. the kernel's security.capability
        // getxattr before each write).
        child.handle((reply, error) -> {
            s.completed(measureLatency ? System.nanoTime() - t0 : -1, error != null);
            if (error != null) {
                out.completeExceptionally(error);
                return null;
            }
            if (onSuccess != null) onSuccess.accept(reply);
            out.complete(reply);
            return null;
        });
        return out;
    }

    private void countRead(ReadReply r) {
        if (r != null && r.data() != null) bytesRead.add(r.data().readableBytes());
    }

    // ---- callbacks: counted, not timed ----

    @Override
    public void release(Fd fd) {
        stats.get(Fop.RELEASE).called();
        super.release(fd);
    }

    @Override
    public void releasedir(Fd fd) {
        stats.get(Fop.RELEASEDIR).called();
        super.releasedir(fd);
    }

    @Override
    public void forget(Inode inode) {
        stats.get(Fop.FORGET).called();
        super.forget(inode);
    }

    // ---- fops ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        long t0 = start(Fop.LOOKUP);
        return finish(Fop.LOOKUP, t0, firstChild().lookup(c, loc, x), null);
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        long t0 = start(Fop.STAT);
        return finish(Fop.STAT, t0, firstChild().stat(c, loc, x), null);
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        long t0 = start(Fop.FSTAT);
        return finish(Fop.FSTAT, t0, firstChild().fstat(c, fd, x), null);
    }

    @Override
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        long t0 = start(Fop.ACCESS);
        return finish(Fop.ACCESS, t0, firstChild().access(c, loc, mask, x), null);
    }

    @Override
    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        long t0 = start(Fop.READLINK);
        return finish(Fop.READLINK, t0, firstChild().readlink(c, loc, size, x), null);
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        long t0 = start(Fop.MKNOD);
        return finish(Fop.MKNOD, t0, firstChild().mknod(c, loc, mode, rdev, umask, x), null);
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        long t0 = start(Fop.MKDIR);
        return finish(Fop.MKDIR, t0, firstChild().mkdir(c, loc, mode, umask, x), null);
    }

    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        long t0 = start(Fop.UNLINK);
        return finish(Fop.UNLINK, t0, firstChild().unlink(c, loc, xflags, x), null);
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        long t0 = start(Fop.RMDIR);
        return finish(Fop.RMDIR, t0, firstChild().rmdir(c, loc, flags, x), null);
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        long t0 = start(Fop.SYMLINK);
        return finish(Fop.SYMLINK, t0, firstChild().symlink(c, target, loc, umask, x), null);
    }

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        long t0 = start(Fop.RENAME);
        return finish(Fop.RENAME, t0, firstChild().rename(c, oldLoc, newLoc, x), null);
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        long t0 = start(Fop.LINK);
        return finish(Fop.LINK, t0, firstChild().link(c, oldLoc, newLoc, x), null);
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        long t0 = start(Fop.TRUNCATE);
        return finish(Fop.TRUNCATE, t0, firstChild().truncate(c, loc, offset, x), null);
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        long t0 = start(Fop.FTRUNCATE);
        return finish(Fop.FTRUNCATE, t0, firstChild().ftruncate(c, fd, offset, x), null);
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        long t0 = start(Fop.SETATTR);
        return finish(Fop.SETATTR, t0, firstChild().setattr(c, loc, attr, x), null);
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        long t0 = start(Fop.FSETATTR);
        return finish(Fop.FSETATTR, t0, firstChild().fsetattr(c, fd, attr, x), null);
    }

    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        long t0 = start(Fop.STATFS);
        return finish(Fop.STATFS, t0, firstChild().statfs(c, loc, x), null);
    }

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        long t0 = start(Fop.OPEN);
        return finish(Fop.OPEN, t0, firstChild().open(c, loc, flags, fd, x), null);
    }

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        long t0 = start(Fop.CREATE);
        return finish(Fop.CREATE, t0, firstChild().create(c, loc, flags, mode, umask, fd, x), null);
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        long t0 = start(Fop.READ);
        return finish(Fop.READ, t0, firstChild().readv(c, fd, size, offset, flags, x), this::countRead);
    }

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        long t0 = start(Fop.WRITE);
        long bytes = data.readableBytes();
        return finish(Fop.WRITE, t0, firstChild().writev(c, fd, data, offset, flags, x), r -> bytesWritten.add(bytes));
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        long t0 = start(Fop.FLUSH);
        return finish(Fop.FLUSH, t0, firstChild().flush(c, fd, x), null);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        long t0 = start(Fop.FSYNC);
        return finish(Fop.FSYNC, t0, firstChild().fsync(c, fd, datasync, x), null);
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        long t0 = start(Fop.FALLOCATE);
        return finish(Fop.FALLOCATE, t0, firstChild().fallocate(c, fd, mode, offset, len, x), null);
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        long t0 = start(Fop.DISCARD);
        return finish(Fop.DISCARD, t0, firstChild().discard(c, fd, offset, len, x), null);
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        long t0 = start(Fop.ZEROFILL);
        return finish(Fop.ZEROFILL, t0, firstChild().zerofill(c, fd, offset, len, x), null);
    }

    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        long t0 = start(Fop.SEEK);
        return finish(Fop.SEEK, t0, firstChild().seek(c, fd, offset, what, x), null);
    }

    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        long t0 = start(Fop.LK);
        return finish(Fop.LK, t0, firstChild().lk(c, fd, cmd, lock, x), null);
    }

    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        long t0 = start(Fop.OPENDIR);
        return finish(Fop.OPENDIR, t0, firstChild().opendir(c, loc, fd, x), null);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        long t0 = start(Fop.READDIR);
        return finish(Fop.READDIR, t0, firstChild().readdir(c, fd, size, offset, x), null);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        long t0 = start(Fop.READDIRP);
        return finish(Fop.READDIRP, t0, firstChild().readdirp(c, fd, size, offset, x), null);
    }

    @Override
    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        long t0 = start(Fop.FSYNCDIR);
        return finish(Fop.FSYNCDIR, t0, firstChild().fsyncdir(c, fd, datasync, x), null);
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        long t0 = start(Fop.GETXATTR);
        return finish(Fop.GETXATTR, t0, firstChild().getxattr(c, loc, name, x), null);
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        long t0 = start(Fop.FGETXATTR);
        return finish(Fop.FGETXATTR, t0, firstChild().fgetxattr(c, fd, name, x), null);
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        long t0 = start(Fop.SETXATTR);
        return finish(Fop.SETXATTR, t0, firstChild().setxattr(c, loc, values, flags, x), null);
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        long t0 = start(Fop.FSETXATTR);
        return finish(Fop.FSETXATTR, t0, firstChild().fsetxattr(c, fd, values, flags, x), null);
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        long t0 = start(Fop.REMOVEXATTR);
        return finish(Fop.REMOVEXATTR, t0, firstChild().removexattr(c, loc, name, x), null);
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        long t0 = start(Fop.FREMOVEXATTR);
        return finish(Fop.FREMOVEXATTR, t0, firstChild().fremovexattr(c, fd, name, x), null);
    }
}
