package org.glusterj.core;

import java.util.concurrent.atomic.AtomicLong;

/** An object known to this process, identified by its gfid, with per-xlator context slots. */
public final class Inode extends ContextSlots {
    private final Gfid gfid;
    private volatile int type;
    private final AtomicLong nlookup = new AtomicLong();

    public Inode(Gfid gfid, int type) {
        this.gfid = gfid;
        this.type = type & FileType.S_IFMT;
    }

    public Gfid gfid() {
        return gfid;
    }

    /** The S_IFMT bits, or 0 while unknown. */
    public int type() {
        return type;
    }

    public void setType(int mode) {
        this.type = mode & FileType.S_IFMT;
    }

    public boolean isDirectory() {
        return type == FileType.S_IFDIR;
    }

    public long nlookup() {
        return nlookup.get();
    }

    public long lookedUp() {
        return nlookup.incrementAndGet();
    }

    public long forgotten(long n) {
        return nlookup.addAndGet(-n);
    }

    @Override
    public String toString() {
        return "Inode[" + gfid + "]";
    }
}
