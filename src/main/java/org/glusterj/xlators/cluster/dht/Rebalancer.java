package org.glusterj.xlators.cluster.dht;

import static org.glusterj.core.OpenFlags.O_RDONLY;
import static org.glusterj.core.OpenFlags.O_WRONLY;

import io.netty.buffer.Unpooled;
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
 * <p>Clients keep reading and writing moving files: the old copy is marked while it is copied,
 * and distribute xlators mirror writes made through fds open on it into the new copy, then
 * redirect such fds to the new copy once it has taken over. Limits: path-based truncate/setattr
 * during a copy are not mirrored; a client that is not a glusterj distribute xlator (or an older
 * one) does not mirror. Files with several hard links and non-regular files stay where they are
 * and are counted as skipped, as are files a chunk of which kept changing during the copy.
 */
public final class Rebalancer {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    private static final int CHUNK = 128 * 1024;
    private static final int LIST_SIZE = 128 * 1024;
    private static final long FOP_TIMEOUT_SECONDS = 120;
    private static final int COPY_ATTEMPTS = 8;

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
    /** Bytes per copy step; small in tests so that writes and chunk boundaries meet often. */
    private final int chunk;

    private long directories, scanned, migrated, bytes, skipped, failures;

    /** @param fixLayoutOnly only rewrite layouts (GlusterFS "rebalance fix-layout"); move no data */
    public Rebalancer(DistributeXlator dht, boolean fixLayoutOnly, Listener listener) {
        this(dht, fixLayoutOnly, listener, CHUNK);
    }

    Rebalancer(DistributeXlator dht, boolean fixLayoutOnly, Listener listener, int chunk) {
        if (chunk <= 0) throw new IllegalArgumentException("copy chunk must be positive, not " + chunk);
        this.chunk = chunk;
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
            if (!pause(2 * DirectoryLayouts.TTL_NANOS)) return stopped("layouts fixed; no file moved yet");
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
                ReaddirReply r = await(dht.readdirp(caller, fd, LIST_SIZE, off, Xdata.EMPTY));
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
     * Moves one file's data from subvolume {@code from} to its hashed subvolume {@code to}, as
     * GlusterFS does: the new copy starts as a linkto pointing back at the data, so lookups keep
     * finding the data; the old copy is marked migrating (writes through fds open on it are then
     * also done on the new copy by every client); the data is copied until a pass sees no change;
     * the new copy becomes the file; the old one is marked moved (fds still open on it are
     * redirected) and removed.
     */
    boolean migrate(Loc entry, int from, int to) {
        Xlator src = dht.subvol(from), dst = dht.subvol(to);
        String linkto = dht.linktoXattrName();
        Gfid g = entry.gfid();
        EntryReply existing = awaitOrNull(dst.lookup(caller, entry, Xdata.EMPTY));
        if (existing == null) {
            // The target travels with the mknod: no lookup finds the linkto without it.
            await(dst.mknod(caller, entry, Linkto.MODE, 0, 0, Xdata.of(linkto, Linkto.encode(dht.subvolName(from)))));
        } else if (!existing.attr().gfid().equals(g) || !Linkto.looksLike(existing.attr())) {
            skipped++;
            LOG.warn("rebalance: {} on {} is not a linkto of the file; leaving it", entry, dht.subvolName(to));
            return false;
        }
        // Empty the new copy before writes start being mirrored into it.
        await(dst.truncate(caller, entry, 0, Xdata.EMPTY));
        Iatt original = await(src.stat(caller, entry, Xdata.EMPTY)).attr();
        await(src.setxattr(caller, entry, Map.of(linkto, Linkto.encode(dht.subvolName(to))), 0, Xdata.EMPTY));
        await(src.setattr(caller, entry, SetAttr.mode((original.mode() & FileType.PERM_MASK) | Linkto.MIGRATING_BITS),
                Xdata.EMPTY));
        // Writes from now on are mirrored, so the copy need only reach the size the file has now.
        long limit = await(src.stat(caller, entry, Xdata.EMPTY)).attr().size();
        if (!copy(src, dst, entry, limit)) {
            LOG.info("rebalance: {} keeps changing under the copy; leaving it on {} for now", entry, dht.subvolName(from));
            return abandon(src, dst, entry, original, await(src.stat(caller, entry, Xdata.EMPTY)).attr());
        }
        Iatt last = await(src.stat(caller, entry, Xdata.EMPTY)).attr();
        if (!Linkto.migrating(last)) {
            // A chmod, or a chown (the brick's clears set-group-ID), took the mark off during the copy:
            // writes since then were not mirrored. The old copy has them all.
            LOG.info("rebalance: {} lost its migration mark during the copy (chmod or chown); leaving it on {} for now",
                    entry, dht.subvolName(from));
            return abandon(src, dst, entry, original, last);
        }
        await(dst.setattr(caller, entry, new SetAttr(SetAttr.MODE | SetAttr.UID | SetAttr.GID | SetAttr.ATIME
                | SetAttr.MTIME, Linkto.movedMode(original, last), last.uid(), last.gid(),
                last.atimeSec(), last.atimeNsec(), last.mtimeSec(), last.mtimeNsec()), Xdata.EMPTY));
        await(dst.removexattr(caller, entry, linkto, Xdata.EMPTY));
        dht.noteMigrated(g, to);
        await(src.setattr(caller, entry, SetAttr.mode(Linkto.MODE & FileType.PERM_MASK), Xdata.EMPTY));
        await(src.unlink(caller, entry, 0, Xdata.EMPTY));
        LOG.debug("rebalance: moved {} from {} to {}", entry, dht.subvolName(from), dht.subvolName(to));
        return true;
    }

    /** Gives a move up: the old copy stays the file, with the mode it has {@code now}; returns false. */
    private boolean abandon(Xlator src, Xlator dst, Loc entry, Iatt original, Iatt now) {
        skipped++;
        await(src.setattr(caller, entry, SetAttr.mode(Linkto.movedMode(original, now)), Xdata.EMPTY));
        await(src.removexattr(caller, entry, dht.linktoXattrName(), Xdata.EMPTY));
        truncateQuietly(dst, entry);
        return false;
    }

    private void truncateQuietly(Xlator x, Loc entry) {
        try {
            await(x.truncate(caller, entry, 0, Xdata.EMPTY));
        } catch (FopException e) {
            LOG.warn("rebalance: could not empty the unfinished copy {}: {}", entry, e.getMessage());
        }
    }

    /**
     * Copies the first {@code limit} bytes (at least) while clients may be writing: each write
     * lands on the old copy, then is mirrored to the new one, so every chunk written is read back
     * from the old copy and written again if a write slipped in between. False if a chunk kept changing.
     */
    private boolean copy(Xlator src, Xlator dst, Loc entry, long limit) {
        Fd in = new Fd(new Inode(entry.gfid(), FileType.S_IFREG), O_RDONLY, 0);
        Fd out = new Fd(new Inode(entry.gfid(), FileType.S_IFREG), O_WRONLY, 0);
        await(src.open(caller, entry, O_RDONLY, in, Xdata.EMPTY));
        try {
            await(dst.open(caller, entry, O_WRONLY, out, Xdata.EMPTY));
            try {
                long off = 0;
                while (off < limit) {
                    byte[] piece = readChunk(src, in, off);
                    if (piece.length == 0) break;
                    for (int attempt = 0; ; attempt++) {
                        if (attempt == COPY_ATTEMPTS) return false;
                        await(dst.writev(caller, out, Unpooled.wrappedBuffer(piece), off, 0, Xdata.EMPTY));
                        byte[] again = readChunk(src, in, off);
                        // Bytes appended after the chunk are the next chunk's business.
                        if (again.length >= piece.length
                                && java.util.Arrays.equals(piece, 0, piece.length, again, 0, piece.length)) break;
                        piece = again;
                    }
                    off += piece.length;
                }
                // A truncate can leave the new copy longer than the old. Writes reach the old copy
                // first, so with the new copy's size read first, a longer new copy means a truncate.
                Iatt copied = await(dst.fstat(caller, out, Xdata.EMPTY)).attr();
                Iatt now = await(src.fstat(caller, in, Xdata.EMPTY)).attr();
                if (copied.size() > now.size()) await(dst.ftruncate(caller, out, now.size(), Xdata.EMPTY));
                await(dst.fsync(caller, out, false, Xdata.EMPTY));
                return true;
            } finally {
                dst.release(out);
            }
        } finally {
            src.release(in);
        }
    }

    private byte[] readChunk(Xlator src, Fd in, long off) {
        ReadReply r = await(src.readv(caller, in, chunk, off, 0, Xdata.EMPTY));
        try {
            byte[] b = new byte[r.data().readableBytes()];
            r.data().readBytes(b);
            return b;
        } finally {
            r.data().release();
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
