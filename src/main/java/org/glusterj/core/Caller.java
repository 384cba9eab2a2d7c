package org.glusterj.core;

import java.util.Arrays;

/**
 * Who issued a fop: the identity every fop carries down to the brick, where it decides ownership
 * of new files and (later) permission checks. {@code lkOwner} identifies the POSIX lock owner.
 */
public record Caller(int uid, int gid, int[] groups, int pid, long lkOwner) {
    private static final int[] NO_GROUPS = new int[0];

    /** glusterj's own internal operations (self-heal, rebalance, handshake). */
    public static final Caller ROOT = new Caller(0, 0, NO_GROUPS, 0, 0L);

    public Caller {
        groups = groups == null ? NO_GROUPS : groups;
    }

    public static Caller of(int uid, int gid, int pid) {
        return new Caller(uid, gid, NO_GROUPS, pid, 0L);
    }

    public Caller withLkOwner(long owner) {
        return new Caller(uid, gid, groups, pid, owner);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Caller c && c.uid == uid && c.gid == gid && c.pid == pid
                && c.lkOwner == lkOwner && Arrays.equals(c.groups, groups);
    }

    @Override
    public int hashCode() {
        return (31 * uid + gid) * 31 + pid;
    }

    @Override
    public String toString() {
        return "Caller[uid=" + uid + ", gid=" + gid + ", groups=" + Arrays.toString(groups)
                + ", pid=" + pid + ", lkOwner=" + lkOwner + "]";
    }
}
