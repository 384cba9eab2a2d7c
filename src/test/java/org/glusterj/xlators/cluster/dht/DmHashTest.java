package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DmHashTest {

    /** Every vector published in reference/glusterfs.md §4, checked on a live GlusterFS 10.3 volume. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "a.txt, 3e99171a",
            "x, ba644973",
            "abcdefghijklmnop, 5f7662ef",
            "abcdefghijklmnopq, ee27cbd1",
            "é, 65cfcaa1",
            "ö, edbc755a",
            "日本, b00c9dfc",
            "ab€, 766c59d4",
            "foo, 0b55ac76",
            "hidden.tmp, b1d217ad",
    })
    void rawHashMatchesGlusterfs(String name, String hex) {
        assertEquals(Integer.parseUnsignedInt(hex, 16), DmHash.hash(name), name);
    }

    @ParameterizedTest(name = "{0} hashes as {1}")
    @CsvSource({
            ".foo.bar, 0b55ac76",
            ".hidden.tmp.Ab12Cd, b1d217ad",
            "foo, 0b55ac76",
            "a.txt, 3e99171a",
    })
    void defaultMungingHashesRsyncTempNamesLikeTheFinalName(String name, String hex) {
        assertEquals(Integer.parseUnsignedInt(hex, 16), DmHash.withDefaults().hashName(name), name);
    }

    @Test
    void mungingNeedsALeadingDotAndASuffix() {
        DmHash h = DmHash.withDefaults();
        assertEquals("foo.txt", h.munge(".foo.txt.Ab12"));
        assertEquals(".foo", h.munge(".foo"));          // no suffix after the name
        assertEquals("foo.txt.Ab12", h.munge("foo.txt.Ab12")); // no leading dot
        assertEquals(".bashrc", h.munge(".bashrc"));
    }

    @Test
    void noneDisablesTheRsyncRegex() {
        DmHash h = DmHash.withRegexes("none", null);
        assertEquals(".foo.bar", h.munge(".foo.bar"));
        assertEquals(DmHash.hash(".foo.bar"), h.hashName(".foo.bar"));
        assertNotEquals(DmHash.hash("foo"), h.hashName(".foo.bar"));
    }

    @Test
    void extraRegexIsTriedBeforeTheRsyncOne() {
        DmHash h = DmHash.withRegexes(DmHash.DEFAULT_RSYNC_REGEX, "^(.+)\\.part$");
        assertEquals("movie.mkv", h.munge("movie.mkv.part"));
        assertEquals("foo", h.munge(".foo.bar")); // extra does not match: rsync regex still applies
        assertEquals(DmHash.hash("movie.mkv"), h.hashName("movie.mkv.part"));
    }

    @Test
    void aRegexWithoutAGroupMungesNothing() {
        DmHash h = DmHash.withRegexes("^\\..+$", null);
        assertEquals(".foo.bar", h.munge(".foo.bar"));
    }

    @Test
    void badRegexIsRejectedWithItsOptionName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DmHash.withRegexes("^(foo", null));
        assertTrue(e.getMessage().contains("rsync-hash-regex"), e.getMessage());
        assertTrue(e.getMessage().contains("^(foo"), e.getMessage());
    }

    @Test
    void everyTailLengthAndBlockBoundaryIsStable() {
        // Lengths 0..40 cover empty input, every tail size and several full blocks; each must hash
        // differently from its neighbour (a dropped tail byte would make prefixes collide).
        String s = "0123456789abcdefghijklmnopqrstuvwxyzABCDE";
        int previous = DmHash.hash("");
        for (int len = 1; len <= 40; len++) {
            int h = DmHash.hash(s.substring(0, len));
            assertNotEquals(previous, h, "length " + len);
            previous = h;
        }
    }
}
