package org.glusterj.xlators.storage.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.glusterj.core.Statvfs;

/** struct statvfs as glibc lays it out on x86_64 Linux (112 bytes). */
final class StatvfsBuf {
    static final int SIZE = 112;

    private StatvfsBuf() {
    }

    static Statvfs of(int fd) {
        byte[] raw = new byte[SIZE];
        Sys.check(Sys.C.fstatvfs(fd, raw), "statvfs");
        return decode(raw);
    }

    static Statvfs decode(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return new Statvfs(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32),
                b.getLong(40), b.getLong(48), b.getLong(56), b.getLong(64), b.getLong(72), b.getLong(80));
    }
}
