package org.glusterj.xlators.storage.posix;

import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;

/**
 * An object found on the brick, addressed as {@code name} inside the directory open as
 * {@code dirFd} ("." when the fd is the object itself, as for directories resolved by gfid), so
 * that every later call is an *at call that cannot wander elsewhere. Closing closes the fd when
 * this Obj owns it.
 */
final class Obj implements AutoCloseable {
    final int dirFd;
    final String name;
    final StatBuf stat;
    final Gfid gfid;
    private final boolean ownsFd;

    Obj(int dirFd, boolean ownsFd, String name, StatBuf stat, Gfid gfid) {
        this.dirFd = dirFd;
        this.ownsFd = ownsFd;
        this.name = name;
        this.stat = stat;
        this.gfid = gfid;
    }

    boolean isDir() {
        return stat.isDir();
    }

    /** A path for the calls that have no *at form (xattrs), pinned to our directory fd. */
    String procPath() {
        return Sys.procPath(dirFd, name);
    }

    Iatt iatt() {
        return stat.toIatt(gfid);
    }

    /** Fresh attributes of the same object. */
    Iatt restat() {
        return Sys.fstatat(dirFd, name).toIatt(gfid);
    }

    @Override
    public void close() {
        if (ownsFd) Sys.closeQuietly(dirFd);
    }
}
