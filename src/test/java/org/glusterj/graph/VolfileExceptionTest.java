package org.glusterj.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VolfileExceptionTest {
    @Test
    void messageIsOneLineWithOptionalLineAndVolume() {
        assertEquals("c.vol:7: volume \"c0\": bad", new VolfileException("c.vol", 7, "c0", "bad").getMessage());
        assertEquals("c.vol:7: bad", new VolfileException("c.vol", 7, null, "bad").getMessage());
        assertEquals("c.vol: bad", new VolfileException("c.vol", 0, null, "bad").getMessage());
        VolfileException multi = new VolfileException("c.vol", 2, "v", "cannot start: first\nsecond\r\n");
        assertEquals("c.vol:2: volume \"v\": cannot start: first\\nsecond\\r\\n", multi.getMessage());
        assertEquals("cannot start: first\nsecond\r\n", multi.reason());
    }
}
