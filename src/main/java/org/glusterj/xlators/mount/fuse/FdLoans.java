package org.glusterj.xlators.mount.fuse;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.glusterj.core.Fd;
import org.glusterj.core.FdTable;

/**
 * Open fds lent to a request that is not their own, and the releases held back until they are
 * given back.
 *
 * <p>Why: the kernel never sends a request on a handle after its RELEASE, and the whole graph
 * relies on that (protocol/client forgets the remote fd at release, the brick closes the native
 * descriptor). A GETATTR without a handle that the bridge answers with another request's open fd
 * (fstat of a file whose name another client removed) has no such guarantee: that fd's RELEASE
 * may arrive on another thread while the borrowed fstat is on its way down, which then failed with
 * EBADF (or raced the brick's close). A release of a lent fd is therefore done by whoever gives
 * it back last.
 */
final class FdLoans {
    private final Map<Fd, Integer> lent = new HashMap<>(); // guarded by this
    private final Set<Fd> releasedWhileLent = new HashSet<>(); // guarded by this

    /**
     * Lends the first open fd of {@code table} that {@code wanted} accepts, or returns null. The
     * table is read under this object's lock, which {@link #releasing} takes too: a release either
     * removed the fd from the table before (so it is not lent) or sees the loan (so it waits).
     */
    synchronized Fd borrow(FdTable table, Predicate<Fd> wanted) {
        for (Fd fd : table.openFds()) {
            if (wanted.test(fd)) {
                lent.merge(fd, 1, Integer::sum);
                return fd;
            }
        }
        return null;
    }

    /**
     * Called after the fd was removed from the table: true if it may be released now, false if it
     * is lent, in which case the last {@link #giveBack} says to release it.
     */
    synchronized boolean releasing(Fd fd) {
        if (!lent.containsKey(fd)) return true;
        releasedWhileLent.add(fd);
        return false;
    }

    /** Ends one loan: true if the fd's release was held back for it and is now the caller's to do. */
    synchronized boolean giveBack(Fd fd) {
        Integer n = lent.get(fd);
        if (n == null) throw new IllegalStateException(fd + " was not lent");
        if (n > 1) {
            lent.put(fd, n - 1);
            return false;
        }
        lent.remove(fd);
        return releasedWhileLent.remove(fd);
    }

    /** For tests: how many fds are lent now. */
    synchronized int lentCount() {
        return lent.size();
    }
}
