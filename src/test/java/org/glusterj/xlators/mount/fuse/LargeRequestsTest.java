package org.glusterj.xlators.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

class LargeRequestsTest {
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();

    /** out header (len, error, unique) + libfuse 2.9's 24-byte fuse_init_out. */
    private static Pointer libfuseReply(int error) {
        Pointer p = Memory.allocateDirect(RUNTIME, 16 + 64, true);
        p.putInt(0, 40);
        p.putInt(4, error);
        p.putLong(8, 1);
        p.putInt(16, 7);
        p.putInt(20, 19);
        p.putInt(24, 131072);
        p.putInt(28, 0x1 | 0x8);
        p.putShort(32, (short) 12);
        p.putShort(34, (short) 9);
        p.putInt(36, 1 << 20);
        return p;
    }

    @Test
    void widenedReplyAsksForMaxPagesAndKeepsLibfusesFields() {
        Pointer p = libfuseReply(0);
        assertEquals(16 + 64, LargeRequests.widen(p, 40));
        assertEquals(16 + 64, p.getInt(0), "header length follows");
        assertEquals(19, p.getInt(20), "minor stays libfuse's");
        assertEquals(0x1 | 0x8 | LargeRequests.FUSE_MAX_PAGES, p.getInt(28));
        assertEquals(1 << 20, p.getInt(36), "max_write");
        assertEquals(0, p.getInt(40), "time_gran left to the kernel");
        assertEquals(LargeRequests.MAX_PAGES, p.getShort(44) & 0xffff);
        assertEquals(0, p.getInt(48), "flags2 and the rest zero");
    }

    @Test
    void errorsAndOtherSizesGoOutUnchanged() {
        Pointer err = libfuseReply(-71);
        assertEquals(40, LargeRequests.widen(err, 40));
        assertEquals(40, err.getInt(0));
        Pointer shortReply = libfuseReply(0);
        assertEquals(24, LargeRequests.widen(shortReply, 24));
        assertEquals(0x1 | 0x8, shortReply.getInt(28));
    }

    @Test
    void aFlagIsAskedForOnlyInASuccessfulReply() {
        Pointer p = libfuseReply(0);
        LargeRequests.askFlag(p, 40, SetIdKill.FUSE_HANDLE_KILLPRIV_V2);
        assertEquals(0x1 | 0x8 | SetIdKill.FUSE_HANDLE_KILLPRIV_V2, p.getInt(28));
        Pointer err = libfuseReply(-71);
        LargeRequests.askFlag(err, 40, SetIdKill.FUSE_HANDLE_KILLPRIV_V2);
        assertEquals(0x1 | 0x8, err.getInt(28));
    }

    @Test
    void onlyAKernelOfferingMaxPagesGetsThem() {
        Pointer init = Memory.allocateDirect(RUNTIME, 104, true);
        init.putInt(4, LargeRequests.FUSE_INIT);
        init.putInt(40, 7);
        init.putInt(44, 45);
        init.putInt(52, LargeRequests.FUSE_MAX_PAGES | 1);
        assertTrue(LargeRequests.kernelOffersMaxPages(init, 104));
        assertFalse(LargeRequests.kernelOffersMaxPages(init, 48), "truncated request");
        init.putInt(52, 1);
        assertFalse(LargeRequests.kernelOffersMaxPages(init, 104));
        init.putInt(52, LargeRequests.FUSE_MAX_PAGES);
        init.putInt(44, 26);
        assertFalse(LargeRequests.kernelOffersMaxPages(init, 104), "before 7.28 the bit means something else");
    }

    @Test
    void deviceOfFindsTheLastMountAtAnEscapedPath() {
        List<String> mountinfo = List.of(
                "22 1 0:21 / /tmp rw - tmpfs tmpfs rw",
                "40 22 0:39 / /tmp/my\\040mnt rw,nosuid - fuse.glusterj glusterj:v rw",
                "41 40 0:45 / /tmp/my\\040mnt rw,nosuid - fuse.glusterj glusterj:v rw");
        assertEquals("0:45", LargeRequests.deviceOf("/tmp/my mnt", mountinfo));
        assertEquals("0:21", LargeRequests.deviceOf("/tmp", mountinfo));
        assertNull(LargeRequests.deviceOf("/nowhere", mountinfo));
    }
}
