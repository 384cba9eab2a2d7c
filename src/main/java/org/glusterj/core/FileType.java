package org.glusterj.core;

/** The S_IFMT part of st_mode. */
public final class FileType {
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    /** Permission and set-id/sticky bits. */
    public static final int PERM_MASK = 07777;

    /** DT_* values used in directory entries. */
    public static int direntType(int mode) {
        return (mode & S_IFMT) >>> 12;
    }

    private FileType() {
    }
}
