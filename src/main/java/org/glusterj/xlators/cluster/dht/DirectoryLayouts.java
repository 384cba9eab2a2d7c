package org.glusterj.xlators.cluster.dht;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.glusterj.core.Caller;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Loc;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directories for a distribute xlator: every directory exists on every subvolume, each copy
 * holding that subvolume's hash range in an xattr. This class looks directories up everywhere,
 * merges their attributes, reads, caches and heals their layouts (GlusterFS dht_selfheal_directory),
 * writes the layouts of new directories and of fix-layout, and knows the volume's commit hash.
 */
final class DirectoryLayouts {
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryLayouts.class);

    /**
     * How long a directory's layout is trusted before a fop that places a name re-reads it, so that
     * a layout changed by another client (fix-layout) reaches this one within that time, as the
     * kernel's one-second entry timeout makes GlusterFS clients revalidate.
     */
    static final long TTL_NANOS = 1_000_000_000L;
    /** GlusterFS's DHT_LAYOUT_HASH_INVALID: a layout no rebalance has vouched for. */
    static final int HASH_INVALID = 1;
    private static final long RECHECK_MILLIS = 50;

    /** A directory as a lookup found it: merged attributes and its (healed) layout. */
    record Looked(EntryReply reply, Layout layout) {
    }

    private record Cached(Layout layout, long readAt) {
    }

    private final String owner;
    private final List<Xlator> subvols;
    private final List<String> names;
    private final int count;
    private final List<Integer> everySubvol;
    private final DmHash hasher;
    private final String layoutXattr;
    private final String commitHashXattr;
    private final boolean randomizeByGfid;
    private final Map<Gfid, Cached> layouts = new ConcurrentHashMap<>();
    /**
     * The volume's commit hash, read from the root ({@code <xattr-name>.commithash}, stamped by a
     * finished rebalance). A directory whose layout carries it needs no everywhere-lookups.
     */
    private volatile int volumeCommitHash;

    /** @param owner the distribute xlator's name, for log messages */
    DirectoryLayouts(String owner, List<Xlator> subvols, DmHash hasher, String layoutXattr, boolean randomizeByGfid) {
        this.owner = owner;
        this.subvols = List.copyOf(subvols);
        this.names = subvols.stream().map(Xlator::name).toList();
        this.count = subvols.size();
        this.everySubvol = IntStream.range(0, count).boxed().toList();
        this.hasher = hasher;
        this.layoutXattr = layoutXattr;
        this.commitHashXattr = layoutXattr + ".commithash";
        this.randomizeByGfid = randomizeByGfid;
    }

    /** The layout last read for a directory, however old, or null. */
    Layout known(Gfid dir) {
        Cached c = layouts.get(dir);
        return c == null ? null : c.layout();
    }

    boolean isKnown(Gfid dir) {
        return layouts.containsKey(dir);
    }

    /** Drops what is known of a directory; it is read again when next needed. */
    void forget(Gfid dir) {
        layouts.remove(dir);
    }

    /** Layouts read while a subvolume was away lack its range: drop them so they are read again. */
    void dropDegraded() {
        layouts.values().removeIf(c -> c.layout().anomalies().down() > 0);
    }

    private void remember(Gfid dir, Layout layout) {
        layouts.put(dir, new Cached(layout, System.nanoTime()));
    }

    int volumeCommitHash() {
        return volumeCommitHash;
    }

    /** Whether names missing on their hashed subvolume need not be looked for elsewhere (lookup-optimize). */
    boolean committed(Layout parent) {
        return !parent.anomalies().rangesBroken() && parent.entries().stream()
                .filter(Layout.Entry::participates).allMatch(e -> e.commitHash() == volumeCommitHash);
    }

    /**
     * Gives a just-made directory a fresh layout over the subvolumes where it was made, writes it
     * and remembers it; the others get no range.
     */
    CompletableFuture<Layout> createFor(Loc dir, Gfid gfid, List<Boolean> made) {
        Layout fresh = Layout.fresh(names, made, rotationHash(dir), volumeCommitHash);
        List<Integer> targets = everySubvol.stream().filter(made::get).toList();
        return writeLayout(dir, fresh, targets).thenApply(written -> {
            Layout.Entry[] e = written.entries().toArray(new Layout.Entry[0]);
            for (int i = 0; i < count; i++) if (!made.get(i)) e[i] = Layout.Entry.failed(Errno.ENOENT);
            Layout l = new Layout(List.of(e));
            remember(gfid, l);
            return l;
        });
    }

    /** The layout of an entry's parent directory: the one known if read within the TTL, else read (and healed) again. */
    CompletableFuture<Layout> ofParent(Caller c, Loc loc) {
        Cached l = layouts.get(loc.parent());
        if (l != null && System.nanoTime() - l.readAt() < TTL_NANOS) {
            return CompletableFuture.completedFuture(l.layout());
        }
        return lookup(c, Loc.of(loc.parent(), parentPath(loc.path()))).thenApply(Looked::layout);
    }

    private static String parentPath(String path) {
        if (path == null || !path.startsWith("/")) return null;
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** Looks a directory up on every subvolume, merges the answers, reads and heals its layout. */
    CompletableFuture<Looked> lookup(Caller c, Loc loc) {
        // The layout xattrs are asked for alongside the lookups: one round trip, as GlusterFS's xattr_req.
        CompletableFuture<List<Outcome<EntryReply>>> looks = Outcome.all(everySubvol,
                i -> subvols.get(i).lookup(c, loc, Xdata.EMPTY));
        CompletableFuture<List<Outcome<XattrReply>>> xattrs = Outcome.all(everySubvol,
                i -> subvols.get(i).getxattr(Caller.ROOT, loc, layoutXattr, Xdata.EMPTY));
        boolean root = loc.gfid() != null && loc.gfid().isRoot();
        CompletableFuture<Void> commit = !root ? CompletableFuture.completedFuture(null)
                : Outcome.all(everySubvol, i -> subvols.get(i).getxattr(Caller.ROOT, loc, commitHashXattr, Xdata.EMPTY))
                        .thenAccept(this::noteVolumeCommitHash);
        return looks.thenCombine(xattrs, (outs, xs) -> {
            List<Outcome<EntryReply>> dirs = outs.stream()
                    .filter(o -> o.ok() && o.value().attr().isDirectory()).toList();
            if (dirs.isEmpty()) {
                boolean file = outs.stream().anyMatch(Outcome::ok);
                return CompletableFuture.<Looked>failedFuture(file
                        ? Errno.ENOTDIR.exception(loc + " is not a directory") : Outcome.failure(outs, loc));
            }
            Gfid gfid = dirs.get(0).value().attr().gfid();
            for (Outcome<EntryReply> d : dirs) {
                if (!d.value().attr().gfid().equals(gfid)) {
                    LOG.warn("{}: directory {} has gfid {} on {} but {} on {}", owner, loc, gfid,
                            names.get(dirs.get(0).subvol()), d.value().attr().gfid(), names.get(d.subvol()));
                }
            }
            Loc dloc = loc.withGfid(gfid);
            Layout.Entry[] entries = new Layout.Entry[count];
            for (Outcome<EntryReply> o : outs) {
                int i = o.subvol();
                if (!o.ok()) entries[i] = Layout.Entry.failed(o.error() == Errno.ESTALE ? Errno.ENOENT : o.error());
                else if (!o.value().attr().isDirectory()) entries[i] = Layout.Entry.failed(Errno.ENOTDIR);
                else entries[i] = layoutEntry(dloc, xs.get(i));
            }
            Layout found = new Layout(List.of(entries));
            EntryReply merged = merge(dirs);
            return heal(dloc, merged.attr(), found).thenApply(l -> {
                remember(gfid, l);
                return new Looked(merged, l);
            });
        }).thenCompose(Function.identity()).thenCombine(commit, (r, v) -> r);
    }

    private void noteVolumeCommitHash(List<Outcome<XattrReply>> outs) {
        for (Outcome<XattrReply> o : outs) {
            byte[] raw = o.ok() ? o.value().values().get(commitHashXattr) : null;
            if (raw != null && raw.length == 4) {
                int h = java.nio.ByteBuffer.wrap(raw).getInt();
                if (h != volumeCommitHash) LOG.info("{}: volume commit hash is now {}", owner, Integer.toHexString(h));
                volumeCommitHash = h;
                return;
            }
        }
    }

    private Layout.Entry layoutEntry(Loc dir, Outcome<XattrReply> xo) {
        if (!xo.ok()) return xo.error() == Errno.ENODATA ? Layout.Entry.none() : Layout.Entry.failed(xo.error());
        byte[] raw = xo.value().values().get(layoutXattr);
        if (raw == null) return Layout.Entry.none();
        try {
            return Layout.decode(raw);
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: {} on {}: {}", owner, dir, names.get(xo.subvol()), e.getMessage());
            return Layout.Entry.none();
        }
    }

    /** A directory's attributes: the first copy's, with the latest times of all copies. */
    private static EntryReply merge(List<Outcome<EntryReply>> dirs) {
        EntryReply base = dirs.get(0).value();
        Iatt b = base.attr();
        long aS = b.atimeSec(), mS = b.mtimeSec(), cS = b.ctimeSec();
        int aN = b.atimeNsec(), mN = b.mtimeNsec(), cN = b.ctimeNsec();
        for (Outcome<EntryReply> o : dirs) {
            Iatt a = o.value().attr();
            if (a.atimeSec() > aS || (a.atimeSec() == aS && a.atimeNsec() > aN)) { aS = a.atimeSec(); aN = a.atimeNsec(); }
            if (a.mtimeSec() > mS || (a.mtimeSec() == mS && a.mtimeNsec() > mN)) { mS = a.mtimeSec(); mN = a.mtimeNsec(); }
            if (a.ctimeSec() > cS || (a.ctimeSec() == cS && a.ctimeNsec() > cN)) { cS = a.ctimeSec(); cN = a.ctimeNsec(); }
        }
        Iatt m = new Iatt(b.gfid(), b.mode(), b.nlink(), b.uid(), b.gid(), b.rdev(), b.size(), b.blocks(), b.blksize(),
                aS, aN, mS, mN, cS, cN);
        return new EntryReply(m, base.preParent(), base.postParent(), base.xdata());
    }

    /**
     * Self-heal (GlusterFS dht_selfheal_directory): recreate the directory where it is missing, then
     * write a fresh layout if the ranges have holes or overlaps; directories recreated under an
     * otherwise sound layout get an empty range, as a newly added brick does. Nothing is healed
     * while a subvolume is down or failed oddly, so that a transient outage never rewrites layouts.
     */
    private CompletableFuture<Layout> heal(Loc dir, Iatt attr, Layout found) {
        if (found.anomalies().rangesBroken() && found.anomalies().missing() < count) {
            // Another client may be writing this layout right now (fix-layout, or its own heal):
            // look again a moment later before overwriting it.
            return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(
                    RECHECK_MILLIS, TimeUnit.MILLISECONDS)).thenCompose(v -> rereadLayout(dir, found))
                    .thenCompose(again -> healNow(dir, attr, again));
        }
        return healNow(dir, attr, found);
    }

    /** The layout as the subvolumes hold it now; entries that failed before stay as they were. */
    private CompletableFuture<Layout> rereadLayout(Loc dir, Layout before) {
        List<Integer> present = everySubvol.stream().filter(i -> before.entry(i).present()).toList();
        return Outcome.all(present, i -> subvols.get(i).getxattr(Caller.ROOT, dir, layoutXattr, Xdata.EMPTY)).thenApply(xs -> {
            Layout.Entry[] entries = before.entries().toArray(new Layout.Entry[0]);
            for (Outcome<XattrReply> xo : xs) entries[xo.subvol()] = layoutEntry(dir, xo);
            return new Layout(List.of(entries));
        });
    }

    private CompletableFuture<Layout> healNow(Loc dir, Iatt attr, Layout found) {
        Layout.Anomalies a = found.anomalies();
        List<Integer> missing = found.missingDirectories();
        // Without a name the missing copies cannot be recreated; rewriting the ranges around them would move files.
        boolean cannotMkdir = !missing.isEmpty() && !dir.hasEntry();
        if (a.down() > 0 || a.misc() > 0 || cannotMkdir || (!a.rangesBroken() && missing.isEmpty())) {
            if (a.rangesBroken() || !missing.isEmpty()) {
                LOG.info("{}: not healing {} while subvolumes are down or failing: {}", owner, dir, found);
            }
            return CompletableFuture.completedFuture(found);
        }
        Caller owner = Caller.of(attr.uid(), attr.gid(), 0);
        int perm = attr.mode() & FileType.PERM_MASK;
        return Outcome.all(missing, i -> subvols.get(i).mkdir(owner, dir, perm, 0, Xdata.EMPTY)).thenCompose(made -> {
            Layout.Entry[] entries = found.entries().toArray(new Layout.Entry[0]);
            List<Integer> created = new ArrayList<>();
            for (Outcome<EntryReply> m : made) {
                if (m.ok() || m.error() == Errno.EEXIST) {
                    created.add(m.subvol());
                    entries[m.subvol()] = Layout.Entry.none();
                } else {
                    LOG.warn("{}: could not recreate directory {} on {}: {}", owner, dir, names.get(m.subvol()), m.error());
                }
            }
            if (!created.isEmpty()) LOG.info("{}: recreated directory {} on {}", owner, dir,
                    created.stream().map(names::get).toList());
            Layout afterMkdir = new Layout(List.of(entries));
            if (!a.rangesBroken()) {
                Layout.Entry empty = Layout.Entry.range(0, 0, volumeCommitHash);
                for (int i : created) entries[i] = empty;
                return writeLayout(dir, new Layout(List.of(entries)), created);
            }
            List<Boolean> usable = new ArrayList<>();
            List<Integer> targets = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                boolean u = afterMkdir.entry(i).present();
                usable.add(u);
                if (u) targets.add(i);
            }
            // Files may sit where the old ranges put them: mark the new layout uncommitted, so that
            // names missing on their hashed subvolume are looked for everywhere until a rebalance.
            Layout fresh = Layout.fresh(names, usable, rotationHash(dir), HASH_INVALID);
            LOG.info("{}: layout of {} had {} hole(s), {} overlap(s): {} -> {}", owner, dir, a.holes(), a.overlaps(),
                    found, fresh);
            return writeLayout(dir, fresh, targets);
        });
    }

    /** Writes each target subvolume's entry of {@code layout}; a failed write leaves that entry failed. */
    private CompletableFuture<Layout> writeLayout(Loc dir, Layout layout, List<Integer> targets) {
        return Outcome.all(targets, i -> subvols.get(i).setxattr(Caller.ROOT, dir,
                Map.of(layoutXattr, Layout.encode(layout.entry(i))), 0, Xdata.EMPTY)).thenApply(outs -> {
            Layout.Entry[] entries = layout.entries().toArray(new Layout.Entry[0]);
            for (Outcome<Done> o : outs) {
                if (!o.ok()) {
                    LOG.warn("{}: could not write layout of {} on {}: {}", owner, dir, names.get(o.subvol()), o.error());
                    entries[o.subvol()] = Layout.Entry.failed(o.error());
                }
            }
            return new Layout(List.of(entries));
        });
    }

    private int rotationHash(Loc dir) {
        String path = dir.path();
        if (randomizeByGfid || path == null || !path.startsWith("/")) return hasher.hashName(dir.gfid().toString());
        return hasher.hashName(path);
    }

    /** Recreates a directory (with its known layout entry) where an rmdir removed it before failing elsewhere. */
    CompletableFuture<Void> restore(Loc dloc, List<Integer> where) {
        Layout known = known(dloc.gfid());
        return Outcome.all(where, i -> subvols.get(i).mkdir(Caller.ROOT, dloc, 0755, 0, Xdata.EMPTY)
                .thenCompose(r -> known == null ? CompletableFuture.completedFuture(Done.OK)
                        : subvols.get(i).setxattr(Caller.ROOT, dloc, Map.of(layoutXattr, Layout.encode(known.entry(i))), 0,
                        Xdata.EMPTY))).thenAccept(v -> layouts.remove(dloc.gfid()));
    }

    /**
     * Fix-layout of one directory: heal it, then give every subvolume a range, keeping as much of
     * the old assignment as possible, stamped with {@code commitHash}. Refused while any
     * subvolume is down or the directory could not be made everywhere, since the new layout
     * would leave that subvolume out.
     */
    CompletableFuture<Layout> fix(Caller c, Loc dir, int commitHash) {
        return lookup(c, dir).thenCompose(r -> {
            Layout old = r.layout();
            Layout.Anomalies a = old.anomalies();
            if (a.down() > 0 || a.missing() > 0 || a.misc() > 0) {
                return CompletableFuture.<Layout>failedFuture((a.down() > 0 ? Errno.ENOTCONN : Errno.EIO).exception(
                        "cannot fix the layout of " + dir + " while it is " + old + " (a subvolume is down or failing)"));
            }
            Gfid gfid = r.reply().attr().gfid();
            Loc dloc = dir.withGfid(gfid);
            List<Boolean> all = Collections.nCopies(count, true);
            Layout fixed = Layout.fixed(names, all, rotationHash(dloc), commitHash, old);
            if (fixed.equals(old)) return CompletableFuture.completedFuture(old);
            return writeLayout(dloc, fixed, everySubvol).thenApply(w -> {
                LOG.info("{}: fix-layout of {}: {} -> {}", owner, dloc, old, w);
                remember(gfid, w);
                return w;
            });
        });
    }

    /** Marks the volume's layouts as complete for lookup-optimize (the last step of a rebalance). */
    CompletableFuture<Void> stampVolumeCommitHash(int hash) {
        byte[] raw = java.nio.ByteBuffer.allocate(4).putInt(hash).array();
        return Outcome.all(everySubvol, i -> subvols.get(i).setxattr(Caller.ROOT, Loc.root(), Map.of(commitHashXattr, raw), 0,
                Xdata.EMPTY)).thenAccept(outs -> {
            for (Outcome<Done> o : outs) {
                if (!o.ok()) throw o.error().exception("stamping the commit hash on " + names.get(o.subvol()));
            }
            volumeCommitHash = hash;
        });
    }
}
