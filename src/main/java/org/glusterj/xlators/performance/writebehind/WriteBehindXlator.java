package org.glusterj.xlators.performance.writebehind;

import static org.glusterj.core.OpenFlags.O_APPEND;
import static org.glusterj.core.OpenFlags.O_DIRECT;
import static org.glusterj.core.OpenFlags.O_DSYNC;
import static org.glusterj.core.OpenFlags.O_SYNC;
import static org.glusterj.core.OpenFlags.O_TRUNC;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.glusterj.core.AfterReply;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.LkReply;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.SeekReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.glusterj.options.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * performance/write-behind: acknowledges writes as soon as they are queued, sends them to the
 * child in the background merged into writes of up to aggregate-size, and keeps at most
 * window-size bytes acknowledged but unanswered per inode (further writers wait, asynchronously,
 * for room). Fops that must see the written data (read, stat, truncate, setattr, fsync, lookup by
 * gfid, link, fallocate, discard, zerofill) wait for the writes before them; readdirp and lookup by
 * name get sizes patched instead. Overlapping writes reach the child in order. A cached write that
 * fails is reported on the next writev, readv, flush, fsync or other fd fop of the fd it was
 * written through, and logged if the fd is closed before that.
 *
 * <p>Writes on O_SYNC/O_DSYNC fds (and O_DIRECT ones with strict-O_DIRECT) are not acknowledged
 * early, but still wait for earlier cached writes so that order is kept.
 *
 * <p>An early-acknowledged writev answers a {@link ChangeReply} with null pre and post attributes:
 * the attributes after the write are not known yet (GlusterFS answers zeroed iatts).
 */
public final class WriteBehindXlator extends Xlator {
    private static final Logger log = LoggerFactory.getLogger(WriteBehindXlator.class);

    /** Largest payload protocol/client carries in one writev. */
    static final long MAX_AGGREGATE = 4L << 20;

    public static final Option<Long> CACHE_SIZE = Option.size("cache-size", "1MB", 512L << 10, 1L << 30,
            "Bytes per file (inode) that may be acknowledged to the application before the bricks have them.");
    public static final Option<Long> WINDOW_SIZE = Option.size("window-size", "1MB", 512L << 10, 1L << 30,
            "Another name for cache-size, as GlusterFS accepts it.");
    public static final Option<Long> AGGREGATE_SIZE = Option.size("aggregate-size", "128KB", 4L << 10, MAX_AGGREGATE,
            "Contiguous writes are merged into one write of up to this many bytes; at most cache-size.");
    public static final Option<Boolean> FLUSH_BEHIND = Option.bool("flush-behind", true,
            "Answer flush (close) as soon as the writes acknowledged earlier are on the bricks, with their error "
                    + "if one failed, without waiting for the flush itself; it still reaches the bricks, in order, "
                    + "before the file is released.");
    public static final Option<Boolean> TRICKLING_WRITES = Option.bool("trickling-writes", true,
            "Send queued writes as soon as nothing else is in flight, instead of holding a batch until it "
                    + "reaches aggregate-size.");
    public static final Option<Boolean> STRICT_O_DIRECT = Option.bool("strict-O_DIRECT", false,
            "Do not cache writes on files opened with O_DIRECT (off: O_DIRECT is ignored, as in GlusterFS).");
    public static final Option<Boolean> STRICT_WRITE_ORDERING = Option.bool("strict-write-ordering", false,
            "Never let a later write overtake an earlier one, even when they do not overlap.");
    public static final Option<Boolean> RESYNC_AFTER_FSYNC = Option.bool("resync-failed-syncs-after-fsync", false,
            "Accepted for GlusterFS compatibility; glusterj never retries a failed cached write: it reports "
                    + "the error once and drops the data, as GlusterFS does with this option off.");
    public static final List<Option<?>> OPTIONS = List.of(CACHE_SIZE, WINDOW_SIZE, AGGREGATE_SIZE, FLUSH_BEHIND,
            TRICKLING_WRITES, STRICT_O_DIRECT, STRICT_WRITE_ORDERING, RESYNC_AFTER_FSYNC);

    public static final XlatorType TYPE = new XlatorType("performance/write-behind", List.of(),
            "Acknowledges writes early, merges contiguous writes into larger ones and flushes in the background; "
                    + "reads, stat, truncate and fsync still see every earlier write.",
            OPTIONS, WriteBehindXlator::new);

    private static final ChangeReply LIED = new ChangeReply(null, null, Xdata.EMPTY);

    private final WbConfig config;
    private final ConcurrentMap<Gfid, WriteQueue> queues = new ConcurrentHashMap<>();

    public WriteBehindXlator(XlatorConfig config) {
        super(config);
        this.config = readConfig(options());
        if (options().get(RESYNC_AFTER_FSYNC)) {
            log.warn("{}: resync-failed-syncs-after-fsync is not supported; failed cached writes are reported "
                    + "once and dropped", name());
        }
    }

    private static WbConfig readConfig(Options o) {
        long window = o.get(CACHE_SIZE);
        if (o.isSet(WINDOW_SIZE)) {
            long alias = o.get(WINDOW_SIZE);
            if (o.isSet(CACHE_SIZE) && alias != window) {
                throw new IllegalArgumentException("cache-size (" + window + ") and window-size (" + alias
                        + ") are the same option and disagree; set only one of them");
            }
            window = alias;
        }
        long aggregate = o.get(AGGREGATE_SIZE);
        if (aggregate > window) {
            throw new IllegalArgumentException("aggregate-size (" + aggregate + ") cannot be more than cache-size ("
                    + window + "); lower aggregate-size or raise cache-size");
        }
        return new WbConfig(window, aggregate, o.get(FLUSH_BEHIND), o.get(TRICKLING_WRITES), o.get(STRICT_O_DIRECT),
                o.get(STRICT_WRITE_ORDERING));
    }

    // ---- writes ----

    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        FdState state = fd.ctx(this);
        Errno failed = state == null ? null : state.writeFailure;
        if (failed != null) {
            state.error.set(null); // reported now; flush and fsync need not repeat it
            data.release();
            return CompletableFuture.failedFuture(failed.exception("an earlier cached write to this file failed"));
        }
        int all = fd.flags() | flags;
        boolean sync = (all & O_SYNC) == O_SYNC || (all & O_DSYNC) != 0
                || (config.strictODirect() && (all & O_DIRECT) != 0);
        if (sync && !queues.containsKey(fd.gfid())) return firstChild().writev(c, fd, data, offset, flags, x);
        fdState(fd);
        PendingWrite w = new PendingWrite(fd, c, data, offset, flags, x, sync, (fd.flags() & O_APPEND) != 0);
        while (true) {
            WriteQueue q = queues.computeIfAbsent(fd.gfid(), g -> new WriteQueue(g, config));
            boolean ackNow;
            synchronized (q) {
                if (q.retired) continue;
                ackNow = q.addWrite(w);
            }
            if (!ackNow) {
                drain(q);
                return w.reply;
            }
            // Acknowledged: the kernel hears so before this thread writes the RPC.
            AfterReply.run(() -> drain(q));
            return CompletableFuture.completedFuture(LIED);
        }
    }

    /**
     * Starts whatever the queue lets go. One thread drains a queue at a time; a thread that finds
     * it busy leaves its changes to the drainer, which picks again until nothing more can start.
     */
    private void drain(WriteQueue q) {
        synchronized (q) {
            if (q.draining) return;
            q.draining = true;
        }
        while (true) {
            List<Object> start;
            synchronized (q) {
                start = q.pick();
                if (start.isEmpty()) {
                    q.draining = false;
                    if (q.idle()) {
                        q.retired = true;
                        queues.remove(q.gfid, q);
                    }
                    return;
                }
            }
            for (Object item : start) {
                if (item instanceof Batch b) wind(q, b);
                else ((Barrier) item).start();
            }
        }
    }

    private void wind(WriteQueue q, Batch batch) {
        PendingWrite first = batch.first();
        ByteBuf data = dataOf(batch);
        CompletableFuture<ChangeReply> sent;
        try {
            sent = firstChild().writev(first.caller, first.fd, data, first.offset, first.flags, first.xdata);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((reply, err) -> written(q, batch, reply, err));
    }

    /** Hands the writes' buffers over, without copying, as one buffer. */
    private static ByteBuf dataOf(Batch batch) {
        List<PendingWrite> ws = batch.writes();
        if (ws.size() == 1) return take(ws.get(0));
        CompositeByteBuf all = ws.get(0).data.alloc().compositeDirectBuffer(ws.size());
        for (PendingWrite w : ws) all.addComponent(true, take(w));
        return all;
    }

    private static ByteBuf take(PendingWrite w) {
        ByteBuf d = w.data;
        w.data = null;
        return d;
    }

    private void written(WriteQueue q, Batch batch, ChangeReply reply, Throwable err) {
        List<PendingWrite> nowAcked = new ArrayList<>();
        synchronized (q) {
            q.batchDone(batch, nowAcked::add);
        }
        Errno errno = err == null ? null : FopException.errnoOf(err);
        for (PendingWrite w : batch.writes()) {
            if (!w.acked) { // its writer still waits: it gets the real answer
                if (err == null) w.reply.complete(reply);
                else w.reply.completeExceptionally(errno.exception("write of " + w.size + " bytes at offset " + w.offset));
            } else if (err != null) {
                recordError(w, errno);
            }
        }
        for (PendingWrite w : nowAcked) w.reply.complete(LIED);
        drain(q);
    }

    // ---- per-fd errors ----

    /**
     * Per-fd state: the first cached-write error not yet reported, and the error every later write
     * of the fd fails with. Writes must keep failing: the kernel turns an error in the middle of a
     * large write into a short write, so an error reported only once would vanish into a retry.
     */
    private static final class FdState {
        final AtomicReference<Errno> error = new AtomicReference<>();
        volatile Errno writeFailure;
    }

    private FdState fdState(Fd fd) {
        FdState s = fd.ctx(this);
        return s != null ? s : fd.ctxIfAbsent(this, FdState::new);
    }

    private Errno takeError(Fd fd) {
        FdState s = fd.ctx(this);
        return s == null ? null : s.error.getAndSet(null);
    }

    private void recordError(PendingWrite w, Errno errno) {
        FdState s = w.fd.ctx(this);
        if (s == null) {
            log.error("{}: cached write of {} bytes at offset {} to {} failed with {} after the file was closed; "
                    + "the data is lost", name(), w.size, w.offset, w.fd.gfid(), errno);
            return;
        }
        log.warn("{}: cached write of {} bytes at offset {} to {} failed with {}; later writes of the fd fail, and the next flush or fsync reports it "
                + "of the fd", name(), w.size, w.offset, w.fd.gfid(), errno);
        s.error.compareAndSet(null, errno);
        if (s.writeFailure == null) s.writeFailure = errno;
    }

    private static <T> CompletableFuture<T> reportedError(Errno e) {
        return CompletableFuture.failedFuture(e.exception("an earlier cached write to this file failed"));
    }

    /** Fails the fop's result with the fd's pending write error, if one arrived meanwhile. */
    private <T> CompletableFuture<T> thenReportError(Fd fd, CompletableFuture<T> fop) {
        CompletableFuture<T> out = new CompletableFuture<>();
        fop.whenComplete((r, err) -> {
            Errno e = takeError(fd);
            if (e != null) out.completeExceptionally(e.exception("an earlier cached write to this file failed"));
            else if (err != null) out.completeExceptionally(err);
            else out.complete(r);
        });
        return out;
    }

    // ---- fops that wait for earlier writes ----

    /**
     * Runs {@code fop} once the inode's earlier writes in [from, to) are answered (all of them for
     * a whole-file range), and holds later writes until it has finished. Without pending writes it
     * runs at once.
     */
    private <T> CompletableFuture<T> after(Gfid gfid, String name, long from, long to,
                                           Supplier<CompletableFuture<T>> fop) {
        WriteQueue q = gfid == null ? null : queues.get(gfid);
        if (q == null) return fop.get();
        CompletableFuture<T> result = new CompletableFuture<>();
        Barrier[] self = new Barrier[1];
        self[0] = new Barrier(name, from, to, () -> {
            CompletableFuture<T> f;
            try {
                f = fop.get();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((r, err) -> {
                synchronized (q) {
                    q.barrierDone(self[0]);
                }
                drain(q);
                if (err != null) result.completeExceptionally(err);
                else result.complete(r);
            });
        });
        boolean queued;
        synchronized (q) {
            queued = !q.retired;
            if (queued) q.addBarrier(self[0]);
        }
        if (!queued) return fop.get();
        drain(q);
        return result;
    }

    private <T> CompletableFuture<T> afterAll(Gfid gfid, String name, Supplier<CompletableFuture<T>> fop) {
        return after(gfid, name, 0, Long.MAX_VALUE, fop);
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        Errno e = takeError(fd);
        if (e != null) return reportedError(e);
        return after(fd.gfid(), "readv", offset, offset + Math.max(size, 1),
                () -> firstChild().readv(c, fd, size, offset, flags, x));
    }

    /**
     * A set-lock request reaches the brick only after the inode's acknowledged writes, so that
     * whoever takes the lock next, on any mount, reads what was written under it. Only the winding
     * waits: a blocked F_SETLKW must not hold back later writes (the holder may need them to get
     * to its unlock).
     */
    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        if (cmd == Flock.F_GETLK || fd == null) return firstChild().lk(c, fd, cmd, lock, x);
        return after(fd.gfid(), "lk", 0, Long.MAX_VALUE,
                () -> CompletableFuture.completedFuture(firstChild().lk(c, fd, cmd, lock, x)))
                .thenCompose(wound -> wound);
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        Errno e = takeError(fd);
        if (config.flushBehind()) {
            // close(2) is the application's last chance to hear of a failed write: wait for the
            // writes already acknowledged, as GlusterFS does, and send only the flush itself behind.
            CompletableFuture<Done> writesDone = afterAll(fd.gfid(), "flush", () -> {
                firstChild().flush(c, fd, x).whenComplete((r, err) -> {
                    if (err != null) log.warn("{}: background flush of {} failed: {}", name(), fd.gfid(), err.toString());
                });
                return CompletableFuture.completedFuture(Done.OK);
            });
            return e != null ? reportedError(e) : thenReportError(fd, writesDone);
        }
        CompletableFuture<Done> sent = afterAll(fd.gfid(), "flush", () -> firstChild().flush(c, fd, x));
        return e != null ? sent.thenCompose(r -> reportedError(e)) : thenReportError(fd, sent);
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        Errno e = takeError(fd);
        CompletableFuture<ChangeReply> sent = afterAll(fd.gfid(), "fsync", () -> firstChild().fsync(c, fd, datasync, x));
        return e != null ? sent.handle((r, err) -> (ChangeReply) null).thenCompose(r -> reportedError(e))
                : thenReportError(fd, sent);
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return afterAll(loc.gfid(), "stat", () -> firstChild().stat(c, loc, x));
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        Errno e = takeError(fd);
        if (e != null) return reportedError(e);
        return afterAll(fd.gfid(), "fstat", () -> firstChild().fstat(c, fd, x));
    }

    /** An open that truncates is a truncate: writes acknowledged before it must not land after it. */
    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        if ((flags & O_TRUNC) == 0 || loc.gfid() == null) return firstChild().open(c, loc, flags, fd, x);
        return afterAll(loc.gfid(), "open", () -> firstChild().open(c, loc, flags, fd, x));
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return afterAll(loc.gfid(), "truncate", () -> firstChild().truncate(c, loc, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        Errno e = takeError(fd);
        if (e != null) return reportedError(e);
        return afterAll(fd.gfid(), "ftruncate", () -> firstChild().ftruncate(c, fd, offset, x));
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return afterAll(loc.gfid(), "setattr", () -> firstChild().setattr(c, loc, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        Errno e = takeError(fd);
        if (e != null) return reportedError(e);
        return afterAll(fd.gfid(), "fsetattr", () -> firstChild().fsetattr(c, fd, attr, x));
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        Errno e = takeError(fd);
        if (e != null) return reportedError(e);
        return afterAll(fd.gfid(), "fallocate", () -> firstChild().fallocate(c, fd, mode, offset, len, x));
    }

    /** SEEK_DATA/SEEK_HOLE must see the data already acknowledged. */
    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        Errno e = takeError(fd);
        if (e != null) return reportedError(e);
        return afterAll(fd.gfid(), "seek", () -> firstChild().seek(c, fd, offset, what, x));
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        Errno e = takeError(fd);
        if (e != null) return reportedError(e);
        return afterAll(fd.gfid(), "discard", () -> firstChild().discard(c, fd, offset, len, x));
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        Errno e = takeError(fd);
        if (e != null) return reportedError(e);
        return afterAll(fd.gfid(), "zerofill", () -> firstChild().zerofill(c, fd, offset, len, x));
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return afterAll(oldLoc.gfid(), "link", () -> firstChild().link(c, oldLoc, newLoc, x));
    }

    /**
     * By gfid, waits for pending writes. By name the gfid is known only from the reply: if that
     * object had writes pending when the lookup left, or has now, the brick may have answered
     * before them (lookups do not queue behind writes there either), and md-cache would keep the
     * old size and times for as long as it trusts a lookup; so ask again by gfid after the writes.
     */
    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        if (loc.gfid() != null) return afterAll(loc.gfid(), "lookup", () -> firstChild().lookup(c, loc, x));
        Set<Gfid> writingAtSend = queues.isEmpty() ? Set.of() : Set.copyOf(queues.keySet());
        CompletableFuture<EntryReply> sent = firstChild().lookup(c, loc, x);
        return sent.thenCompose(r -> {
            Gfid g = r.attr() == null ? null : r.attr().gfid();
            if (g == null || !(writingAtSend.contains(g) || queues.containsKey(g))) return sent;
            return afterAll(g, "lookup", () -> firstChild().lookup(c, loc.withGfid(g), x));
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        CompletableFuture<ReaddirReply> sent = firstChild().readdirp(c, fd, size, offset, x);
        if (queues.isEmpty()) return sent;
        return sent.thenApply(r -> {
            List<Dirent> out = null;
            for (int i = 0; i < r.entries().size(); i++) {
                Dirent d = r.entries().get(i);
                Iatt patched = withPendingSize(d.attr());
                if (patched == d.attr()) continue;
                if (out == null) out = new ArrayList<>(r.entries());
                out.set(i, new Dirent(d.name(), d.ino(), d.offset(), d.type(), patched, d.xdata()));
            }
            return out == null ? r : new ReaddirReply(out, r.xdata());
        });
    }

    /** The attributes with the size that the inode's pending writes will give it. */
    private Iatt withPendingSize(Iatt attr) {
        if (attr == null || attr.gfid() == null) return attr;
        WriteQueue q = queues.get(attr.gfid());
        if (q == null) return attr;
        long end;
        synchronized (q) {
            end = q.pendingEnd();
        }
        return end > attr.size() ? attr.withSize(end) : attr;
    }

    // ---- callbacks ----

    /** Delivers the fd's pending writes (and a background flush) before the child hears of the release. */
    @Override
    public void release(Fd fd) {
        WriteQueue q = queues.get(fd.gfid());
        if (q == null) {
            releaseNow(fd);
            return;
        }
        CompletableFuture<Done> done = afterAll(fd.gfid(), "release", () -> {
            releaseNow(fd);
            return CompletableFuture.completedFuture(Done.OK);
        });
        done.whenComplete((r, err) -> {
            if (err != null) log.warn("{}: release of {} failed: {}", name(), fd.gfid(), err.toString());
        });
    }

    private void releaseNow(Fd fd) {
        FdState s = fd.takeCtx(this);
        Errno unreported = s == null ? null : s.error.get();
        if (unreported != null) {
            log.error("{}: a cached write to {} failed with {} and the file was closed before the error could be "
                    + "reported", name(), fd.gfid(), unreported);
        }
        super.release(fd);
    }

    /** For tests and statedumps: how many inodes have writes pending. */
    int pendingInodes() {
        return queues.size();
    }
}
