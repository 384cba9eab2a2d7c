package org.glusterj.xlators.storage.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;

/** struct stat as glibc lays it out on x86_64 Linux (144 bytes), decoded. */
final class StatBuf {
    static final int SIZE = 144;

    final long dev;
    final long ino;
    final long nlink;
    final int mode;
    final int uid;
    final int gid;
    final long rdev;
    final long size;
    final int blksize;
    final long blocks;
    final long atimeSec, mtimeSec, ctimeSec;
    final int atimeNsec, mtimeNsec, ctimeNsec;

    StatBuf(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        dev = b.getLong(0);
        ino = b.getLong(8);
        nlink = b.getLong(16);
        mode = b.getInt(24);
        uid = b.getInt(28);
        gid = b.getInt(32);
        rdev = b.getLong(40);
        size = b.getLong(48);
        blksize = (int) b.getLong(56);
        blocks = b.getLong(64);
        atimeSec = b.getLong(72);
        atimeNsec = (int) b.getLong(80);
        mtimeSec = b.getLong(88);
        mtimeNsec = (int) b.getLong(96);
        ctimeSec = b.getLong(104);
        ctimeNsec = (int) b.getLong(112);
    }

    int type() {
        return mode & FileType.S_IFMT;
    }

    boolean isDir() {
        return type() == FileType.S_IFDIR;
    }

    boolean isSymlink() {
        return type() == FileType.S_IFLNK;
    }

    boolean isRegular() {
        return type() == FileType.S_IFREG;
    }

    boolean sameFile(StatBuf o) {
        return o != null && o.dev == dev && o.ino == ino;
    }

    /**
     * The attributes as a brick reports them. Non-directories have one extra hard link, their
     * .glusterfs handle, which is not a name the user made and is not counted.
     */
    Iatt toIatt(Gfid gfid) {
        int links = (int) Math.min(nlink, Integer.MAX_VALUE);
        // Hide our own bookkeeping: a file's handle is a hard link, and the brick root's hidden
        // .glusterfs directory counts as a subdirectory.
        if (!isDir() || gfid.isRoot()) links = Math.max(isDir() ? 2 : 0, links - 1);
        return new Iatt(gfid, mode, links, uid, gid, rdev, size, blocks, blksize,
                atimeSec, atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec);
    }
}
