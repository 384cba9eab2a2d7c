package org.glusterj.xlators.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;
import org.junit.jupiter.api.Test;

class NameBufferTest {
    private final FuseBridge.NameBuffer names = new FuseBridge.NameBuffer();

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static byte[] cString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, out, 0, utf8.length);
        return out;
    }

    @Test
    void namesAreNulTerminatedUtf8InADirectBuffer() {
        ByteBuffer b = names.of("f1999");
        assertTrue(b.isDirect(), "jnr passes a direct buffer's address instead of copying");
        assertEquals(0, b.position());
        assertArrayEquals(cString("f1999"), bytes(b));
        assertArrayEquals(cString("größe-文件"), bytes(names.of("größe-文件")));
        assertArrayEquals(cString("a"), bytes(names.of("a")), "a shorter name after a longer one");
    }

    @Test
    void theLongestNameFitsAndALongerOneIsRefused() {
        String longest = "x".repeat(255);
        assertArrayEquals(cString(longest), bytes(names.of(longest)));
        FopException e = assertThrows(FopException.class, () -> names.of("é".repeat(128)));
        assertEquals(Errno.ENAMETOOLONG, e.errno());
    }
}
