package org.glusterj.core;

import java.util.Arrays;

/**
 * Who issued a fop: the identity every fop carries down to the brick, where it decides ownership
 * of new files and (later) permission checks. {@code lkOwner} identifies the POSIX lock owner.
 *
 * <p>{@code client} is set only on a brick, by protocol/server: the connection the fop arrived on
 * (GlusterFS's {@code call_stack->client}). It never travels on the wire and is not part of
 * {@link #equals}; features/upcall uses it to tell which client changed what, and to notify others.
 */
public record Caller(int uid, int gid, int[] groups, int pid, long lkOwner, Client client) {
    private static final int[] NO_GROUPS = new int[0];

    /** glusterj's own internal operations (self-heal, rebalance, handshake). */
    public static final Caller ROOT = new Caller(0, 0, NO_GROUPS, 0, 0L);

    /**
     * One client connection as a brick sees it. Implemented by protocol/server; methods may be
     * called from any thread and must not block.
     */
    public interface Client {
        /** The id the client gave in its handshake (for logs; not unique across reconnections). */
        String id();

        /**
         * This connection's name on the brick, unique while it lasts: what {@link Fd#client()} and
         * {@link ClientGoneListener} call it.
         */
        default String key() {
            return id();
        }

        /** False once the connection is gone: whoever remembers this client may forget it. */
        boolean isConnected();

        /** Sends a cache-invalidation notice to this client; does nothing once disconnected. */
        void upcall(Upcall upcall);
    }

    public Caller {
        groups = groups == null ? NO_GROUPS : groups;
    }

    public Caller(int uid, int gid, int[] groups, int pid, long lkOwner) {
        this(uid, gid, groups, pid, lkOwner, null);
    }

    public static Caller of(int uid, int gid, int pid) {
        return new Caller(uid, gid, NO_GROUPS, pid, 0L);
    }

    public Caller withLkOwner(long owner) {
        return new Caller(uid, gid, groups, pid, owner, client);
    }

    /** The same identity, marked as coming from {@code from} (protocol/server does this). */
    public Caller withClient(Client from) {
        return new Caller(uid, gid, groups, pid, lkOwner, from);
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
                + ", pid=" + pid + ", lkOwner=" + lkOwner + (client == null ? "" : ", client=" + client.id()) + "]";
    }
}
