package org.glusterj.core;

/**
 * A change another client made, reported by a brick's features/upcall (GlusterFS's cache
 * invalidation): caches above drop what they hold for {@code gfid}. It travels up the client
 * graph from protocol/client through {@link Xlator#upcall}.
 *
 * @param gfid  the inode that changed
 * @param flags what changed, a mask of the constants below
 * @param stat  the inode's attributes after the change, or null when unknown
 */
public record Upcall(Gfid gfid, int flags, Iatt stat) {
    /** Attributes (mode, owner, times, size). */
    public static final int ATTR = 1;
    /** File content. */
    public static final int DATA = 1 << 1;
    /** Extended attributes. */
    public static final int XATTR = 1 << 2;
    /** Directory entries: a name was added, removed or renamed under this directory. */
    public static final int ENTRIES = 1 << 3;
    /** The inode was unlinked or removed (its last name went away). */
    public static final int GONE = 1 << 4;

    /** Every kind of change at once. */
    public static final int ALL = ATTR | DATA | XATTR | ENTRIES | GONE;

    /**
     * A notice about every inode ({@link Gfid#NULL}, all flags): sent up by protocol/client when it
     * reconnects to a brick, since the notices of the time it was away are lost. Caches drop everything.
     */
    public static Upcall everything() {
        return new Upcall(Gfid.NULL, ALL, null);
    }

    /** Whether this is {@link #everything()}: drop all cached state, not one inode's. */
    public boolean isEverything() {
        return Gfid.NULL.equals(gfid);
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
