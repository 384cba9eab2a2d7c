package org.glusterj.core;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Maps the kernel's file handles ({@code fh}) to open {@link Fd}s. Handles are handed out from a
 * monotonic counter, so a handle is never reused while (or after) the file it named was open: a
 * late or duplicated release can never close somebody else's file.
 */
public final class FdTable {
    private final ConcurrentHashMap<Long, Fd> open = new ConcurrentHashMap<>();
    // 0 is what an unset fi->fh holds, so the first handle is 1.
    private final AtomicLong nextHandle = new AtomicLong(1);

    /** Registers an open fd and returns its new handle. */
    public long add(Fd fd) {
        if (fd == null) throw new IllegalArgumentException("fd must not be null");
        long fh = nextHandle.getAndIncrement();
        open.put(fh, fd);
        return fh;
    }

    /** The fd for a handle; fails with EBADF if the handle is unknown or already released. */
    public Fd get(long fh) {
        Fd fd = open.get(fh);
        if (fd == null) throw Errno.EBADF.exception("no open file has handle " + fh);
        return fd;
    }

    /** The fd for a handle, or null. */
    public Fd find(long fh) {
        return open.get(fh);
    }

    /** Forgets a handle and returns its fd, or null if it was not open (a second release). */
    public Fd remove(long fh) {
        return open.remove(fh);
    }

    public int size() {
        return open.size();
    }

    /** A snapshot of the open fds, e.g. to release them all at unmount. */
    public List<Fd> openFds() {
        return List.copyOf(open.values());
    }

    /** Removes and returns every open fd. */
    public List<Fd> drain() {
        List<Fd> out = new java.util.ArrayList<>();
        for (Long fh : List.copyOf(open.keySet())) {
            Fd fd = open.remove(fh);
            if (fd != null) out.add(fd);
        }
        return out;
    }
}
