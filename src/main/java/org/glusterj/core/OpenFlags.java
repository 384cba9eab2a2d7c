package org.glusterj.core;

/**
 * The open(2) flags that fops carry (open, create, and each {@link Fd}'s flags): Linux's values,
 * which the kernel hands to FUSE, the wire carries unchanged and the brick passes to open(2).
 */
public final class OpenFlags {
    public static final int O_ACCMODE = 03;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_DSYNC = 010000;
    public static final int O_DIRECT = 040000;
    /** O_SYNC includes O_DSYNC's bit, as in Linux's headers. */
    public static final int O_SYNC = 04010000;

    private OpenFlags() {
    }
}
