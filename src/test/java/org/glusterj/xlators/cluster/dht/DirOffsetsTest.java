package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DirOffsetsTest {

    @Test
    void smallOffsetsRoundTripExactly() {
        for (int count = 1; count <= 5; count++) {
            for (int sub = 0; sub < count; sub++) {
                for (long off : new long[] {1, 2, 77, 1L << 40, (1L << 58) + 3}) {
                    long y = DirOffsets.encode(off, sub, count);
                    assertEquals(sub, DirOffsets.subvol(y, count), "subvol of " + off);
                    assertEquals(off, DirOffsets.backendOffset(y, count), "offset " + off);
                }
            }
        }
    }

    @Test
    void smallOffsetsUseGlusterfsArithmetic() {
        assertEquals(7 * 3 + 2, DirOffsets.encode(7, 2, 3));
        assertEquals(12345, DirOffsets.encode(12345, 0, 1));
    }

    @Test
    void zeroAndEndStayPut() {
        assertEquals(0, DirOffsets.encode(0, 1, 2));
        assertEquals(-1L, DirOffsets.encode(-1L, 1, 2));
        assertEquals(0, DirOffsets.subvol(0, 3));
        assertEquals(0, DirOffsets.backendOffset(0, 3));
    }

    @Test
    void hugeOffsetsKeepTheSubvolumeAndAlmostAllBits() {
        // ext4 hash cookies use up to 63 bits: they take the "huge" form.
        long cookie = 0x7abc_def0_1234_5678L;
        for (int count : new int[] {2, 3, 8}) {
            for (int sub = 0; sub < count; sub++) {
                long y = DirOffsets.encode(cookie, sub, count);
                assertTrue((y & (1L << 62)) != 0);
                assertTrue(y > 0, "stays a positive 63-bit offset");
                assertEquals(sub, DirOffsets.subvol(y, count));
                long back = DirOffsets.backendOffset(y, count);
                assertTrue(back <= cookie && cookie - back < 64, "close below the cookie: " + Long.toHexString(back));
            }
        }
    }

    @Test
    void differentSubvolumesGiveDifferentOffsets() {
        assertNotEquals(DirOffsets.encode(10, 0, 2), DirOffsets.encode(10, 1, 2));
        assertNotEquals(DirOffsets.encode(1L << 61, 0, 2), DirOffsets.encode(1L << 61, 1, 2));
    }
}
