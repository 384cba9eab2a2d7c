package org.glusterj.core;

import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The identity of a file or directory across all bricks: a 128-bit UUID chosen by the client. */
public record Gfid(long msb, long lsb) {
    public static final Gfid ROOT = new Gfid(0L, 1L);
    public static final Gfid NULL = new Gfid(0L, 0L);

    /** A new random (version 4) gfid. */
    public static Gfid random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new Gfid(msb, lsb);
    }

    public static Gfid parse(String canonical) {
        UUID u = UUID.fromString(canonical);
        return new Gfid(u.getMostSignificantBits(), u.getLeastSignificantBits());
    }

    public static Gfid fromBytes(byte[] b) {
        if (b == null || b.length != 16) {
            throw new IllegalArgumentException("a gfid is 16 bytes, got " + (b == null ? "null" : b.length));
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        return new Gfid(bb.getLong(), bb.getLong());
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(16).putLong(msb).putLong(lsb).array();
    }

    public boolean isRoot() {
        return msb == 0L && lsb == 1L;
    }

    public boolean isNull() {
        return msb == 0L && lsb == 0L;
    }

    /** The inode number shown to applications: GlusterFS also derives it from the gfid's last 8 bytes. */
    public long ino() {
        return isRoot() ? 1L : lsb;
    }

    @Override
    public String toString() {
        return new UUID(msb, lsb).toString();
    }
}
