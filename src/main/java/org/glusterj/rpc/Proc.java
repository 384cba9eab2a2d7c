package org.glusterj.rpc;

/**
 * RPC procedures: one per fop of {@link org.glusterj.core.Xlator}, plus connection management.
 * The numbers travel on the wire and must never be reused for another meaning.
 */
public enum Proc {
    HANDSHAKE(1), PING(2), RELEASE(3), RELEASEDIR(4),
    /** Server to client only, as a NOTIFY frame: cache invalidation (see {@link RpcCodec}). */
    UPCALL(5),

    LOOKUP(10), STAT(11), FSTAT(12), ACCESS(13), READLINK(14), MKNOD(15), MKDIR(16), UNLINK(17),
    RMDIR(18), SYMLINK(19), RENAME(20), LINK(21), TRUNCATE(22), FTRUNCATE(23), SETATTR(24),
    FSETATTR(25), STATFS(26),

    OPEN(30), CREATE(31), READV(32), WRITEV(33), FLUSH(34), FSYNC(35), FALLOCATE(36), DISCARD(37),
    ZEROFILL(38), SEEK(39), LK(40), ENTRYLK(41),

    OPENDIR(50), READDIR(51), READDIRP(52), FSYNCDIR(53),

    GETXATTR(60), FGETXATTR(61), SETXATTR(62), FSETXATTR(63), REMOVEXATTR(64), FREMOVEXATTR(65);

    private static final Proc[] BY_CODE = new Proc[128];

    static {
        for (Proc p : values()) BY_CODE[p.code] = p;
    }

    public final int code;

    Proc(int code) {
        this.code = code;
    }

    /** The procedure for a wire number, or null if this version does not know it. */
    public static Proc of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Calls that the server does not answer. */
    public boolean isOneWay() {
        return this == RELEASE || this == RELEASEDIR;
    }
}
