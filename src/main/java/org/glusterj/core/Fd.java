package org.glusterj.core;

/**
 * An open file or directory (GlusterFS fd_t). The opener creates it and passes it to open,
 * create or opendir; each xlator keeps its own state for it in a context slot; release or
 * releasedir ends it.
 */
public final class Fd extends ContextSlots {
    private final Inode inode;
    private final int flags;
    private final int pid;
    private final String client;

    public Fd(Inode inode, int flags, int pid) {
        this(inode, flags, pid, null);
    }

    /**
     * @param client on a brick, the client connection the fd was opened for (GlusterFS client_t),
     *               so that per-client state such as lock owners can be told apart; null elsewhere
     */
    public Fd(Inode inode, int flags, int pid, String client) {
        this.inode = inode;
        this.flags = flags;
        this.pid = pid;
        this.client = client;
    }

    public Inode inode() {
        return inode;
    }

    public Gfid gfid() {
        return inode.gfid();
    }

    /** The open(2) flags. */
    public int flags() {
        return flags;
    }

    public int pid() {
        return pid;
    }

    /** The brick-side client connection this fd belongs to, or null outside a brick. */
    public String client() {
        return client;
    }

    @Override
    public String toString() {
        return "Fd[" + inode.gfid() + ", flags=0" + Integer.toOctalString(flags) + "]";
    }
}
