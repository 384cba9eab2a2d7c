package org.glusterj.xlators.cluster.dht;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebalance after adding subvolumes, as GlusterFS's rebalance process does it: walk the volume
 * through a distribute xlator; for each directory rewrite the layout over all subvolumes
 * (fix-layout), then move each regular file whose name now hashes to another subvolume there.
 * When every directory is done, the volume's commit hash is stamped on the root so that clients
 * stop looking for names on every subvolume.
 *
 * <p>It runs on the caller's thread and waits for each fop (it is a tool, not part of a fop path).
 * It can be stopped at any time and simply run again: finished directories keep their layout and
 * files already moved are where they belong.
 *
 * <p>Limits: a file is copied, checked unchanged (size and times) and only then switched over; a
 * write that lands between that check and the switch, or through an fd opened before the switch,
 * reaches the old copy and is lost (GlusterFS forwards such writes; glusterj does not yet). Files
 * with several hard links and non-regular files stay where they are and are counted as skipped.
 */
public final class Rebalancer {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    private static final int CHUNK = 128 * 1024;
    private static final int O_RDONLY = 0, O_WRONLY = 1;
    private static final long FOP_TIMEOUT_SECONDS = 120;
    private static final int COPY_ATTEMPTS = 3;

    /** Counters as the run goes; {@code finished} once the whole volume was done. */
    public record Progress(long directories, long filesScanned, long filesMigrated, long bytesMigrated, long skipped,
                          long failures, boolean finished) {
    }

    @FunctionalInterface
    public interface Listener {
        /** Called after each directory and each moved file; {@code where} is the path being worked on. */
        void onProgress(Progress progress, String where);
    }

    private final DistributeXlator dht;
    private final Listener listener;
    private final boolean fixLayoutOnly;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Caller caller = Caller.ROOT;

    private long directories, scanned, migrated, bytes, skipped, failures;

    /** @param fixLayoutOnly only rewrite layouts (GlusterFS "rebalance fix-layout"); move no data */
    public Rebalancer(DistributeXlator dht, boolean fixLayoutOnly, Listener listener) {
        this.dht = dht;
        this.fixLayoutOnly = fixLayoutOnly;
        this.listener = listener == null ? (p, w) -> { } : listener;
    }

    /** Asks a running {@link #run} to return after the file or directory at hand. */
    public void stop() {
        stop.set(true);
    }

    /**
     * Phase 1 rewrites every directory's layout (healing subdirectories first, so that names
     * hashing to a new subvolume find their directory there); then it waits until every client has
     * re-read the layouts it caches; phase 2 moves the files whose name now hashes elsewhere.
     */
    public Progress run() {
        int commit;
        do {
            commit = ThreadLocalRandom.current().nextInt();
        } while (commit == 0 || commit == 1 || commit == dht.volumeCommitHash());
        List<Loc> fixed = new ArrayList<>();
        Deque<Loc> todo = new ArrayDeque<>();
        todo.push(Loc.root());
        while (!todo.isEmpty()) {
            if (stop.get()) return stopped(todo.size() + " directories left to fix");
            Loc dir = todo.pop();
            try {
                Gfid g = dir.gfid() != null ? dir.gfid() : await(dht.lookup(caller, dir, Xdata.EMPTY)).attr().gfid();
                Loc dloc = dir.withGfid(g);
                for (Dirent d : list(g)) {
                    if (d.name().equals(".") || d.name().equals("..") || d.attr() == null || !d.attr().isDirectory()) {
                        continue;
                    }
                    Loc sub = new Loc(d.attr().gfid(), g, d.name(), child(dir.path(), d.name()));
                    await(dht.lookup(caller, sub, Xdata.EMPTY)); // heals it onto new subvolumes
                    todo.push(sub);
                }
                await(dht.fixLayout(caller, dloc, commit));
                fixed.add(dloc);
                directories++;
            } catch (FopException e) {
                failures++;
                LOG.warn("rebalance: fix-layout of {}: {}", dir, e.getMessage());
            }
            listener.onProgress(progress(false), dir.path());
        }
        if (!fixLayoutOnly) {
            if (!pause(2 * DistributeXlator.LAYOUT_TTL_NANOS)) return stopped("layouts fixed; no file moved yet");
            for (int i = 0; i < fixed.size(); i++) {
                if (stop.get()) return stopped((fixed.size() - i) + " directories left to move files in");
                Loc dir = fixed.get(i);
                try {
                    Layout layout = await(dht.fixLayout(caller, dir, commit));
                    for (Dirent d : list(dir.gfid())) {
                        if (stop.get()) break;
                        if (d.attr() == null || d.attr().isDirectory()) continue;
                        placeFile(layout, new Loc(d.attr().gfid(), dir.gfid(), d.name(), child(dir.path(), d.name())));
                    }
                } catch (FopException e) {
                    failures++;
                    LOG.warn("rebalance: moving files of {}: {}", dir, e.getMessage());
                }
                listener.onProgress(progress(false), dir.path());
            }
            if (stop.get()) return stopped("interrupted while moving files");
        }
        boolean complete = failures == 0;
        if (complete && !fixLayoutOnly) {
            try {
                await(dht.stampVolumeCommitHash(commit));
            } catch (FopException e) {
                failures++;
                complete = false;
                LOG.warn("rebalance: could not stamp the volume commit hash: {}", e.getMessage());
            }
        }
        if (!complete) LOG.warn("rebalance finished with {} failure(s); run it again once they are resolved", failures);
        Progress done = progress(complete);
        listener.onProgress(done, "/");
        return done;
    }

    private Progress stopped(String why) {
        LOG.info("rebalance stopped ({}); run it again to resume", why);
        return progress(false);
    }

    /** Sleeps, waking early (false) if asked to stop. */
    private boolean pause(long nanos) {
        long until = System.nanoTime() + nanos;
        try {
            while (!stop.get() && System.nanoTime() < until) Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return !stop.get();
    }

    private Progress progress(boolean finished) {
        return new Progress(directories, scanned, migrated, bytes, skipped, failures, finished);
    }

    private static String child(String dirPath, String name) {
        if (dirPath == null) return null;
        return dirPath.endsWith("/") ? dirPath + name : dirPath + "/" + name;
    }

    private List<Dirent> list(Gfid dir) {
        Fd fd = new Fd(new Inode(dir, FileType.S_IFDIR), O_RDONLY, 0);
        List<Dirent> out = new ArrayList<>();
        await(dht.opendir(caller, Loc.of(dir, null), fd, Xdata.EMPTY));
        try {
            long off = 0;
            while (true) {
                ReaddirReply r = await(dht.readdirp(caller, fd, CHUNK, off, Xdata.EMPTY));
                if (r.entries().isEmpty()) return out;
                out.addAll(r.entries());
                off = r.entries().get(r.entries().size() - 1).offset();
            }
        } finally {
            dht.releasedir(fd);
        }
    }

    private void placeFile(Layout layout, Loc entry) {
        scanned++;
        try {
            EntryReply r = await(dht.lookup(caller, entry, Xdata.EMPTY));
            Iatt a = r.attr();
            int from = dht.dataSubvolOf(a.gfid());
            int to = dht.hashedSubvol(layout, entry.name());
            if (from < 0 || to < 0 || from == to) return;
            if (!a.isRegular() || a.nlink() > 1) {
                skipped++;
                LOG.info("rebalance: leaving {} on {} ({})", entry, dht.subvolName(from),
                        a.isRegular() ? "it has " + a.nlink() + " hard links" : "not a regular file");
                return;
            }
            boolean moved;
            try {
                moved = migrate(entry.withGfid(a.gfid()), from, to);
            } catch (FopException e) {
                if (e.errno() != Errno.EEXIST) throw e;
                // A concurrent lookup can catch the new copy before the brick has stamped its gfid; try once more.
                LOG.debug("rebalance: retrying {} after {}", entry, e.getMessage());
                moved = migrate(entry.withGfid(a.gfid()), from, to);
            }
            if (moved) {
                migrated++;
                bytes += a.size();
                listener.onProgress(progress(false), entry.path());
            }
        } catch (FopException e) {
            failures++;
            LOG.warn("rebalance: cannot move {}: {}", entry, e.getMessage());
        }
    }

    /**
     * Moves one file's data from subvolume {@code from} to its hashed subvolume {@code to}: the
     * copy on {@code to} is a linkto file (pointing back at the data) until it is complete, so that
     * lookups keep finding the data throughout; then it becomes the file and the old copy goes.
     */
    private boolean migrate(Loc entry, int from, int to) {
        Xlator src = dht.subvol(from), dst = dht.subvol(to);
        String linkto = dht.linktoXattrName();
        Gfid g = entry.gfid();
        EntryReply existing = awaitOrNull(dst.lookup(caller, entry, Xdata.EMPTY));
        if (existing == null) {
            await(dst.mknod(caller, entry, Linkto.MODE, 0, 0, Xdata.EMPTY));
            await(dst.setxattr(caller, entry, Map.of(linkto, Linkto.encode(dht.subvolName(from))), 0, Xdata.EMPTY));
        } else if (!existing.attr().gfid().equals(g) || !Linkto.looksLike(existing.attr())) {
            skipped++;
            LOG.warn("rebalance: {} on {} is not a linkto of the file; leaving it", entry, dht.subvolName(to));
            return false;
        }
        Iatt before = null;
        boolean stable = false;
        for (int attempt = 0; attempt < COPY_ATTEMPTS && !stable; attempt++) {
            before = await(src.stat(caller, entry, Xdata.EMPTY)).attr();
            copy(src, dst, entry, before.size());
            Iatt after = await(src.stat(caller, entry, Xdata.EMPTY)).attr();
            stable = unchanged(before, after);
        }
        if (!stable) {
            skipped++;
            LOG.info("rebalance: {} keeps changing; leaving it on {} for now", entry, dht.subvolName(from));
            return false;
        }
        await(dst.setattr(caller, entry, new SetAttr(SetAttr.MODE | SetAttr.UID | SetAttr.GID | SetAttr.ATIME
                | SetAttr.MTIME, before.mode() & FileType.PERM_MASK, before.uid(), before.gid(), before.atimeSec(),
                before.atimeNsec(), before.mtimeSec(), before.mtimeNsec()), Xdata.EMPTY));
        await(dst.removexattr(caller, entry, linkto, Xdata.EMPTY));
        dht.noteMigrated(g, to);
        await(src.unlink(caller, entry, 0, Xdata.EMPTY));
        LOG.debug("rebalance: moved {} from {} to {}", entry, dht.subvolName(from), dht.subvolName(to));
        return true;
    }

    private static boolean unchanged(Iatt a, Iatt b) {
        return a.size() == b.size() && a.mtimeSec() == b.mtimeSec() && a.mtimeNsec() == b.mtimeNsec()
                && a.ctimeSec() == b.ctimeSec() && a.ctimeNsec() == b.ctimeNsec();
    }

    private void copy(Xlator src, Xlator dst, Loc entry, long size) {
        Fd in = new Fd(new Inode(entry.gfid(), FileType.S_IFREG), O_RDONLY, 0);
        Fd out = new Fd(new Inode(entry.gfid(), FileType.S_IFREG), O_WRONLY, 0);
        await(src.open(caller, entry, O_RDONLY, in, Xdata.EMPTY));
        try {
            await(dst.open(caller, entry, O_WRONLY, out, Xdata.EMPTY));
            try {
                await(dst.ftruncate(caller, out, 0, Xdata.EMPTY));
                long off = 0;
                while (true) {
                    ReadReply r = await(src.readv(caller, in, CHUNK, off, 0, Xdata.EMPTY));
                    ByteBuf data = r.data();
                    int n = data.readableBytes();
                    if (n == 0) {
                        data.release();
                        break;
                    }
                    await(dst.writev(caller, out, data, off, 0, Xdata.EMPTY));
                    off += n;
                }
                if (off < size) LOG.debug("rebalance: {} shrank while copying ({} < {})", entry, off, size);
                await(dst.fsync(caller, out, false, Xdata.EMPTY));
            } finally {
                dst.release(out);
            }
        } finally {
            src.release(in);
        }
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(FOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            FopException fe = FopException.unwrap(e);
            throw fe != null ? fe : Errno.EIO.exception(String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw Errno.ETIMEDOUT.exception("no answer within " + FOP_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Errno.EINTR.exception("interrupted");
        }
    }

    /** The answer, or null for ENOENT. */
    private static <T> T awaitOrNull(CompletableFuture<T> f) {
        try {
            return await(f);
        } catch (FopException e) {
            if (e.errno() == Errno.ENOENT) return null;
            throw e;
        }
    }
}
