package org.glusterj.core;

/**
 * Attributes of a file as a brick reports them (GlusterFS iatt). {@code mode} includes the file
 * type bits. Times are seconds plus nanoseconds.
 */
public record Iatt(
        Gfid gfid,
        int mode,
        int nlink,
        int uid,
        int gid,
        long rdev,
        long size,
        long blocks,
        int blksize,
        long atimeSec, int atimeNsec,
        long mtimeSec, int mtimeNsec,
        long ctimeSec, int ctimeNsec) {

    public int type() {
        return mode & FileType.S_IFMT;
    }

    public boolean isDirectory() {
        return type() == FileType.S_IFDIR;
    }

    public boolean isRegular() {
        return type() == FileType.S_IFREG;
    }

    public boolean isSymlink() {
        return type() == FileType.S_IFLNK;
    }

    public long ino() {
        return gfid.ino();
    }

    public Iatt withSize(long newSize) {
        return new Iatt(gfid, mode, nlink, uid, gid, rdev, newSize, blocks, blksize,
                atimeSec, atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec);
    }

    public Iatt withNlink(int newNlink) {
        return new Iatt(gfid, mode, newNlink, uid, gid, rdev, size, blocks, blksize,
                atimeSec, atimeNsec, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec);
    }
}
