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

    private final long timeoutNanos;
    private final LongSupplier clock;
    private final Map<Gfid, Map<Caller.Client, Interest>> byInode = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    Interests(long timeoutNanos, LongSupplier clock) {
        this.timeoutNanos = timeoutNanos;
        this.clock = clock;
        this.lastSweep = new AtomicLong(clock.getAsLong());
    }

    /** {@code client} looked at (or changed) {@code gfid} just now. */
    void touched(Gfid gfid, Caller.Client client) {
        if (gfid == null || client == null || gfid.isNull()) return;
        long now = clock.getAsLong();
        byInode.compute(gfid, (g, clients) -> {
            Map<Caller.Client, Interest> m = clients == null ? new HashMap<>(4) : clients;
            Interest i = m.computeIfAbsent(client, c -> new Interest());
            i.lastAccess = now;
            i.notified = 0;
            return m;
        });
        maybeSweep(now);
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
        byInode.computeIfPresent(gfid, (g, clients) -> {
            clients.entrySet().removeIf(e -> {
                Caller.Client c = e.getKey();
                Interest i = e.getValue();
                if (now - i.lastAccess >= timeoutNanos || !c.isConnected()) return true;
                if (c != changer && (flags & ~i.notified) != 0) {
                    i.notified |= flags;
                    out.add(c);
                }
                return false;
            });
            return clients.isEmpty() ? null : clients;
        });
        return out;
    }

    /** Whether a client other than {@code changer} is interested in {@code gfid} and not yet told everything. */
    boolean watchedByOthers(Gfid gfid, Caller.Client changer) {
        if (gfid == null) return false;
        boolean[] found = new boolean[1];
        long now = clock.getAsLong();
        byInode.computeIfPresent(gfid, (g, clients) -> {
            for (Map.Entry<Caller.Client, Interest> e : clients.entrySet()) {
                if (e.getKey() != changer && now - e.getValue().lastAccess < timeoutNanos) found[0] = true;
            }
            return clients;
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
            byInode.computeIfPresent(g, (k, clients) -> {
                clients.entrySet().removeIf(e -> now - e.getValue().lastAccess >= timeoutNanos
                        || !e.getKey().isConnected());
                return clients.isEmpty() ? null : clients;
            });
        }
    }
}
