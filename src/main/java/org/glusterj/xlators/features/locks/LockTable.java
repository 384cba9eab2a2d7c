package org.glusterj.xlators.features.locks;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.Flock;
import org.glusterj.core.FopException;

/**
 * The byte-range locks of one inode in one lock domain (fcntl or flock), as the kernel keeps them
 * for a local file: locks of one owner merge, split and convert between read and write; only
 * locks of different owners conflict. A blocking request that conflicts waits in a FIFO queue as
 * a future (no thread waits); whenever locks go away the queue is scanned in order and every
 * request that no longer conflicts is granted.
 *
 * <p>Futures are completed after this table's monitor is released.
 */
final class LockTable {
    private final List<PosixLock> granted = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();

    private record Waiter(PosixLock request, CompletableFuture<PosixLock> future) {
    }

    /** F_GETLK: the first granted lock that would block {@code request}, or null if none would. */
    synchronized PosixLock firstConflict(PosixLock request) {
        for (PosixLock l : granted) {
            if (l.conflictsWith(request)) return l;
        }
        return null;
    }

    /**
     * F_SETLK ({@code block} false) or F_SETLKW: applies the request (F_UNLCK included) and returns
     * what was granted. A conflicting request fails with EAGAIN, or with {@code block} returns a
     * future that completes when it is granted or cancelled.
     */
    CompletableFuture<PosixLock> lock(PosixLock request, boolean block) {
        List<Runnable> wake;
        CompletableFuture<PosixLock> result;
        synchronized (this) {
            if (request.type() != Flock.F_UNLCK && firstConflict(request) != null) {
                if (!block) {
                    return CompletableFuture.failedFuture(new FopException(Errno.EAGAIN,
                            "range held by another owner: " + firstConflict(request)));
                }
                Waiter w = new Waiter(request, new CompletableFuture<>());
                waiters.add(w);
                return w.future;
            }
            apply(request);
            result = CompletableFuture.completedFuture(request);
            // An unlock, or a write lock converted to read or shrunk, may let waiters in.
            wake = grantWaiters();
        }
        wake.forEach(Runnable::run);
        return result;
    }

    /**
     * Cancels the waiting requests of {@code owner} for exactly this type and range (a FUSE
     * interrupt of the process blocked in F_SETLKW): they fail with EINTR. Returns how many.
     */
    int cancel(PosixLock request) {
        return failWaiters(w -> w.owner().equals(request.owner()) && w.type() == request.type()
                && w.start() == request.start() && w.end() == request.end(), Errno.EINTR, "lock wait cancelled");
    }

    /** The fd was closed: locks taken through it go, its waiters fail with EBADF. */
    void releaseFd(Fd fd) {
        failWaiters(w -> w.fd() == fd, Errno.EBADF, "fd released while waiting for a lock");
        removeGranted(l -> l.fd() == fd);
    }

    /** The client's connection ended: all its locks go, its waiters fail with ENOTCONN. */
    void releaseClient(String client) {
        failWaiters(w -> w.owner().client().equals(client), Errno.ENOTCONN, "client disconnected");
        removeGranted(l -> l.owner().client().equals(client));
    }

    synchronized boolean isEmpty() {
        return granted.isEmpty() && waiters.isEmpty();
    }

    synchronized List<PosixLock> grantedLocks() {
        return List.copyOf(granted);
    }

    synchronized int waiting() {
        return waiters.size();
    }

    private void removeGranted(Predicate<PosixLock> which) {
        List<Runnable> wake;
        synchronized (this) {
            if (!granted.removeIf(which)) return;
            wake = grantWaiters();
        }
        wake.forEach(Runnable::run);
    }

    private int failWaiters(Predicate<PosixLock> which, Errno errno, String why) {
        List<Waiter> failed = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (which.test(w.request)) {
                    it.remove();
                    failed.add(w);
                }
            }
        }
        for (Waiter w : failed) w.future.completeExceptionally(new FopException(errno, why + ": " + w.request));
        return failed.size();
    }

    /** Grants, in queue order, every waiting request that no longer conflicts. Caller holds the monitor. */
    private List<Runnable> grantWaiters() {
        List<Runnable> wake = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (firstConflict(w.request) != null) continue;
            it.remove();
            apply(w.request);
            wake.add(() -> w.future.complete(w.request));
        }
        return wake;
    }

    /**
     * Makes {@code request} the owner's state over its range: the owner's locks there are cut out
     * (split when the range falls inside one), then the new lock is added and merged with the
     * owner's adjacent locks of the same type. Caller holds the monitor.
     */
    private void apply(PosixLock request) {
        List<PosixLock> kept = new ArrayList<>();
        for (Iterator<PosixLock> it = granted.iterator(); it.hasNext(); ) {
            PosixLock l = it.next();
            if (!l.owner().equals(request.owner()) || !l.overlaps(request.start(), request.end())) continue;
            it.remove();
            if (l.start() < request.start()) kept.add(l.withRange(l.start(), request.start() - 1));
            if (l.end() > request.end()) kept.add(l.withRange(request.end() + 1, l.end()));
        }
        granted.addAll(kept);
        if (request.type() == Flock.F_UNLCK) return;
        long start = request.start();
        long end = request.end();
        for (Iterator<PosixLock> it = granted.iterator(); it.hasNext(); ) {
            PosixLock l = it.next();
            if (!l.owner().equals(request.owner()) || l.type() != request.type()) continue;
            boolean touchesBefore = l.end() != PosixLock.TO_EOF && l.end() + 1 == start;
            boolean touchesAfter = end != PosixLock.TO_EOF && end + 1 == l.start();
            if (touchesBefore || touchesAfter) {
                it.remove();
                start = Math.min(start, l.start());
                end = Math.max(end, l.end());
            }
        }
        granted.add(request.withRange(start, end));
    }
}
