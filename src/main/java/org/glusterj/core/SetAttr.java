package org.glusterj.core;

/**
 * What a setattr changes. {@code valid} is a mask of the {@code MODE..MTIME} bits; times may use
 * {@link #UTIME_NOW} or {@link #UTIME_OMIT} in their nanoseconds as utimensat(2) does, so that
 * "now" is the brick's clock.
 */
public record SetAttr(int valid, int mode, int uid, int gid,
                      long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec) {
    public static final int MODE = 0x1;
    public static final int UID = 0x2;
    public static final int GID = 0x4;
    public static final int ATIME = 0x10;
    public static final int MTIME = 0x20;

    public static final int UTIME_NOW = (1 << 30) - 1;
    public static final int UTIME_OMIT = (1 << 30) - 2;

    public static SetAttr mode(int mode) {
        return new SetAttr(MODE, mode, -1, -1, 0, UTIME_OMIT, 0, UTIME_OMIT);
    }

    /** uid or gid of -1 leaves that one unchanged, as chown(2) does. */
    public static SetAttr owner(int uid, int gid) {
        int valid = (uid != -1 ? UID : 0) | (gid != -1 ? GID : 0);
        return new SetAttr(valid, 0, uid, gid, 0, UTIME_OMIT, 0, UTIME_OMIT);
    }

    public static SetAttr times(long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec) {
        int valid = (atimeNsec != UTIME_OMIT ? ATIME : 0) | (mtimeNsec != UTIME_OMIT ? MTIME : 0);
        return new SetAttr(valid, 0, -1, -1, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
    }

    public boolean has(int bit) {
        return (valid & bit) != 0;
    }
}
