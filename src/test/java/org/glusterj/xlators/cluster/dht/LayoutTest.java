package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.glusterj.core.Errno;
import org.glusterj.xlators.cluster.dht.Layout.Entry;
import org.junit.jupiter.api.Test;

class LayoutTest {
    private static final List<String> TWO = List.of("gv0-client-0", "gv0-client-1");
    private static final List<String> THREE = List.of("gv0-client-0", "gv0-client-1", "gv0-client-2");

    @Test
    void twoBricksSplitAsLiveGlusterfsDoes() {
        Layout l = Layout.fresh(TWO, List.of(true, true), 0, 0);
        assertEquals(Entry.range(0, 0x7ffffffeL, 0), l.entry(0));
        assertEquals(Entry.range(0x7fffffffL, 0xffffffffL, 0), l.entry(1));
    }

    @Test
    void rotationStartsAtPathHashModCount() {
        Layout odd = Layout.fresh(TWO, List.of(true, true), 1, 0);
        assertEquals(Entry.range(0, 0x7ffffffeL, 0), odd.entry(1));
        assertEquals(Entry.range(0x7fffffffL, 0xffffffffL, 0), odd.entry(0));

        Layout three = Layout.fresh(THREE, List.of(true, true, true), 5, 0); // 5 mod 3 = 2
        assertEquals(Entry.range(0, 0x55555554L, 0), three.entry(2));
        assertEquals(Entry.range(0x55555555L, 0xaaaaaaa9L, 0), three.entry(0));
        assertEquals(Entry.range(0xaaaaaaaaL, 0xffffffffL, 0), three.entry(1));
        assertFalse(three.anomalies().rangesBroken());
    }

    @Test
    void rotationHashIsUnsigned() {
        // 0xffffffff mod 3 = 0 as an unsigned value; as a signed int it would be -1.
        Layout l = Layout.fresh(THREE, List.of(true, true, true), 0xffffffff, 0);
        assertEquals(0, l.entry(0).start());
    }

    @Test
    void subvolumesAreOrderedByNameAsStrcmpDoes() {
        // "c-10" sorts before "c-2", so with rotation 0 the subvolume named c-10 (index 1) starts at 0.
        Layout l = Layout.fresh(List.of("c-2", "c-10"), List.of(true, true), 0, 0);
        assertEquals(0, l.entry(1).start());
        assertEquals(0xffffffffL, l.entry(0).stop());
    }

    @Test
    void unusableSubvolumesGetNoRange() {
        Layout l = Layout.fresh(THREE, List.of(true, false, true), 0, 7);
        assertFalse(l.entry(1).participates());
        assertEquals(Entry.range(0, 0x7ffffffeL, 7), l.entry(0));
        assertEquals(Entry.range(0x7fffffffL, 0xffffffffL, 7), l.entry(2));
        assertEquals(7, l.commitHash());
    }

    @Test
    void findsTheSubvolumeHoldingAHash() {
        Layout l = Layout.fresh(TWO, List.of(true, true), 0, 0);
        assertEquals(0, l.subvolFor(0));
        assertEquals(0, l.subvolFor(0x7ffffffe));
        assertEquals(1, l.subvolFor(0x7fffffff));
        assertEquals(1, l.subvolFor(0xffffffff));
        assertEquals(0, l.subvolFor(DmHash.hash("a.txt"))); // 0x3e99171a
        assertEquals(1, l.subvolFor(DmHash.hash("x")));     // 0xba644973
    }

    @Test
    void encodesAsFourBigEndianWords() {
        byte[] disk = Layout.encode(Entry.range(0x7fffffffL, 0xffffffffL, 0x01020304));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 0, 0, 0, 0, 0x7f, -1, -1, -1, -1, -1, -1, -1}, disk);
        assertEquals(Entry.range(0x7fffffffL, 0xffffffffL, 0x01020304), Layout.decode(disk));
    }

    @Test
    void rejectsMalformedXattrs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layout.decode(new byte[12]));
        assertTrue(e.getMessage().contains("16 bytes"), e.getMessage());
        byte[] badType = Layout.encode(Entry.range(0, 5, 0));
        badType[7] = 9;
        e = assertThrows(IllegalArgumentException.class, () -> Layout.decode(badType));
        assertTrue(e.getMessage().contains("type 9"), e.getMessage());
    }

    @Test
    void detectsHolesOverlapsAndMissingDirectories() {
        Layout hole = new Layout(List.of(Entry.range(0, 0x7ffffffeL, 0), Entry.none()));
        assertEquals(1, hole.anomalies().holes());
        assertTrue(hole.anomalies().rangesBroken());

        Layout overlap = new Layout(List.of(Entry.range(0, 0x90000000L, 0), Entry.range(0x7fffffffL, 0xffffffffL, 0)));
        assertEquals(1, overlap.anomalies().overlaps());
        assertEquals(0, overlap.anomalies().holes());

        Layout missing = new Layout(List.of(Entry.range(0, 0xffffffffL, 0), Entry.failed(Errno.ENOENT),
                Entry.failed(Errno.ENOTCONN)));
        Layout.Anomalies a = missing.anomalies();
        assertFalse(a.rangesBroken()); // a new brick without a range is not a hole
        assertEquals(1, a.missing());
        assertEquals(1, a.down());
        assertEquals(List.of(1), missing.missingDirectories());

        Layout virgin = new Layout(List.of(Entry.none(), Entry.none()));
        assertTrue(virgin.anomalies().rangesBroken());
        assertEquals(-1, virgin.subvolFor(0));

        Layout startsLate = new Layout(List.of(Entry.range(5, 0xffffffffL, 0)));
        assertEquals(1, startsLate.anomalies().holes());
    }

    @Test
    void commitHashIsZeroWhenSubvolumesDisagree() {
        assertEquals(0, new Layout(List.of(Entry.range(0, 5, 1), Entry.range(6, 0xffffffffL, 2))).commitHash());
        assertEquals(3, new Layout(List.of(Entry.range(0, 5, 3), Entry.range(6, 0xffffffffL, 3))).commitHash());
    }

    @Test
    void fixLayoutAfterAddingABrickMovesAboutAThird() {
        Layout old = new Layout(List.of(Entry.range(0, 0x7ffffffeL, 0), Entry.range(0x7fffffffL, 0xffffffffL, 0),
                Entry.none()));
        for (int rotation = 0; rotation < 3; rotation++) {
            Layout fixed = Layout.fixed(THREE, List.of(true, true, true), rotation, 9, old);
            assertFalse(fixed.anomalies().rangesBroken(), fixed.toString());
            assertTrue(fixed.entry(2).participates(), "the new brick takes a range");
            long moved = 0;
            for (long h = 0; h <= 0xffffffffL; h += 0x100000L) {
                if (fixed.subvolFor((int) h) != old.subvolFor((int) h)) moved++;
            }
            double fraction = moved / 4096.0;
            assertTrue(fraction > 0.30 && fraction < 0.45, "moved " + fraction + " with rotation " + rotation);
            assertEquals(fixed, Layout.fixed(THREE, List.of(true, true, true), rotation, 9, fixed), "idempotent");
            assertEquals(9, fixed.commitHash());
        }
    }
}
