package org.glusterj.xlators.features.locks;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.glusterj.core.Done;
import org.glusterj.core.Errno;
import org.glusterj.core.Gfid;

/**
 * Exclusive locks on directory entries (GlusterFS's entrylk with ENTRYLK_WRLCK) by lock domain,
 * directory and name. A blocked request waits as a future in a FIFO queue, so no brick thread
 * blocks; futures are completed outside the monitor, so a granted caller's continuation never runs
 * while the table is locked.
 */
final class EntryLocks {
    record Name(String domain, Gfid dir, String name) {
    }

    private record Waiter(LockOwner owner, CompletableFuture<Done> granted) {
    }

    private static final class Held {
        LockOwner owner;
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>(2);

        Held(LockOwner owner) {
            this.owner = owner;
        }
    }

    private final Map<Name, Held> held = new HashMap<>();

    /**
     * Grants the lock at once, queues the request ({@code wait}), or fails with EAGAIN. The holder
     * asking again gets it at once; one unlock lets it go.
     */
    CompletableFuture<Done> lock(Name name, LockOwner owner, boolean wait) {
        synchronized (this) {
            Held h = held.get(name);
            if (h == null) {
                held.put(name, new Held(owner));
            } else if (!h.owner.equals(owner)) {
                if (!wait) return CompletableFuture.failedFuture(Errno.EAGAIN.exception(name + " is locked"));
                CompletableFuture<Done> granted = new CompletableFuture<>();
                h.waiters.add(new Waiter(owner, granted));
                return granted;
            }
        }
        return CompletableFuture.completedFuture(Done.OK);
    }

    /** Lets the lock go to the next waiter; EINVAL if {@code owner} does not hold it. */
    CompletableFuture<Done> unlock(Name name, LockOwner owner) {
        Waiter next;
        synchronized (this) {
            Held h = held.get(name);
            if (h == null || !h.owner.equals(owner)) {
                return CompletableFuture.failedFuture(Errno.EINVAL.exception(name + " is not locked by " + owner));
            }
            next = handOver(name, h);
        }
        if (next != null) next.granted.complete(Done.OK);
        return CompletableFuture.completedFuture(Done.OK);
    }

    /** Drops a departed client's locks and requests; their names go to the next waiters. */
    void releaseClient(String client) {
        List<Waiter> granted = new ArrayList<>();
        List<Waiter> dropped = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Map.Entry<Name, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Name, Held> e = it.next();
                Held h = e.getValue();
                h.waiters.removeIf(w -> w.owner.client().equals(client) && dropped.add(w));
                if (!h.owner.client().equals(client)) continue;
                Waiter next = h.waiters.poll();
                if (next == null) {
                    it.remove();
                } else {
                    h.owner = next.owner;
                    granted.add(next);
                }
            }
        }
        for (Waiter w : dropped) w.granted.completeExceptionally(Errno.ENOTCONN.exception("client " + client + " is gone"));
        for (Waiter w : granted) w.granted.complete(Done.OK);
    }

    private Waiter handOver(Name name, Held h) {
        Waiter next = h.waiters.poll();
        if (next == null) held.remove(name);
        else h.owner = next.owner;
        return next;
    }

    synchronized boolean isEmpty() {
        return held.isEmpty();
    }
}
