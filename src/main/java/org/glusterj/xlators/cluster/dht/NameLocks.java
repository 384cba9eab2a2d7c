package org.glusterj.xlators.cluster.dht;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.glusterj.core.Caller;
import org.glusterj.core.EntrylkCmd;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Loc;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry locks that distribute holds while it changes a name in several steps on several
 * subvolumes (a rename: data, linkto, replaced file; an unlink of a file with a linkto), taken on
 * each name's hashed subvolume as GlusterFS's dht_rename does. Another client changing the same
 * name waits instead of interleaving its steps with ours. Locks are taken in one global order
 * (subvolume, directory, name), so two operations that need the same two names cannot deadlock.
 */
final class NameLocks {
    private static final Logger LOG = LoggerFactory.getLogger(NameLocks.class);
    static final String DOMAIN = "dht.entry.sync";
    private static final Comparator<Name> ORDER = Comparator.comparingInt(Name::subvol)
            .thenComparing(n -> n.dir().toString()).thenComparing(Name::name);
    /** Each operation is its own lock owner, also between distribute instances on one connection. */
    private static final AtomicLong NEXT_OWNER = new AtomicLong(ThreadLocalRandom.current().nextLong());

    /** One name, locked on subvolume {@code subvol}. */
    record Name(int subvol, Gfid dir, String name) {
    }

    private final String owner;
    private final IntFunction<Xlator> subvols;
    private final AtomicBoolean warnedUnsupported = new AtomicBoolean();

    NameLocks(String owner, IntFunction<Xlator> subvols) {
        this.owner = owner;
        this.subvols = subvols;
    }

    /**
     * Runs {@code body} while holding every name in {@code names}, and lets them go however it
     * ends. The body gets the caller as lock owner, for fops that the locks must not block.
     */
    <T> CompletableFuture<T> holding(Caller c, List<Name> names, Function<Caller, CompletableFuture<T>> body) {
        Caller lc = c.withLkOwner(NEXT_OWNER.getAndIncrement());
        List<Name> ordered = names.stream().distinct().sorted(ORDER).toList();
        List<Name> held = new ArrayList<>(ordered.size());
        CompletableFuture<Void> locked = CompletableFuture.completedFuture(null);
        for (Name n : ordered) {
            locked = locked.thenCompose(v -> lock(lc, n).thenAccept(ok -> {
                if (ok) held.add(n);
            }));
        }
        return locked.thenCompose(v -> body.apply(lc)).handle((r, t) -> unlockAll(lc, held).thenCompose(v ->
                t == null ? CompletableFuture.completedFuture(r) : CompletableFuture.<T>failedFuture(t)))
                .thenCompose(Function.identity());
    }

    /** True once held; false if the subvolume has no entry locks (a brick without features/locks). */
    private CompletableFuture<Boolean> lock(Caller lc, Name n) {
        return subvols.apply(n.subvol()).entrylk(lc, DOMAIN, Loc.of(n.dir(), null), n.name(), EntrylkCmd.LOCK, Xdata.EMPTY)
                .handle((d, t) -> {
                    if (t == null) return true;
                    Errno e = FopException.errnoOf(t);
                    if (e != Errno.ENOSYS && e != Errno.ENOTSUP) throw t instanceof CompletionException ce ? ce : new CompletionException(t);
                    if (warnedUnsupported.compareAndSet(false, true)) {
                        LOG.warn("{}: subvolume {} has no entry locks ({}); renames from two clients may interleave. "
                                + "Put features/locks in the brick's graph.", owner, subvols.apply(n.subvol()), e);
                    }
                    return false;
                });
    }

    private CompletableFuture<Void> unlockAll(Caller lc, List<Name> held) {
        CompletableFuture<?>[] unlocks = held.stream().map(n -> subvols.apply(n.subvol())
                .entrylk(lc, DOMAIN, Loc.of(n.dir(), null), n.name(), EntrylkCmd.UNLOCK, Xdata.EMPTY)
                .exceptionally(t -> {
                    // The brick drops a lock with its client's connection; nothing else to do.
                    LOG.debug("{}: unlocking {} failed: {}", owner, n, FopException.errnoOf(t));
                    return null;
                })).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(unlocks);
    }
}
