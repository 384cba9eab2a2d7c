package org.glusterj.xlators.features.upcall;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.glusterj.core.Caller;
import org.glusterj.core.Gfid;

/**
 * Which clients looked at which inode, and when (GlusterFS upcall's per-inode client list). An
 * interest lasts {@code timeoutNanos} after the client's last access; expired interests and those
 * of disconnected clients are swept out at most once per timeout, so memory stays bounded by what
 * clients touched within the timeout.
 *
 * <p>A client already told about a kind of change is not told again until it touches the inode
 * once more: its caches dropped the inode and can only hold it again after asking the brick.
 */
final class Interests {
    /** One client's interest in one inode. Guarded by the map bin of its inode (all access goes through compute). */
    private static final class Interest {
        long lastAccess;
        /** Upcall flags sent since the last access. */
        int notified;
    }

    /**
     * The clients interested in one inode, and its last changes. Guarded by the inode's map bin.
     * A look whose reply was read before a change but records its interest after it (a lookup by
     * name learns the gfid only from the reply) missed that change's notice; the change
     * sequence numbers let it find out ({@link #lookedAt}).
     */
    private static final class Watchers {
        final Map<Caller.Client, Interest> clients = new HashMap<>(4);
        /** Sequence number of the last change, and who made it. */
        long lastChange;
        Caller.Client lastChanger;
        /** Sequence number of the last change by someone other than {@link #lastChanger}. */
        long lastChangeByAnother;
    }

    private final long timeoutNanos;
    private final LongSupplier clock;
    private final Map<Gfid, Watchers> byInode = new ConcurrentHashMap<>();
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong lastSweep;

    Interests(long timeoutNanos, LongSupplier clock) {
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
        this.lastSweep = new AtomicLong(clock.getAsLong());
    }

    /** Taken when a fop that looks is wound, handed to {@link #lookedAt} with its reply. */
    long sequence() {
        return changes.get();
    }

    /** {@code client} looked at (or changed) {@code gfid} just now. */
    void touched(Gfid gfid, Caller.Client client) {
        lookedAt(gfid, client, Long.MAX_VALUE);
    }

    /**
     * {@code client} looked at {@code gfid} with a fop wound at {@link #sequence} {@code since}.
     * Returns whether another client changed the inode since then: the reply may predate that
     * change, whose notice this client may not have had (it was not yet interested, or had been
     * told already), so it must be told now, before the reply leaves.
     */
    boolean lookedAt(Gfid gfid, Caller.Client client, long since) {
        if (gfid == null || client == null || gfid.isNull()) return false;
        long now = clock.getAsLong();
        boolean[] missed = new boolean[1];
        byInode.compute(gfid, (g, w) -> {
            Watchers m = w == null ? new Watchers() : w;
            Interest i = m.clients.computeIfAbsent(client, c -> new Interest());
            i.lastAccess = now;
            i.notified = 0;
            long byOthers = m.lastChanger == client ? m.lastChangeByAnother : m.lastChange;
            missed[0] = byOthers > since;
            return m;
        });
        maybeSweep(now);
        return missed[0];
    }

    /**
     * The clients other than {@code changer} to tell that {@code gfid} changed in the ways of
     * {@code flags}: those still interested, connected, and not yet told about these changes.
     * Marks them as told.
     */
    List<Caller.Client> toNotify(Gfid gfid, Caller.Client changer, int flags) {
        if (gfid == null) return List.of();
        List<Caller.Client> out = new ArrayList<>(2);
        long now = clock.getAsLong();
        long change = changes.incrementAndGet();
        byInode.compute(gfid, (g, w) -> {
            Watchers m = w == null ? new Watchers() : w;
            if (m.lastChanger != changer) m.lastChangeByAnother = m.lastChange;
            m.lastChange = change;
            m.lastChanger = changer;
            m.clients.entrySet().removeIf(e -> {
                Caller.Client c = e.getKey();
                Interest i = e.getValue();
                if (now - i.lastAccess >= timeoutNanos || !c.isConnected()) return true;
                if (c != changer && (flags & ~i.notified) != 0) {
                    i.notified |= flags;
                    out.add(c);
                }
                return false;
            });
            // Kept even without clients: a look in flight must still find this change.
            return m;
        });
        return out;
    }

    /** Whether a client other than {@code changer} is interested in {@code gfid} and not yet told everything. */
    boolean watchedByOthers(Gfid gfid, Caller.Client changer) {
        if (gfid == null) return false;
        boolean[] found = new boolean[1];
        long now = clock.getAsLong();
        byInode.computeIfPresent(gfid, (g, w) -> {
            for (Map.Entry<Caller.Client, Interest> e : w.clients.entrySet()) {
                if (e.getKey() != changer && now - e.getValue().lastAccess < timeoutNanos) found[0] = true;
            }
            return w;
        });
        return found[0];
    }

    /** Inodes with at least one interested client (for tests and diagnostics). */
    int inodes() {
        return byInode.size();
    }

    private void maybeSweep(long now) {
        long last = lastSweep.get();
        if (now - last < timeoutNanos || !lastSweep.compareAndSet(last, now)) return;
        sweep(now);
    }

    /** Drops expired interests and those of clients that went away. */
    void sweep(long now) {
        for (Gfid g : byInode.keySet()) {
            byInode.computeIfPresent(g, (k, w) -> {
                w.clients.entrySet().removeIf(e -> now - e.getValue().lastAccess >= timeoutNanos
                        || !e.getKey().isConnected());
                return w.clients.isEmpty() ? null : w;
            });
        }
    }
}
