package org.glusterj.xlators.cluster.dht;

/**
 * Directory offsets handed to the caller embed the subvolume an entry came from, so that a
 * listing resumed at any offset (telldir/seekdir, a later readdir call) continues on the right
 * subvolume at the right place. The scheme is GlusterFS's gf_itransform: offsets that leave room
 * become {@code offset * count + subvol}; larger ones set bit 62 and keep the subvolume in the low
 * bits, which costs their lowest bits (as in GlusterFS, seeking then resumes at a nearby cookie).
 */
public final class DirOffsets {
    private static final long TOP_BIT = 1L << 62;
    private static final long PRESENT_MASK = -1L >>> 1;

    private DirOffsets() {
    }

    /** The offset to hand out for {@code backendOffset} read from subvolume {@code subvol} of {@code count}. */
    public static long encode(long backendOffset, int subvol, int count) {
        check(subvol, count);
        if (backendOffset == -1L) return -1L;
        if (backendOffset == 0) return 0;
        if (count == 1) return backendOffset;
        int bits = bitsFor(count);
        long hiMask = ~(PRESENT_MASK >>> (bits + 1));
        if ((backendOffset & hiMask) != 0) {
            long offMask = -1L << bits;
            return TOP_BIT | ((backendOffset >>> 1) & offMask) | subvol;
        }
        return backendOffset * count + subvol;
    }

    /** The subvolume an offset we handed out belongs to (0 for offset 0: listings start there). */
    public static int subvol(long offset, int count) {
        if (count == 1) return 0;
        if ((offset & TOP_BIT) != 0) {
            int idx = (int) (offset & ((1L << bitsFor(count)) - 1));
            if (idx >= count) throw new IllegalArgumentException("directory offset " + Long.toUnsignedString(offset)
                    + " names subvolume " + idx + " of " + count + "; it was not produced by this volume");
            return idx;
        }
        return (int) Long.remainderUnsigned(offset, count);
    }

    /** The subvolume's own offset behind an offset we handed out. */
    public static long backendOffset(long offset, int count) {
        if (count == 1) return offset;
        if ((offset & TOP_BIT) != 0) {
            long offMask = -1L << bitsFor(count);
            return ((offset & ~TOP_BIT) & offMask) << 1;
        }
        return Long.divideUnsigned(offset, count);
    }

    private static int bitsFor(int n) {
        int bits = 0;
        long ctrl = 1;
        while (ctrl < n) {
            ctrl *= 2;
            bits++;
        }
        return bits;
    }

    private static void check(int subvol, int count) {
        if (count < 1 || subvol < 0 || subvol >= count) {
            throw new IllegalArgumentException("subvolume " + subvol + " of " + count);
        }
    }
}
