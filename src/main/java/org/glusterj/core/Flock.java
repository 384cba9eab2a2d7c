package org.glusterj.core;

/**
 * A POSIX byte-range lock request or answer (struct flock plus the lock owner). {@code type}
 * is F_RDLCK 0, F_WRLCK 1 or F_UNLCK 2; {@code len} 0 means to end of file.
 */
public record Flock(int type, int whence, long start, long len, int pid, long owner) {
    public static final int F_RDLCK = 0;
    public static final int F_WRLCK = 1;
    public static final int F_UNLCK = 2;

    /** lk commands, as fcntl(2) numbers them on Linux x86_64. */
    public static final int F_GETLK = 5;
    public static final int F_SETLK = 6;
    public static final int F_SETLKW = 7;
}
