package org.glusterj.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class XlatorOptionTest {
    @Test
    void globsMatchLikeFnmatch() {
        assertTrue(XlatorOption.matches("gv0-client-*", "gv0-client-12"));
        assertTrue(XlatorOption.matches("*", "/bricks/b1"), "* crosses '/' without FNM_PATHNAME");
        assertTrue(XlatorOption.matches("gv0-client-?", "gv0-client-1"));
        assertFalse(XlatorOption.matches("gv0-client-?", "gv0-client-10"));
        assertTrue(XlatorOption.matches("c[0-2]", "c1"));
        assertFalse(XlatorOption.matches("c[!0-2]", "c1"));
        assertTrue(XlatorOption.matches("c[!0-2]", "c7"));
        assertTrue(XlatorOption.matches("a.b", "a.b"));
        assertFalse(XlatorOption.matches("a.b", "axb"), "dots are literal");
        assertFalse(XlatorOption.matches("c[z-a]", "cb"), "a reversed range matches nothing");
    }

    @Test
    void splitsOnTheFirstDotThatEndsAKnownVolume() throws Exception {
        XlatorOption o = XlatorOption.parse("gv0.dht.lookup-optimize=on=yes", List.of("gv0", "gv0.dht"));
        assertEquals("gv0", o.volume(), "first matching split wins, as GlusterFS splits at the first dot");
        assertEquals("dht.lookup-optimize", o.key());
        assertEquals("on=yes", o.value(), "the value may contain '='");
        XlatorOption dotted = XlatorOption.parse("gv0.dht.lookup-optimize=on", List.of("gv0.dht"));
        assertEquals("gv0.dht", dotted.volume());
        assertEquals("lookup-optimize", dotted.key());
    }
}
