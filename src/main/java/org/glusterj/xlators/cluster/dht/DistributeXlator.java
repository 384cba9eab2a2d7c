package org.glusterj.xlators.cluster.dht;

import static org.glusterj.core.OpenFlags.O_CREAT;
import static org.glusterj.core.OpenFlags.O_EXCL;
import static org.glusterj.core.OpenFlags.O_TRUNC;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.glusterj.core.AttrReply;
import org.glusterj.core.Caller;
import org.glusterj.core.ChangeReply;
import org.glusterj.core.Dirent;
import org.glusterj.core.Done;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Event;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
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
import org.glusterj.core.Statvfs;
import org.glusterj.core.XattrReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cluster/distribute (DHT): one namespace over several subvolumes. A file lives on the subvolume
 * whose hash range, in its parent directory's layout, holds the hash of its name; directories
 * exist on every subvolume, each copy carrying that subvolume's range in an xattr. Placement is
 * GlusterFS's, so a name lands on the same subvolume index as in a GlusterFS volume with the same
 * subvolume names and order.
 *
 * <p>State kept: each known directory's layout ({@link DirectoryLayouts}) and each known file's
 * data subvolume, keyed by gfid (fops address objects by gfid, so inode context slots cannot be
 * reached from a Loc) and dropped on forget; an open fd's subvolume(s) in the fd's context slot.
 * Names that moved away from their hashed subvolume (rename, full brick) are found through linkto
 * files; files being moved by a {@link Rebalancer} stay readable and writable through open fds.
 */
public class DistributeXlator extends Xlator {
    private static final Logger LOG = LoggerFactory.getLogger(DistributeXlator.class);

    public static final Option<String> LOOKUP_UNHASHED = Option.choice("lookup-unhashed", "on",
            List.of("on", "off", "auto", "yes", "no", "true", "false", "enable", "disable", "1", "0"),
            "When a name is not on its hashed subvolume, look for it on every subvolume (on), never (off), "
                    + "or only when the parent's layout is not committed (auto).");
    public static final Option<Boolean> LOOKUP_OPTIMIZE = Option.bool("lookup-optimize", true,
            "Skip the everywhere-lookup of a missing name when the parent's layout carries the volume's commit hash.");
    public static final Option<String> MIN_FREE_DISK = Option.custom("min-free-disk", "percent-or-size", "10%",
            "a percentage such as 10% or a size such as 5GB",
            "A create whose hashed subvolume has less free space than this goes to another subvolume, "
                    + "with a linkto file on the hashed one.", v -> {
                DiskUsage.of(v, "5%");
                return v;
            });
    public static final Option<String> MIN_FREE_INODES = Option.custom("min-free-inodes", "percent", "5%",
            "a percentage such as 5%", "Like min-free-disk, for free inodes.", v -> {
                DiskUsage.percent(v, "min-free-inodes");
                return v;
            });
    public static final Option<String> RSYNC_HASH_REGEX = Option.custom("rsync-hash-regex", "regex",
            DmHash.DEFAULT_RSYNC_REGEX, "a regular expression with one capture group, or none",
            "Names matching it are hashed as their first capture group, so that rsync's temporary "
                    + "\".name.XXXXXX\" lands where \"name\" will.",
            v -> DmHash.validRegex("rsync-hash-regex", v));
    public static final Option<String> EXTRA_HASH_REGEX = Option.custom("extra-hash-regex", "regex", "none",
            "a regular expression with one capture group, or none",
            "Like rsync-hash-regex, tried first.", v -> DmHash.validRegex("extra-hash-regex", v));
    public static final Option<String> XATTR_NAME = Option.string("xattr-name", "trusted.glusterfs.dht",
            "The xattr holding a directory's layout; linkto files use this name plus \".linkto\".");
    public static final Option<Boolean> READDIR_OPTIMIZE = Option.bool("readdir-optimize", false,
            "List subdirectories from the first subvolume only instead of from their hashed subvolume.");
    public static final Option<Boolean> RANDOMIZE_BY_GFID = Option.bool("randomize-hash-range-by-gfid", false,
            "Rotate a new directory's layout by the hash of its gfid instead of its path.");

    /** Keys real GlusterFS client volfiles carry; accepted so that those volfiles load, without effect yet. */
    public static final List<Option<?>> COMPATIBILITY_OPTIONS = List.of(
            Option.bool("force-migration", false, "Accepted for compatibility; rebalance is not implemented."),
            Option.bool("lock-migration", false, "Accepted for compatibility; rebalance is not implemented."),
            Option.bool("weighted-rebalance", true,
                    "Accepted for compatibility; new layouts are always split equally."),
            Option.bool("unhashed-sticky-bit", false, "Accepted for compatibility."),
            Option.bool("use-readdirp", true, "Accepted for compatibility; readdirp is always used."),
            Option.bool("assert-no-child-down", false, "Accepted for compatibility."),
            Option.bool("rebalance-stats", false, "Accepted for compatibility."),
            Option.integer("directory-layout-spread", null, 1, 1 << 16, "Accepted for compatibility."),
            Option.string("decommissioned-bricks", null, "Accepted for compatibility."),
            Option.string("rebal-throttle", "normal", "Accepted for compatibility."),
            Option.string("node-uuid", null, "Accepted for compatibility."),
            Option.string("rebalance-cmd", null, "Accepted for compatibility."),
            Option.string("commit-hash", null, "Accepted for compatibility."),
            Option.string("local-volume-name", null, "Accepted for compatibility."),
            Option.string("rebalance-filter-pid", null, "Accepted for compatibility."),
            Option.bool("ensure-durability", true, "Accepted for compatibility."));

    public static final List<Option<?>> OPTIONS;

    static {
        List<Option<?>> all = new ArrayList<>(List.of(LOOKUP_UNHASHED, LOOKUP_OPTIMIZE, MIN_FREE_DISK, MIN_FREE_INODES,
                RSYNC_HASH_REGEX, EXTRA_HASH_REGEX, XATTR_NAME, READDIR_OPTIMIZE, RANDOMIZE_BY_GFID));
        all.addAll(COMPATIBILITY_OPTIONS);
        OPTIONS = List.copyOf(all);
    }

    public static final XlatorType TYPE = new XlatorType("cluster/distribute", List.of("cluster/dht"),
            "Spreads files over its subvolumes by the hash of their names (GlusterFS DHT); directories exist on all.",
            OPTIONS, DistributeXlator::new);

    /** How long a subvolume's statfs answer is trusted for min-free-disk decisions. */
    private static final long DISK_USAGE_TTL_NANOS = 5_000_000_000L;
    private static final int LISTING_CHUNK = 64 * 1024;

    private final List<Xlator> subvols;
    private final int count;
    private final List<Integer> everySubvol;
    private final Map<String, Integer> indexByName = new HashMap<>();
    private final List<String> names;
    private final DmHash hasher;
    private final String layoutXattr;
    private final String linktoXattr;
    private final String lookupUnhashed;
    private final boolean lookupOptimize;
    private final DirListing listing;
    private final DirectoryLayouts dirs;
    private final DiskUsage diskRule;
    private final NameLocks nameLocks;

    private final Map<Gfid, Integer> dataSubvol = new ConcurrentHashMap<>();

    /** Last statfs answer per subvolume (null: unknown or failed) and when it was taken. */
    private final AtomicReferenceArray<Statvfs> diskUsage;
    private final AtomicLongArray diskUsageAt;

    private final Event[] lastEvent;
    private boolean announced;

    /** An fd's place: the subvolume of a file, or the subvolumes a directory was opened on. */
    private record OpenFile(int subvol, int mirror) {
        OpenFile(int subvol) {
            this(subvol, -1);
        }
    }

    public DistributeXlator(XlatorConfig config) {
        super(config);
        subvols = children();
        count = subvols.size();
        if (count == 0) {
            throw new IllegalArgumentException(type() + " \"" + name() + "\" needs at least one subvolume; "
                    + "add a \"subvolumes\" line naming the bricks' protocol/client volumes");
        }
        everySubvol = IntStream.range(0, count).boxed().toList();
        names = subvols.stream().map(Xlator::name).toList();
        for (int i = 0; i < count; i++) {
            if (indexByName.put(names.get(i), i) != null) {
                throw new IllegalArgumentException(type() + " \"" + name() + "\" lists subvolume \"" + names.get(i)
                        + "\" twice; each brick may appear once");
            }
        }
        hasher = DmHash.withRegexes(options().get(RSYNC_HASH_REGEX), options().get(EXTRA_HASH_REGEX));
        layoutXattr = options().get(XATTR_NAME);
        linktoXattr = Linkto.xattrName(layoutXattr);
        lookupUnhashed = normalizeTristate(options().get(LOOKUP_UNHASHED));
        lookupOptimize = options().get(LOOKUP_OPTIMIZE);
        listing = new DirListing(subvols, options().get(READDIR_OPTIMIZE));
        dirs = new DirectoryLayouts(name(), subvols, hasher, layoutXattr, options().get(RANDOMIZE_BY_GFID));
        diskRule = DiskUsage.of(options().get(MIN_FREE_DISK), options().get(MIN_FREE_INODES));
        diskUsage = new AtomicReferenceArray<>(count);
        diskUsageAt = new AtomicLongArray(count);
        lastEvent = new Event[count];
        nameLocks = new NameLocks(name(), this::sub);
    }

    private static String normalizeTristate(String v) {
        String s = v.toLowerCase(Locale.ROOT);
        if (s.equals("auto")) return "auto";
        return Option.parseBool(s) ? "on" : "off";
    }

    /** The subvolume a name hashes to in a layout, or -1 for a hole. Public for tests and tools. */
    public int hashedSubvol(Layout parentLayout, String name) {
        return parentLayout.subvolFor(hasher.hashName(name));
    }

    /** The layout known for a directory, or null. */
    public Layout knownLayout(Gfid dir) {
        return dirs.known(dir);
    }

    private Xlator sub(int i) {
        return subvols.get(i);
    }

    // ---- events ----

    /**
     * Withholds CHILD_* events until every subvolume has reported once, then reports CHILD_UP if any
     * is up (GlusterFS dht_notify). Afterwards a CHILD_DOWN goes up only when no subvolume is left;
     * while others remain it goes up as SOME_DESCENDENT_DOWN.
     */
    @Override
    public void notify(Event event, Xlator source) {
        if (event.travelsDown()) {
            super.notify(event, source);
            return;
        }
        int idx = subvols.indexOf(source);
        if (idx < 0) {
            propagateUp(event);
            return;
        }
        Event toSend = null;
        synchronized (lastEvent) {
            lastEvent[idx] = event;
            boolean anyUp = Arrays.stream(lastEvent).anyMatch(e -> e == Event.CHILD_UP);
            if (!announced) {
                if (Arrays.stream(lastEvent).allMatch(e -> e != null)) {
                    announced = true;
                    toSend = anyUp ? Event.CHILD_UP : Event.CHILD_DOWN;
                }
            } else if (event == Event.CHILD_UP) {
                toSend = Event.CHILD_UP;
            } else if (event == Event.CHILD_DOWN) {
                toSend = anyUp ? Event.SOME_DESCENDENT_DOWN : Event.CHILD_DOWN;
            }
        }
        LOG.info("{}: subvolume {} reported {}{}", name(), source.name(), event,
                toSend == null ? "" : "; reporting " + toSend);
        if (event == Event.CHILD_UP) {
            // Layouts read while this subvolume was away lack its range: read them again when next used.
            dirs.dropDegraded();
        }
        if (toSend != null) propagateUp(toSend);
    }

    // ---- lookup ----

    @Override
    public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
        CompletableFuture<EntryReply> r = loc.hasEntry()
                ? dirs.ofParent(c, loc).thenCompose(pl -> lookupNamed(c, loc, pl, x)) : lookupNameless(c, loc, x);
        return r.thenApply(DistributeXlator::visible);
    }

    private static EntryReply visible(EntryReply r) {
        Iatt a = Linkto.visible(r.attr());
        return a == r.attr() ? r : new EntryReply(a, r.preParent(), r.postParent(), r.xdata());
    }

    private static AttrReply visible(AttrReply r) {
        Iatt a = Linkto.visible(r.attr());
        return a == r.attr() ? r : new AttrReply(a, r.xdata());
    }

    private static ChangeReply visible(ChangeReply r) {
        Iatt pre = r.pre() == null ? null : Linkto.visible(r.pre());
        Iatt post = r.post() == null ? null : Linkto.visible(r.post());
        return pre == r.pre() && post == r.post() ? r : new ChangeReply(pre, post, r.xdata());
    }

    /**
     * {@code x} (e.g. quick-read's request for content) goes to the one subvolume that holds the
     * file; lookups that ask every subvolume or a directory's do without it.
     */
    private CompletableFuture<EntryReply> lookupNamed(Caller c, Loc loc, Layout parent, Xdata x) {
        int h = hashedSubvol(parent, loc.name());
        if (h < 0) return parent.anomalies().down() > 0 ? noSubvolFor(loc, parent) : lookupEverywhere(c, loc);
        return sub(h).lookup(c, loc, x).handle((r, t) -> {
            if (t == null) {
                if (r.attr().isDirectory()) {
                    return dirs.lookup(c, loc.withGfid(r.attr().gfid())).thenApply(DirectoryLayouts.Looked::reply);
                }
                if (Linkto.looksLike(r.attr())) return followLinkto(c, loc, h, r, true, x);
                dataSubvol.put(r.attr().gfid(), h);
                return CompletableFuture.completedFuture(r);
            }
            Errno e = FopException.errnoOf(t);
            if (e == Errno.ENOENT && shouldLookEverywhere(parent)) return lookupEverywhere(c, loc);
            if (e == Errno.ENOENT && loc.gfid() != null && !loc.gfid().isNull()) {
                // The caller knew this object: our layout of its parent may be stale (another client
                // ran fix-layout), so look everywhere and read the parent's layout again next time.
                dirs.forget(loc.parent());
                return lookupEverywhere(c, loc);
            }
            return CompletableFuture.<EntryReply>failedFuture(t);
        }).thenCompose(Function.identity());
    }

    private boolean shouldLookEverywhere(Layout parent) {
        if (lookupUnhashed.equals("off")) return false;
        boolean committed = dirs.committed(parent);
        if (lookupUnhashed.equals("auto")) return !committed;
        return !(lookupOptimize && committed);
    }

    /**
     * {@code r} is a linkto-looking file on subvolume {@code on}: find the data where its xattr
     * points. A file without the xattr that has no other copy is a real file with mode 01000.
     */
    private CompletableFuture<EntryReply> followLinkto(Caller c, Loc loc, int on, EntryReply r, boolean mayScan, Xdata x) {
        Gfid gfid = r.attr().gfid();
        return sub(on).getxattr(Caller.ROOT, loc, linktoXattr, Xdata.EMPTY).handle((xr, t) -> {
            if (t != null) {
                if (FopException.errnoOf(t) != Errno.ENODATA) return CompletableFuture.<EntryReply>failedFuture(t);
                // No linkto xattr: a linkto whose xattr is still being set (its data is elsewhere),
                // or a real empty file with that mode. Only a look everywhere tells them apart.
                if (mayScan) return lookupEverywhere(c, loc);
                dataSubvol.put(gfid, on);
                return CompletableFuture.completedFuture(r);
            }
            byte[] raw = xr.values().get(linktoXattr);
            Integer target = raw == null ? null : indexByName.get(Linkto.decode(raw));
            if (target == null) {
                LOG.warn("{}: linkto file {} on {} points to unknown subvolume \"{}\"", name(), loc, names.get(on),
                        raw == null ? "" : Linkto.decode(raw));
                return mayScan ? lookupEverywhere(c, loc) : CompletableFuture.<EntryReply>failedFuture(
                        Errno.ENOENT.exception(loc.toString()));
            }
            return sub(target).lookup(c, loc, x).handle((dr, t2) -> {
                if (t2 == null && !Linkto.looksLike(dr.attr())) {
                    dataSubvol.put(dr.attr().gfid(), target);
                    return CompletableFuture.completedFuture(dr);
                }
                LOG.debug("{}: stale linkto {} on {} -> {}", name(), loc, names.get(on), names.get(target));
                return mayScan ? lookupEverywhere(c, loc) : CompletableFuture.<EntryReply>failedFuture(
                        Errno.ENOENT.exception(loc.toString()));
            }).thenCompose(Function.identity());
        }).thenCompose(Function.identity());
    }

    private CompletableFuture<EntryReply> lookupNameless(Caller c, Loc loc, Xdata x) {
        Gfid g = loc.gfid();
        if (g == null || g.isNull()) {
            return CompletableFuture.failedFuture(Errno.EINVAL.exception("lookup of " + loc + " names neither a gfid nor an entry"));
        }
        if (g.isRoot() || dirs.isKnown(g)) return dirs.lookup(c, loc).thenApply(DirectoryLayouts.Looked::reply);
        Integer s = dataSubvol.get(g);
        if (s == null) return lookupEverywhere(c, loc);
        return sub(s).lookup(c, loc, x).handle((r, t) -> {
            if (t == null) return CompletableFuture.completedFuture(r);
            Errno e = FopException.errnoOf(t);
            if (e == Errno.ENOENT || e == Errno.ESTALE) {
                dataSubvol.remove(g);
                return lookupEverywhere(c, loc);
            }
            return CompletableFuture.<EntryReply>failedFuture(t);
        }).thenCompose(Function.identity());
    }

    /** Asks every subvolume: a directory anywhere is a directory; otherwise the data file wins over linkto files. */
    private CompletableFuture<EntryReply> lookupEverywhere(Caller c, Loc loc) {
        return Outcome.all(everySubvol, i -> sub(i).lookup(c, loc, Xdata.EMPTY)).thenCompose(outs -> {
            for (Outcome<EntryReply> o : outs) {
                if (o.ok() && o.value().attr().isDirectory()) {
                    return dirs.lookup(c, loc.withGfid(o.value().attr().gfid())).thenApply(DirectoryLayouts.Looked::reply);
                }
            }
            for (Outcome<EntryReply> o : outs) {
                if (o.ok() && !Linkto.looksLike(o.value().attr())) {
                    dataSubvol.put(o.value().attr().gfid(), o.subvol());
                    return CompletableFuture.completedFuture(o.value());
                }
            }
            for (Outcome<EntryReply> o : outs) {
                if (o.ok()) return followLinkto(c, loc, o.subvol(), o.value(), false, Xdata.EMPTY);
            }
            return CompletableFuture.failedFuture(Outcome.failure(outs, loc));
        });
    }

    // ---- directories: lookup, merge, self-heal ----

    private static Loc withNewGfid(Loc loc) {
        return loc.gfid() == null || loc.gfid().isNull() ? loc.withGfid(Gfid.random()) : loc;
    }

    /** A name's hash falls in a hole of its parent's layout: a down subvolume's range, or a hole that could not be healed. */
    private static <T> CompletableFuture<T> noSubvolFor(Loc loc, Layout parent) {
        if (parent.anomalies().down() > 0) {
            return CompletableFuture.failedFuture(Errno.ENOTCONN.exception("\"" + loc.name()
                    + "\" hashes to a subvolume that is down"));
        }
        return CompletableFuture.failedFuture(Errno.EIO.exception("no subvolume holds the hash of \"" + loc.name()
                + "\" in the layout of its parent " + parent + " (a layout hole that could not be healed)"));
    }

    @Override
    public CompletableFuture<EntryReply> mkdir(Caller c, Loc loc, int mode, int umask, Xdata x) {
        Loc l = withNewGfid(loc);
        return dirs.ofParent(c, l).thenCompose(pl -> {
            int h = hashedSubvol(pl, l.name());
            if (h < 0) return noSubvolFor(l, pl);
            return sub(h).mkdir(c, l, mode, umask, x).thenCompose(reply -> {
                List<Integer> others = everySubvol.stream().filter(i -> i != h).toList();
                return Outcome.all(others, i -> sub(i).mkdir(c, l, mode, umask, x)).thenCompose(outs -> {
                    List<Boolean> usable = new ArrayList<>(java.util.Collections.nCopies(count, false));
                    usable.set(h, true);
                    for (Outcome<EntryReply> o : outs) {
                        if (o.ok() || o.error() == Errno.EEXIST) usable.set(o.subvol(), true);
                        else LOG.warn("{}: mkdir {} on {} failed: {}; the directory gets no range there",
                                name(), l, names.get(o.subvol()), o.error());
                    }
                    return dirs.createFor(l, reply.attr().gfid(), usable).thenApply(written -> reply);
                });
            });
        });
    }

    @Override
    public CompletableFuture<ParentReply> rmdir(Caller c, Loc loc, int flags, Xdata x) {
        return lookup(c, loc, Xdata.EMPTY).thenCompose(r -> {
            if (!r.attr().isDirectory()) {
                return CompletableFuture.<ParentReply>failedFuture(Errno.ENOTDIR.exception(loc + " is not a directory"));
            }
            Gfid g = r.attr().gfid();
            Loc dloc = loc.withGfid(g);
            return Outcome.all(everySubvol, i -> staleLinktos(c, i, g)).thenCompose(scans -> {
                for (Outcome<List<String>> s : scans) {
                    if (s.ok() || s.error() == Errno.ENOENT || s.error() == Errno.ESTALE) continue;
                    return CompletableFuture.<ParentReply>failedFuture(s.error().exception(
                            "cannot check that " + loc + " is empty on " + names.get(s.subvol())));
                }
                List<CompletableFuture<?>> cleanups = new ArrayList<>();
                for (Outcome<List<String>> s : scans) {
                    if (!s.ok()) continue;
                    for (String n : s.value()) {
                        cleanups.add(Outcome.one(s.subvol(), i -> sub(i).unlink(Caller.ROOT,
                                Loc.entry(g, n, loc.path() + "/" + n), 0, Xdata.EMPTY)));
                    }
                }
                return CompletableFuture.allOf(cleanups.toArray(CompletableFuture[]::new))
                        .thenCompose(v -> removeDirEverywhere(c, loc, dloc, flags, x));
            });
        });
    }

    /** Removes the directory from the non-hashed subvolumes first, then the hashed one (which lookups consult). */
    private CompletableFuture<ParentReply> removeDirEverywhere(Caller c, Loc loc, Loc dloc, int flags, Xdata x) {
        return dirs.ofParent(c, loc).thenCompose(pl -> {
            int h = Math.max(0, hashedSubvol(pl, loc.name()));
            List<Integer> others = everySubvol.stream().filter(i -> i != h).toList();
            return Outcome.all(others, i -> sub(i).rmdir(c, loc, flags, x)).thenCompose(outs -> {
                List<Integer> removed = new ArrayList<>();
                Outcome<ParentReply> bad = null;
                for (Outcome<ParentReply> o : outs) {
                    if (o.ok()) removed.add(o.subvol());
                    else if (o.error() != Errno.ENOENT && bad == null) bad = o;
                }
                if (bad != null) {
                    Errno e = bad.error();
                    LOG.info("{}: rmdir {} failed on {} ({}); restoring it on {}", name(), loc, names.get(bad.subvol()), e,
                            removed.stream().map(names::get).toList());
                    return dirs.restore(dloc, removed).thenCompose(v ->
                            CompletableFuture.<ParentReply>failedFuture(e.exception(loc.toString())));
                }
                return Outcome.one(h, i -> sub(i).rmdir(c, loc, flags, x)).thenCompose(ho -> {
                    if (ho.ok()) {
                        dirs.forget(dloc.gfid());
                        return CompletableFuture.completedFuture(ho.value());
                    }
                    if (ho.error() == Errno.ENOENT && !removed.isEmpty()) {
                        dirs.forget(dloc.gfid());
                        return CompletableFuture.completedFuture(outs.stream().filter(Outcome::ok).findFirst()
                                .map(Outcome::value).orElseThrow());
                    }
                    return dirs.restore(dloc, removed).thenCompose(v ->
                            CompletableFuture.<ParentReply>failedFuture(ho.error().exception(loc.toString())));
                });
            });
        });
    }

    /**
     * Lists the directory on one subvolume: fails with ENOTEMPTY at its first real entry, else
     * answers the names of the linkto files in it, which are stale since their data is nowhere in
     * this directory and may be removed with it.
     */
    private CompletableFuture<List<String>> staleLinktos(Caller c, int i, Gfid dir) {
        Fd fd = new Fd(new Inode(dir, FileType.S_IFDIR), 0, c.pid());
        List<String> linktos = new ArrayList<>();
        return sub(i).opendir(c, Loc.of(dir, null), fd, Xdata.EMPTY)
                .thenCompose(d -> scanForEntries(c, i, fd, 0, linktos))
                .whenComplete((v, t) -> sub(i).releasedir(fd));
    }

    private CompletableFuture<List<String>> scanForEntries(Caller c, int i, Fd fd, long offset, List<String> linktos) {
        return sub(i).readdirp(c, fd, LISTING_CHUNK, offset, Xdata.EMPTY).thenCompose(rr -> {
            if (rr.entries().isEmpty()) return CompletableFuture.completedFuture(linktos);
            long next = offset;
            for (Dirent d : rr.entries()) {
                next = d.offset();
                if (d.name().equals(".") || d.name().equals("..")) continue;
                if (Linkto.looksLike(d.attr())) linktos.add(d.name());
                else return CompletableFuture.failedFuture(Errno.ENOTEMPTY.exception(
                        "directory is not empty on " + names.get(i)));
            }
            return scanForEntries(c, i, fd, next, linktos);
        });
    }

    // ---- files: creation and placement ----

    @Override
    public CompletableFuture<EntryReply> create(Caller c, Loc loc, int flags, int mode, int umask, Fd fd, Xdata x) {
        return placeNewFile(c, loc, true, (s, l) -> sub(s).create(c, l, flags, mode, umask, fd, x)
                .thenApply(r -> {
                    fd.setCtx(this, new OpenFile(s));
                    return r;
                }));
    }

    @Override
    public CompletableFuture<EntryReply> mknod(Caller c, Loc loc, int mode, long rdev, int umask, Xdata x) {
        return placeNewFile(c, loc, true, (s, l) -> sub(s).mknod(c, l, mode, rdev, umask, x));
    }

    @Override
    public CompletableFuture<EntryReply> symlink(Caller c, String target, Loc loc, int umask, Xdata x) {
        return placeNewFile(c, loc, false, (s, l) -> sub(s).symlink(c, target, l, umask, x));
    }

    private interface Maker {
        CompletableFuture<EntryReply> make(int subvol, Loc loc);
    }

    /**
     * Creates a new non-directory on the name's hashed subvolume, or, when that one is short of
     * space, on the roomiest other one with a linkto file on the hashed one (min-free-disk).
     */
    private CompletableFuture<EntryReply> placeNewFile(Caller c, Loc loc, boolean spaceRule, Maker maker) {
        Loc l = withNewGfid(loc);
        return dirs.ofParent(c, l).thenCompose(pl -> {
            int h = hashedSubvol(pl, l.name());
            if (h < 0) return noSubvolFor(l, pl);
            CompletableFuture<Integer> where = spaceRule ? subvolWithSpace(c, h) : CompletableFuture.completedFuture(h);
            return where.thenCompose(s -> {
                if (s == h) return maker.make(h, l).thenApply(r -> remember(r, h));
                LOG.info("{}: {} is short of space; creating {} on {} with a linkto", name(), names.get(h), l, names.get(s));
                return createLinkto(c, l, h, s).thenCompose(v -> maker.make(s, l).handle((r, t) -> {
                    if (t == null) return CompletableFuture.completedFuture(remember(r, s));
                    return removeQuietly(h, l).thenCompose(v2 -> CompletableFuture.<EntryReply>failedFuture(t));
                }).thenCompose(Function.identity()));
            });
        });
    }

    private EntryReply remember(EntryReply r, int subvol) {
        dataSubvol.put(r.attr().gfid(), subvol);
        return r;
    }

    private CompletableFuture<Integer> subvolWithSpace(Caller c, int hashed) {
        return refreshDiskUsage(hashed).thenCompose(v -> {
            if (!diskRule.shortOfSpace(diskUsage.get(hashed))) return CompletableFuture.completedFuture(hashed);
            List<Integer> others = everySubvol.stream().filter(i -> i != hashed).toList();
            return CompletableFuture.allOf(others.stream().map(this::refreshDiskUsage).toArray(CompletableFuture[]::new))
                    .thenApply(v2 -> {
                        int best = hashed;
                        long bestFree = -1;
                        for (int i : others) {
                            Statvfs s = diskUsage.get(i);
                            if (s == null || diskRule.shortOfSpace(s)) continue;
                            long free = s.bavail() * Math.max(1, s.frsize());
                            if (free > bestFree) {
                                bestFree = free;
                                best = i;
                            }
                        }
                        return best;
                    });
        });
    }

    /** Refreshes one subvolume's statfs when the last answer is older than the TTL; never fails. */
    private CompletableFuture<Void> refreshDiskUsage(int i) {
        long now = System.nanoTime();
        if (diskUsage.get(i) != null && now - diskUsageAt.get(i) < DISK_USAGE_TTL_NANOS) {
            return CompletableFuture.completedFuture(null);
        }
        return Outcome.one(i, s -> sub(s).statfs(Caller.ROOT, Loc.root(), Xdata.EMPTY)).thenAccept(o -> {
            diskUsage.set(i, o.ok() ? o.value().statvfs() : null);
            diskUsageAt.set(i, now);
        });
    }

    /**
     * Makes {@code entry} (which carries the data file's gfid) a linkto on {@code on} pointing at
     * {@code target}. The target travels with the mknod, so that no lookup ever finds the linkto
     * without it (it would look like a real empty file).
     */
    private CompletableFuture<Void> createLinkto(Caller c, Loc entry, int on, int target) {
        return sub(on).mknod(c, entry, Linkto.MODE, 0, 0, Xdata.of(linktoXattr, Linkto.encode(names.get(target))))
                .thenApply(r -> null);
    }

    /**
     * Puts the linkto of a rename's new name on subvolume {@code on}. Where something already has
     * the name there (what the rename replaces), the linkto is made under a temporary name and
     * renamed over it, so that the name never goes missing for other clients' lookups.
     */
    private CompletableFuture<Void> linktoOver(Caller c, Loc newLoc, Gfid gfid, int on, int target, boolean occupied) {
        CompletableFuture<Void> direct = occupied ? CompletableFuture.failedFuture(Errno.EEXIST.exception(newLoc.toString()))
                : createLinkto(c, newLoc.withGfid(gfid), on, target);
        return direct.exceptionallyCompose(t -> {
            if (FopException.errnoOf(t) != Errno.EEXIST) return CompletableFuture.failedFuture(t);
            Loc temp = new Loc(gfid, newLoc.parent(), ".glusterj-linkto-" + gfid, null);
            return createLinkto(c, temp, on, target).thenCompose(v -> sub(on).rename(Caller.ROOT, temp,
                    Loc.entry(newLoc.parent(), newLoc.name(), newLoc.path()), Xdata.EMPTY).handle((r, t2) -> {
                        if (t2 == null) return CompletableFuture.<Void>completedFuture(null);
                        return removeQuietly(on, temp).thenCompose(u -> CompletableFuture.<Void>failedFuture(t2));
                    }).thenCompose(Function.identity()));
        });
    }

    /**
     * Best-effort unlink of a name on one subvolume (cleanup paths); failures are only logged. With
     * a gfid in {@code entry}, only that object goes (ESTALE, quietly, if another took the name).
     */
    private CompletableFuture<Void> removeQuietly(int on, Loc entry) {
        return Outcome.one(on, i -> sub(i).unlink(Caller.ROOT, entry, 0, Xdata.EMPTY)).thenAccept(o -> {
            if (!o.ok() && o.error() != Errno.ENOENT && o.error() != Errno.ESTALE) {
                LOG.warn("{}: could not remove {} on {}: {}", name(), entry, names.get(on), o.error());
            }
        });
    }

    @Override
    public CompletableFuture<EntryReply> link(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return locate(c, oldLoc).thenCompose(t -> {
            if (t.subvol < 0) return CompletableFuture.<EntryReply>failedFuture(Errno.EPERM.exception(
                    "cannot hard-link directory " + oldLoc));
            int s = t.subvol;
            return dirs.ofParent(c, newLoc).thenCompose(pl -> {
                int h = hashedSubvol(pl, newLoc.name());
                return sub(s).link(c, oldLoc, newLoc, x).thenCompose(r -> {
                    if (h < 0 || h == s) return CompletableFuture.completedFuture(r);
                    return createLinkto(c, newLoc.withGfid(t.gfid), h, s).handle((v, err) -> {
                        if (err != null) LOG.warn("{}: no linkto for new link {} on {}: {}", name(), newLoc, names.get(h),
                                FopException.errnoOf(err));
                        return r;
                    });
                });
            });
        });
    }

    /**
     * A file on its hashed subvolume goes in one step there. A file with a linkto is two steps on
     * two subvolumes, taken under the name's entry lock so that another client's rename of the
     * name cannot come in between.
     */
    @Override
    public CompletableFuture<ParentReply> unlink(Caller c, Loc loc, int xflags, Xdata x) {
        Gfid g = loc.gfid();
        Integer known = g == null || g.isNull() || dirs.isKnown(g) ? null : dataSubvol.get(g);
        return dirs.ofParent(c, loc).thenCompose(pl -> {
            if (known == null || hashedSubvol(pl, loc.name()) != known) return unlinkLookedUp(c, loc, xflags, x, pl);
            // A file we know on its hashed subvolume: no lookup first. The brick removes the name
            // only if it still leads to this gfid (ESTALE otherwise); ENOENT may mean that the file
            // moved (rebalance), which the lookup finds out.
            return sub(known).unlink(c, loc, xflags, x).exceptionallyCompose(t -> FopException.errnoOf(t) == Errno.ENOENT
                    ? unlinkLookedUp(c, loc, xflags, x, pl) : CompletableFuture.failedFuture(t));
        });
    }

    private CompletableFuture<ParentReply> unlinkLookedUp(Caller c, Loc loc, int xflags, Xdata x, Layout pl) {
        return lookup(c, loc, Xdata.EMPTY).thenCompose(r -> {
            if (r.attr().isDirectory()) {
                return CompletableFuture.<ParentReply>failedFuture(Errno.EISDIR.exception(loc + " is a directory"));
            }
            Loc named = loc.withGfid(r.attr().gfid());
            Integer s = dataSubvol.get(named.gfid());
            if (s == null) return CompletableFuture.<ParentReply>failedFuture(Errno.ESTALE.exception(loc.toString()));
            int h = hashedSubvol(pl, loc.name());
            if (h < 0 || h == s) return sub(s).unlink(c, named, xflags, x);
            return nameLocks.holding(c, List.of(new NameLocks.Name(h, loc.parent(), loc.name())),
                    lc -> stillNamed(lc, named).thenCompose(data -> sub(data).unlink(lc, named, xflags, x)
                            .thenCompose(pr -> removeQuietly(h, named).thenApply(v -> pr))));
        });
    }

    /**
     * Under the name's lock: the subvolume of the data of {@code loc}'s object, after checking that
     * the name still leads to it (ESTALE if another client changed it before we held the lock).
     */
    private CompletableFuture<Integer> stillNamed(Caller c, Loc loc) {
        return lookup(c, Loc.entry(loc.parent(), loc.name(), loc.path()), Xdata.EMPTY).thenCompose(r -> {
            Integer s = dataSubvol.get(loc.gfid());
            if (!r.attr().gfid().equals(loc.gfid()) || s == null) {
                return CompletableFuture.<Integer>failedFuture(Errno.ESTALE.exception(loc + " now names "
                        + r.attr().gfid()));
            }
            return CompletableFuture.completedFuture(s);
        });
    }

    // ---- rename ----

    @Override
    public CompletableFuture<RenameReply> rename(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        Gfid g = oldLoc.gfid();
        boolean knownFile = g != null && !g.isNull() && !dirs.isKnown(g) && dataSubvol.containsKey(g);
        CompletableFuture<Iatt> found = knownFile ? CompletableFuture.completedFuture(null)
                : lookup(c, oldLoc, Xdata.EMPTY).thenApply(EntryReply::attr);
        return found.thenCompose(src -> {
            Loc from = src == null ? oldLoc : oldLoc.withGfid(src.gfid());
            return dirs.ofParent(c, oldLoc).thenCompose(op -> dirs.ofParent(c, newLoc).thenCompose(np -> {
                int srcHashed = hashedSubvol(op, oldLoc.name());
                int dstHashed = hashedSubvol(np, newLoc.name());
                if (dstHashed < 0) return noSubvolFor(newLoc, np);
                List<NameLocks.Name> names = new ArrayList<>(2);
                if (srcHashed >= 0) names.add(new NameLocks.Name(srcHashed, oldLoc.parent(), oldLoc.name()));
                names.add(new NameLocks.Name(dstHashed, newLoc.parent(), newLoc.name()));
                if (src != null && src.isDirectory()) {
                    return nameLocks.holding(c, names, lc -> renameDirectory(lc, from, newLoc, x));
                }
                return nameLocks.holding(c, names, lc -> stillNamed(lc, from).thenCompose(s ->
                        lookup(lc, Loc.entry(newLoc.parent(), newLoc.name(), newLoc.path()), Xdata.EMPTY).handle((dst, t) -> {
                            if (t != null && FopException.errnoOf(t) != Errno.ENOENT) {
                                return CompletableFuture.<RenameReply>failedFuture(t);
                            }
                            return renameFile(lc, from, newLoc, x, s, t == null ? dst.attr() : null, srcHashed, dstHashed);
                        }).thenCompose(Function.identity())));
            }));
        });
    }

    /**
     * GlusterFS's file rename, under both names' entry locks: the data stays on its subvolume
     * {@code s} and is renamed there first, in one step, so that a failure changes nothing. Then,
     * if the new name hashes elsewhere, the linkto goes there (over whatever had the name); then what
     * the rename replaced on a third subvolume, and the old name's linkto, are removed.
     */
    private CompletableFuture<RenameReply> renameFile(Caller c, Loc oldLoc, Loc newLoc, Xdata x, int s, Iatt dst,
                                                      int srcHashed, int dstHashed) {
        Gfid g = oldLoc.gfid();
        if (dst != null && dst.isDirectory()) {
            return CompletableFuture.failedFuture(Errno.EISDIR.exception(newLoc + " is a directory"));
        }
        // Two names of one file (link keeps both on the data subvolume): rename(2) does nothing.
        if (dst != null && dst.gfid().equals(g)) return sub(s).rename(c, oldLoc, newLoc, x);
        Iatt victim = dst;
        Integer victimData = victim == null ? null : dataSubvol.get(victim.gfid());
        boolean needLinkto = dstHashed != s;
        boolean oldLinkto = srcHashed >= 0 && srcHashed != s;
        // The old name's linkto already sits on the new hashed subvolume: rename it rather than
        // making a second object with the same gfid there.
        boolean moveLinkto = needLinkto && oldLinkto && srcHashed == dstHashed;
        return sub(s).rename(c, oldLoc, newLoc, x).thenCompose(rr -> {
            dataSubvol.put(g, s);
            CompletableFuture<Void> linked = !needLinkto ? CompletableFuture.completedFuture(null)
                    : moveLinkto ? sub(dstHashed).rename(c, oldLoc, newLoc, Xdata.EMPTY).thenApply(r -> null)
                    : linktoOver(c, newLoc, g, dstHashed, s, dst != null);
            return linked.handle((v, t) -> {
                if (t != null) {
                    // Without its linkto the new name cannot be found: put the data back.
                    LOG.warn("{}: no linkto for {} on {} ({}); undoing the rename", name(), newLoc, names.get(dstHashed),
                            FopException.errnoOf(t));
                    return sub(s).rename(Caller.ROOT, newLoc.withGfid(g), Loc.entry(oldLoc.parent(), oldLoc.name(),
                            oldLoc.path()), Xdata.EMPTY).handle((u, t2) -> CompletableFuture.<RenameReply>failedFuture(t))
                            .thenCompose(Function.identity());
                }
                List<CompletableFuture<Void>> cleanup = new ArrayList<>(2);
                if (victimData != null && victimData != s && victimData != dstHashed) {
                    cleanup.add(removeQuietly(victimData, newLoc.withGfid(victim.gfid())));
                }
                if (oldLinkto && !moveLinkto) cleanup.add(removeQuietly(srcHashed, oldLoc));
                return CompletableFuture.allOf(cleanup.toArray(CompletableFuture[]::new)).thenApply(u -> rr);
            }).thenCompose(Function.identity());
        });
    }

    /**
     * A directory exists everywhere: rename every copy; undo the done ones if one fails for a real
     * reason. Runs under both names' entry locks, and {@code oldLoc} carries the directory's gfid, so
     * that two clients renaming one directory cannot each win on some subvolumes: the second finds
     * the name gone (or naming another object) on every subvolume.
     */
    private CompletableFuture<RenameReply> renameDirectory(Caller c, Loc oldLoc, Loc newLoc, Xdata x) {
        return Outcome.all(everySubvol, i -> sub(i).rename(c, oldLoc, newLoc, x)).thenCompose(outs -> {
            List<Integer> done = outs.stream().filter(Outcome::ok).map(Outcome::subvol).toList();
            Outcome<RenameReply> bad = outs.stream().filter(o -> !o.ok() && o.error() != Errno.ENOENT).findFirst()
                    .orElse(null);
            if (bad == null && !done.isEmpty()) return CompletableFuture.completedFuture(outs.get(done.get(0)).value());
            if (bad == null) return CompletableFuture.failedFuture(Outcome.failure(outs, oldLoc));
            Errno e = bad.error();
            return Outcome.all(done, i -> sub(i).rename(Caller.ROOT, newLoc, oldLoc, Xdata.EMPTY)).thenCompose(undo -> {
                for (Outcome<RenameReply> u : undo) {
                    if (!u.ok()) LOG.error("{}: could not undo rename of {} on {}: {}", name(), oldLoc,
                            names.get(u.subvol()), u.error());
                }
                return CompletableFuture.<RenameReply>failedFuture(e.exception("rename " + oldLoc + " -> " + newLoc
                        + " failed on " + names.get(bad.subvol())));
            });
        });
    }

    // ---- fops on an existing object ----

    /** Where an object is: {@code subvol} -1 for a directory (on every subvolume). */
    private record Target(Gfid gfid, int subvol) {
    }

    private CompletableFuture<Target> locate(Caller c, Loc loc) {
        Gfid g = loc.gfid();
        if (g != null && !g.isNull()) {
            if (g.isRoot() || dirs.isKnown(g)) return CompletableFuture.completedFuture(new Target(g, -1));
            Integer s = dataSubvol.get(g);
            if (s != null) return CompletableFuture.completedFuture(new Target(g, s));
        }
        return lookup(c, loc, Xdata.EMPTY).thenCompose(r -> {
            Gfid found = r.attr().gfid();
            if (r.attr().isDirectory()) return CompletableFuture.completedFuture(new Target(found, -1));
            Integer s = dataSubvol.get(found);
            return s != null ? CompletableFuture.completedFuture(new Target(found, s))
                    : CompletableFuture.failedFuture(Errno.ESTALE.exception(loc.toString()));
        });
    }

    /**
     * Runs a fop where the object lives: on its data subvolume, or for a directory through
     * {@code onDir}. A remembered location that turns out stale (ENOENT/ESTALE) is looked up afresh once.
     */
    private <T> CompletableFuture<T> onObject(Caller c, Loc loc, IntFunction<CompletableFuture<T>> onFile,
                                              Supplier<CompletableFuture<T>> onDir) {
        boolean remembered = loc.gfid() != null && dataSubvol.containsKey(loc.gfid());
        CompletableFuture<T> first = locate(c, loc).thenCompose(t -> t.subvol < 0 ? onDir.get() : onFile.apply(t.subvol));
        if (!remembered) return first;
        return first.handle((v, t) -> {
            if (t == null) return CompletableFuture.completedFuture(v);
            Errno e = FopException.errnoOf(t);
            if (e != Errno.ENOENT && e != Errno.ESTALE) return CompletableFuture.<T>failedFuture(t);
            dataSubvol.remove(loc.gfid());
            return locate(c, loc).thenCompose(tt -> tt.subvol < 0 ? onDir.get() : onFile.apply(tt.subvol));
        }).thenCompose(Function.identity());
    }

    /** For a directory: the first subvolume that answers other than ENOTCONN. */
    private <T> CompletableFuture<T> firstAnswer(IntFunction<CompletableFuture<T>> fop) {
        return firstAnswerFrom(everySubvol, 0, fop);
    }

    /**
     * The same among the subvolumes a directory fd was opened on: another one has no fd to answer
     * with (protocol/client says EBADF), e.g. one that was down at opendir and is back.
     */
    private <T> CompletableFuture<T> firstAnswerOnFd(Fd fd, IntFunction<CompletableFuture<T>> fop) {
        List<Integer> where = openedOn(fd);
        if (where.isEmpty()) return CompletableFuture.failedFuture(Errno.EBADF.exception(fd + " is open on no subvolume"));
        return firstAnswerFrom(where, 0, fop);
    }

    private <T> CompletableFuture<T> firstAnswerFrom(List<Integer> where, int k, IntFunction<CompletableFuture<T>> fop) {
        int i = where.get(k);
        return Outcome.one(i, fop).thenCompose(o -> {
            if (o.ok()) return CompletableFuture.completedFuture(o.value());
            if (o.error() == Errno.ENOTCONN && k + 1 < where.size()) return firstAnswerFrom(where, k + 1, fop);
            return CompletableFuture.failedFuture(o.error().exception(names.get(i)));
        });
    }

    /** For a directory: every subvolume; the lowest successful answer, or the common failure. */
    private <T> CompletableFuture<T> everywhere(Object what, List<Integer> where, IntFunction<CompletableFuture<T>> fop) {
        return Outcome.all(where, fop).thenCompose(outs -> {
            for (Outcome<T> o : outs) {
                if (!o.ok() && o.error() != Errno.ENOENT && o.error() != Errno.ENOTCONN) {
                    LOG.debug("{}: {} failed on {}: {}", name(), what, names.get(o.subvol()), o.error());
                }
            }
            for (Outcome<T> o : outs) if (o.ok()) return CompletableFuture.completedFuture(o.value());
            return CompletableFuture.failedFuture(Outcome.failure(outs, what));
        });
    }

    @Override
    public CompletableFuture<AttrReply> stat(Caller c, Loc loc, Xdata x) {
        return onObject(c, loc, s -> sub(s).stat(c, loc, x), () -> firstAnswer(i -> sub(i).stat(c, loc, x)))
                .thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<Done> access(Caller c, Loc loc, int mask, Xdata x) {
        return onObject(c, loc, s -> sub(s).access(c, loc, mask, x), () -> firstAnswer(i -> sub(i).access(c, loc, mask, x)));
    }

    @Override
    public CompletableFuture<ReadlinkReply> readlink(Caller c, Loc loc, int size, Xdata x) {
        return onObject(c, loc, s -> sub(s).readlink(c, loc, size, x),
                () -> CompletableFuture.failedFuture(Errno.EINVAL.exception(loc + " is a directory, not a symlink")));
    }

    @Override
    public CompletableFuture<ChangeReply> truncate(Caller c, Loc loc, long offset, Xdata x) {
        return onObject(c, loc, s -> sub(s).truncate(c, loc, offset, x),
                () -> CompletableFuture.failedFuture(Errno.EISDIR.exception(loc.toString()))).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<ChangeReply> setattr(Caller c, Loc loc, SetAttr attr, Xdata x) {
        return onObject(c, loc, s -> sub(s).setattr(c, loc, attr, x),
                () -> everywhere(loc, everySubvol, i -> sub(i).setattr(c, loc, attr, x))).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<XattrReply> getxattr(Caller c, Loc loc, String name, Xdata x) {
        return onObject(c, loc, s -> sub(s).getxattr(c, loc, name, x), () -> firstAnswer(i -> sub(i).getxattr(c, loc, name, x)));
    }

    @Override
    public CompletableFuture<Done> setxattr(Caller c, Loc loc, Map<String, byte[]> values, int flags, Xdata x) {
        return onObject(c, loc, s -> sub(s).setxattr(c, loc, values, flags, x),
                () -> everywhere(loc, everySubvol, i -> sub(i).setxattr(c, loc, values, flags, x)));
    }

    @Override
    public CompletableFuture<Done> removexattr(Caller c, Loc loc, String name, Xdata x) {
        return onObject(c, loc, s -> sub(s).removexattr(c, loc, name, x),
                () -> everywhere(loc, everySubvol, i -> sub(i).removexattr(c, loc, name, x)));
    }

    /** The volume's capacity: every reachable subvolume's, summed in the first one's fragment size. */
    @Override
    public CompletableFuture<StatfsReply> statfs(Caller c, Loc loc, Xdata x) {
        return Outcome.all(everySubvol, i -> sub(i).statfs(c, Loc.root(), x)).thenCompose(outs -> {
            List<Statvfs> ok = outs.stream().filter(Outcome::ok).map(o -> o.value().statvfs()).toList();
            if (ok.isEmpty()) return CompletableFuture.failedFuture(Outcome.failure(outs, "statfs"));
            Statvfs f = ok.get(0);
            long unit = Math.max(1, f.frsize());
            long blocks = 0, bfree = 0, bavail = 0, files = 0, ffree = 0, favail = 0, namemax = Long.MAX_VALUE;
            for (Statvfs s : ok) {
                double scale = (double) Math.max(1, s.frsize()) / unit;
                blocks += (long) (s.blocks() * scale);
                bfree += (long) (s.bfree() * scale);
                bavail += (long) (s.bavail() * scale);
                files += s.files();
                ffree += s.ffree();
                favail += s.favail();
                namemax = Math.min(namemax, s.namemax());
            }
            return CompletableFuture.completedFuture(new StatfsReply(new Statvfs(f.bsize(), f.frsize(), blocks, bfree,
                    bavail, files, ffree, favail, f.fsid(), f.flag(), namemax), null));
        });
    }

    // ---- open files ----

    @Override
    public CompletableFuture<Done> open(Caller c, Loc loc, int flags, Fd fd, Xdata x) {
        return onObject(c, loc, s -> sub(s).open(c, loc, flags, fd, x).thenApply(d -> {
            fd.setCtx(this, new OpenFile(s));
            return d;
        }), () -> CompletableFuture.failedFuture(Errno.EISDIR.exception(loc + " is a directory; use opendir")));
    }

    /** The subvolume a file fd was opened on; a directory fd gives -1. */
    private int fdSubvol(Fd fd) {
        Object st = fd.ctx(this);
        if (st instanceof OpenFile f) return f.subvol();
        if (st instanceof DirListing.OpenDir) return -1;
        Integer s = dataSubvol.get(fd.gfid());
        if (s != null) return s;
        if (dirs.isKnown(fd.gfid()) || fd.gfid().isRoot()) return -1;
        throw Errno.EBADF.exception(fd + " was not opened through " + name());
    }

    private <T> CompletableFuture<T> onFd(Fd fd, IntFunction<CompletableFuture<T>> onFile,
                                          Supplier<CompletableFuture<T>> onDir) {
        int s;
        try {
            s = fdSubvol(fd);
        } catch (FopException e) {
            return CompletableFuture.failedFuture(e);
        }
        return s < 0 ? onDir.get() : onFile.apply(s);
    }

    private static <T> Supplier<CompletableFuture<T>> isDir(Fd fd) {
        return () -> CompletableFuture.failedFuture(Errno.EISDIR.exception(fd.toString()));
    }

    private List<Integer> openedOn(Fd fd) {
        Object st = fd.ctx(this);
        if (st instanceof DirListing.OpenDir d) return everySubvol.stream().filter(d::isOpen).toList();
        return everySubvol;
    }

    // A file being moved by a rebalance: the rebalancer first marks the old copy "migrating"
    // (mode ---S--S--T, linkto xattr naming the new subvolume): writes through fds open there are
    // then also done on the new copy; once the copy is complete it marks the old one "moved"
    // (mode ---------T): every fop through such an fd is then done on the new copy instead.
    // A reply that asks for either must be obeyed or fail: answering success for a write that
    // only reached the old copy loses it once the old copy is dropped.

    private enum Redo { NONE, MIRROR, MOVE }

    /** How many times one write may follow a file from copy to copy before giving up. */
    private static final int MAX_MOVES = 4;

    /** What a reply's attributes ask of a fop that changed data; reads only follow MOVE. */
    private static Redo redoFor(Iatt post, boolean changesData) {
        if (post == null || !post.isRegular()) return Redo.NONE;
        if (Linkto.looksLike(post)) return Redo.MOVE;
        return changesData && Linkto.migrating(post) ? Redo.MIRROR : Redo.NONE;
    }

    /**
     * Runs an fd fop on the fd's subvolume, then, as its reply's attributes ask, runs it again on
     * the file's new copy: instead of the first answer (MOVE, {@code discard} frees the first
     * reply) or in addition to it (MIRROR; a failure there is the fop's failure).
     */
    private <T> CompletableFuture<T> onFileFd(Caller c, Fd fd, boolean changesData, IntFunction<CompletableFuture<T>> fop,
                                              Function<T, Iatt> attrOf, java.util.function.Consumer<T> discard,
                                              Supplier<CompletableFuture<T>> onDir) {
        return onFd(fd, s -> fop.apply(s).thenCompose(r -> {
            Redo redo = redoFor(attrOf.apply(r), changesData);
            if (redo == Redo.NONE) return CompletableFuture.completedFuture(r);
            return openWhereMoving(c, fd, s, redo == Redo.MOVE).handle((to, t) -> {
                if (t != null || to < 0) {
                    if (t == null) return CompletableFuture.completedFuture(r);
                    discard.accept(r);
                    return CompletableFuture.<T>failedFuture(t);
                }
                if (redo == Redo.MIRROR) return fop.apply(to).handle((r2, t2) -> {
                    if (t2 != null) {
                        discard.accept(r);
                        throw notMirrored(fd, to, t2);
                    }
                    discard.accept(r2);
                    return r;
                });
                discard.accept(r);
                return fop.apply(to);
            }).thenCompose(Function.identity());
        }), onDir);
    }

    private FopException notMirrored(Fd fd, int to, Throwable t) {
        Errno e = FopException.errnoOf(t);
        LOG.warn("{}: {} not mirrored to {}, where its file is being moved: {}", name(), fd, names.get(to), e);
        return e.exception(fd + ": done on the old copy but not on the new one on " + names.get(to)
                + " while the file is being moved; retry the operation");
    }

    /**
     * Opens {@code fd} where the file on {@code from} is being moved, unless already open there;
     * with {@code move} that copy becomes the fd's subvolume. -1 if the file names no other
     * subvolume (a rebalance that gave up, or a file that merely has the mode). The destination
     * is read through the fd itself: by then the old copy may be losing its name, and a lookup
     * by gfid can miss it for a moment while the brick moves it aside.
     */
    private CompletableFuture<Integer> openWhereMoving(Caller c, Fd fd, int from, boolean move) {
        Gfid g = fd.gfid();
        Loc loc = Loc.of(g, null);
        return sub(from).fgetxattr(Caller.ROOT, fd, linktoXattr, Xdata.EMPTY).handle((xr, t) -> {
            if (t != null) {
                Errno e = FopException.errnoOf(t);
                if (e == Errno.ENODATA) return CompletableFuture.completedFuture(-1);
                return CompletableFuture.<Integer>failedFuture(e.exception(fd + ": cannot tell where its file on "
                        + names.get(from) + " is being moved (" + e + "); retry the operation"));
            }
            byte[] raw = xr.values().get(linktoXattr);
            if (raw == null) return CompletableFuture.completedFuture(-1);
            Integer to = indexByName.get(Linkto.decode(raw));
            if (to == null) {
                return CompletableFuture.<Integer>failedFuture(Errno.EIO.exception(fd + ": its file on "
                        + names.get(from) + " is being moved to \"" + Linkto.decode(raw)
                        + "\", which is not a subvolume of " + name() + "; check that this client's volfile is current"));
            }
            if (to == from) return CompletableFuture.completedFuture(-1);
            boolean open = fd.ctx(this) instanceof OpenFile f && f.mirror() == to;
            int flags = fd.flags() & ~(O_CREAT | O_EXCL | O_TRUNC);
            CompletableFuture<Done> opened = open ? CompletableFuture.completedFuture(Done.OK)
                    : sub(to).open(c, loc, flags, fd, Xdata.EMPTY);
            return opened.thenApply(d -> {
                if (move) {
                    LOG.debug("{}: {} moved from {} to {}", name(), fd, names.get(from), names.get(to));
                    fd.setCtx(this, new OpenFile(to));
                    dataSubvol.put(g, to);
                } else if (!open) {
                    fd.setCtx(this, new OpenFile(from, to));
                }
                return to;
            });
        }).thenCompose(Function.identity());
    }

    private static void nothing(Object r) {
    }

    @Override
    public CompletableFuture<AttrReply> fstat(Caller c, Fd fd, Xdata x) {
        return onFileFd(c, fd, false, s -> sub(s).fstat(c, fd, x), AttrReply::attr, DistributeXlator::nothing,
                () -> firstAnswerOnFd(fd, i -> sub(i).fstat(c, fd, x))).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<ReadReply> readv(Caller c, Fd fd, int size, long offset, int flags, Xdata x) {
        return onFileFd(c, fd, false, s -> sub(s).readv(c, fd, size, offset, flags, x), ReadReply::attr,
                r -> r.data().release(), isDir(fd));
    }

    /** Keeps a reference to the data until the write is known not to need doing again elsewhere. */
    @Override
    public CompletableFuture<ChangeReply> writev(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x) {
        return write(c, fd, data, offset, flags, x, 0).thenApply(DistributeXlator::visible);
    }

    /**
     * A write on the fd's subvolume, mirrored or redone where its file is moving. A redone write is
     * written like a new one, since the new copy may itself be moving on by then.
     */
    private CompletableFuture<ChangeReply> write(Caller c, Fd fd, ByteBuf data, long offset, int flags, Xdata x,
                                                 int moves) {
        int s;
        try {
            s = fdSubvol(fd);
        } catch (FopException e) {
            data.release();
            return CompletableFuture.failedFuture(e);
        }
        if (s < 0) {
            data.release();
            return CompletableFuture.failedFuture(Errno.EISDIR.exception(fd.toString()));
        }
        CompletableFuture<ChangeReply> first;
        try {
            first = sub(s).writev(c, fd, data.retainedDuplicate(), offset, flags, x);
        } catch (RuntimeException e) {
            data.release();
            throw e;
        }
        return first.<CompletableFuture<ChangeReply>>handle((r, t) -> {
            Redo redo = t == null ? redoFor(r.post(), true) : Redo.NONE;
            if (redo == Redo.NONE) {
                data.release();
                return t != null ? CompletableFuture.<ChangeReply>failedFuture(t) : CompletableFuture.completedFuture(r);
            }
            if (redo == Redo.MOVE && moves >= MAX_MOVES) {
                data.release();
                return CompletableFuture.<ChangeReply>failedFuture(Errno.EIO.exception(fd + ": its file moved "
                        + moves + " times during one write; retry it"));
            }
            return openWhereMoving(c, fd, s, redo == Redo.MOVE).handle((to, t2) -> {
                if (t2 != null || to < 0) {
                    data.release();
                    return t2 != null ? CompletableFuture.<ChangeReply>failedFuture(t2) : CompletableFuture.completedFuture(r);
                }
                if (redo == Redo.MOVE) return write(c, fd, data, offset, flags, x, moves + 1);
                return sub(to).writev(c, fd, data, offset, flags, x).handle((r2, t3) -> {
                    if (t3 != null) throw notMirrored(fd, to, t3);
                    return r;
                });
            }).thenCompose(Function.identity());
        }).thenCompose(Function.identity());
    }

    @Override
    public CompletableFuture<Done> flush(Caller c, Fd fd, Xdata x) {
        return onFd(fd, s -> sub(s).flush(c, fd, x), () -> CompletableFuture.completedFuture(Done.OK));
    }

    @Override
    public CompletableFuture<ChangeReply> fsync(Caller c, Fd fd, boolean datasync, Xdata x) {
        return onFileFd(c, fd, true, s -> sub(s).fsync(c, fd, datasync, x), ChangeReply::post, DistributeXlator::nothing,
                isDir(fd)).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<ChangeReply> ftruncate(Caller c, Fd fd, long offset, Xdata x) {
        return onFileFd(c, fd, true, s -> sub(s).ftruncate(c, fd, offset, x), ChangeReply::post, DistributeXlator::nothing,
                isDir(fd)).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<ChangeReply> fsetattr(Caller c, Fd fd, SetAttr attr, Xdata x) {
        return onFileFd(c, fd, true, s -> sub(s).fsetattr(c, fd, attr, x), ChangeReply::post, DistributeXlator::nothing,
                () -> everywhere(fd, openedOn(fd), i -> sub(i).fsetattr(c, fd, attr, x))).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<ChangeReply> fallocate(Caller c, Fd fd, int mode, long offset, long len, Xdata x) {
        return onFileFd(c, fd, true, s -> sub(s).fallocate(c, fd, mode, offset, len, x), ChangeReply::post,
                DistributeXlator::nothing, isDir(fd)).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<ChangeReply> discard(Caller c, Fd fd, long offset, long len, Xdata x) {
        return onFileFd(c, fd, true, s -> sub(s).discard(c, fd, offset, len, x), ChangeReply::post,
                DistributeXlator::nothing, isDir(fd)).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<ChangeReply> zerofill(Caller c, Fd fd, long offset, long len, Xdata x) {
        return onFileFd(c, fd, true, s -> sub(s).zerofill(c, fd, offset, len, x), ChangeReply::post,
                DistributeXlator::nothing, isDir(fd)).thenApply(DistributeXlator::visible);
    }

    @Override
    public CompletableFuture<SeekReply> seek(Caller c, Fd fd, long offset, int what, Xdata x) {
        return onFd(fd, s -> sub(s).seek(c, fd, offset, what, x), isDir(fd));
    }

    @Override
    public CompletableFuture<LkReply> lk(Caller c, Fd fd, int cmd, Flock lock, Xdata x) {
        return onFd(fd, s -> sub(s).lk(c, fd, cmd, lock, x), isDir(fd));
    }

    @Override
    public CompletableFuture<XattrReply> fgetxattr(Caller c, Fd fd, String name, Xdata x) {
        return onFd(fd, s -> sub(s).fgetxattr(c, fd, name, x), () -> firstAnswerOnFd(fd, i -> sub(i).fgetxattr(c, fd, name, x)));
    }

    @Override
    public CompletableFuture<Done> fsetxattr(Caller c, Fd fd, Map<String, byte[]> values, int flags, Xdata x) {
        return onFd(fd, s -> sub(s).fsetxattr(c, fd, values, flags, x),
                () -> everywhere(fd, openedOn(fd), i -> sub(i).fsetxattr(c, fd, values, flags, x)));
    }

    @Override
    public CompletableFuture<Done> fremovexattr(Caller c, Fd fd, String name, Xdata x) {
        return onFd(fd, s -> sub(s).fremovexattr(c, fd, name, x),
                () -> everywhere(fd, openedOn(fd), i -> sub(i).fremovexattr(c, fd, name, x)));
    }

    // ---- directory listings ----

    /** Opens the directory on every subvolume that has it; a listing then walks them in order. */
    @Override
    public CompletableFuture<Done> opendir(Caller c, Loc loc, Fd fd, Xdata x) {
        return Outcome.all(everySubvol, i -> sub(i).opendir(c, loc, fd, x)).thenCompose(outs -> {
            boolean[] opened = new boolean[count];
            Outcome<Done> bad = null;
            for (Outcome<Done> o : outs) {
                if (o.ok()) opened[o.subvol()] = true;
                else if (o.error() != Errno.ENOENT && o.error() != Errno.ESTALE && o.error() != Errno.ENOTCONN
                        && bad == null) bad = o;
            }
            if (bad != null || outs.stream().noneMatch(Outcome::ok)) {
                for (Outcome<Done> o : outs) if (o.ok()) sub(o.subvol()).releasedir(fd);
                return CompletableFuture.<Done>failedFuture(bad != null ? bad.error().exception(loc.toString())
                        : Outcome.failure(outs, loc));
            }
            fd.setCtx(this, new DirListing.OpenDir(opened));
            return CompletableFuture.completedFuture(Done.OK);
        });
    }

    @Override
    public CompletableFuture<ReaddirReply> readdir(Caller c, Fd fd, int size, long offset, Xdata x) {
        return list(c, fd, size, offset, false);
    }

    @Override
    public CompletableFuture<ReaddirReply> readdirp(Caller c, Fd fd, int size, long offset, Xdata x) {
        return list(c, fd, size, offset, true);
    }

    private CompletableFuture<ReaddirReply> list(Caller c, Fd fd, int size, long offset, boolean withAttrs) {
        if (!(fd.ctx(this) instanceof DirListing.OpenDir dir)) {
            return CompletableFuture.failedFuture(Errno.EBADF.exception(fd + " was not opened with opendir through " + name()));
        }
        return listing.list(c, fd, dir, size, offset, withAttrs);
    }

    @Override
    public CompletableFuture<Done> fsyncdir(Caller c, Fd fd, boolean datasync, Xdata x) {
        return everywhere(fd, openedOn(fd), i -> sub(i).fsyncdir(c, fd, datasync, x));
    }

    // ---- for the rebalancer ----

    int subvolCount() {
        return count;
    }

    Xlator subvol(int i) {
        return sub(i);
    }

    String subvolName(int i) {
        return names.get(i);
    }

    String linktoXattrName() {
        return linktoXattr;
    }

    int volumeCommitHash() {
        return dirs.volumeCommitHash();
    }

    /**
     * Fix-layout of one directory: heal it, then give every subvolume a range, keeping as much of
     * the old assignment as possible, stamped with {@code commitHash}.
     */
    CompletableFuture<Layout> fixLayout(Caller c, Loc dir, int commitHash) {
        return dirs.fix(c, dir, commitHash);
    }

    /** Marks the volume's layouts as complete for lookup-optimize (the last step of a rebalance). */
    CompletableFuture<Void> stampVolumeCommitHash(int hash) {
        return dirs.stampVolumeCommitHash(hash);
    }

    /** The subvolume this xlator last found a file's data on, or -1. */
    int dataSubvolOf(Gfid g) {
        Integer s = dataSubvol.get(g);
        return s == null ? -1 : s;
    }

    void noteMigrated(Gfid g, int subvol) {
        dataSubvol.put(g, subvol);
    }

    // ---- callbacks ----

    @Override
    public void release(Fd fd) {
        fd.takeCtx(this);
        super.release(fd);
    }

    @Override
    public void releasedir(Fd fd) {
        fd.takeCtx(this);
        super.releasedir(fd);
    }

    @Override
    public void forget(Inode inode) {
        dirs.forget(inode.gfid());
        dataSubvol.remove(inode.gfid());
        super.forget(inode);
    }
}
