package org.glusterj.xlators.debug;

import java.util.Locale;

/** The fops and callbacks the debug xlators count, named as GlusterFS's profile output names them. */
public enum Fop {
    LOOKUP, STAT, FSTAT, ACCESS, READLINK, MKNOD, MKDIR, UNLINK, RMDIR, SYMLINK, RENAME, LINK, TRUNCATE,
    FTRUNCATE, SETATTR, FSETATTR, STATFS, OPEN, CREATE, READ, WRITE, FLUSH, FSYNC, FALLOCATE, DISCARD,
    ZEROFILL, SEEK, LK, OPENDIR, READDIR, READDIRP, FSYNCDIR, GETXATTR, FGETXATTR, SETXATTR, FSETXATTR,
    REMOVEXATTR, FREMOVEXATTR, RELEASE, RELEASEDIR, FORGET;

    private final String lower = name().toLowerCase(Locale.ROOT);

    /** The name as volfile options list it ({@code include-ops read,write}). */
    public String lowerName() {
        return lower;
    }

    /** Accepts GlusterFS's names too ({@code readv}, {@code writev}); null if none matches. */
    public static Fop byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("readv")) return READ;
        if (n.equals("writev")) return WRITE;
        for (Fop f : values()) if (f.lower.equals(n)) return f;
        return null;
    }
}
