package org.glusterj.xlators.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

class SetIdKillTest {
    private static final int FUSE_SETATTR = 4, FUSE_WRITE = 16, FUSE_READ = 15;
    private static final int FATTR_MODE = 1, FATTR_UID = 2, FATTR_SIZE = 8, FATTR_KILL_SUIDGID = 1 << 11;
    private static final int FUSE_WRITE_KILL_SUIDGID = 4;

    private static Pointer request(int opcode, int at, int value) {
        Pointer p = Memory.allocateDirect(Runtime.getSystemRuntime(), 128, true);
        p.putInt(4, opcode);
        p.putInt(at, value);
        return p;
    }

    @Test
    void aWriteAsksWhenTheKernelSetItsFlag() {
        SetIdKill.serving(FUSE_WRITE, request(FUSE_WRITE, 60, FUSE_WRITE_KILL_SUIDGID | 1), 80);
        assertTrue(SetIdKill.asked());
        SetIdKill.serving(FUSE_WRITE, request(FUSE_WRITE, 60, 1), 80);
        assertFalse(SetIdKill.asked(), "a writer with CAP_FSETID keeps the bits");
        SetIdKill.serving(FUSE_WRITE, request(FUSE_WRITE, 60, FUSE_WRITE_KILL_SUIDGID), 62);
        assertFalse(SetIdKill.asked(), "a truncated request asks for nothing");
    }

    @Test
    void aTruncateAsksButAChownNeedsNot() {
        SetIdKill.serving(FUSE_SETATTR, request(FUSE_SETATTR, 40, FATTR_SIZE | FATTR_KILL_SUIDGID), 128);
        assertTrue(SetIdKill.asked());
        SetIdKill.serving(FUSE_SETATTR, request(FUSE_SETATTR, 40, FATTR_UID | FATTR_KILL_SUIDGID), 128);
        assertFalse(SetIdKill.asked(), "the brick's chown clears the bits itself");
        SetIdKill.serving(FUSE_SETATTR, request(FUSE_SETATTR, 40, FATTR_SIZE | FATTR_MODE), 128);
        assertFalse(SetIdKill.asked());
    }

    @Test
    void theAnswerDoesNotOutliveItsRequest() {
        SetIdKill.serving(FUSE_WRITE, request(FUSE_WRITE, 60, FUSE_WRITE_KILL_SUIDGID), 80);
        assertTrue(SetIdKill.asked());
        SetIdKill.serving(FUSE_READ, request(FUSE_READ, 60, FUSE_WRITE_KILL_SUIDGID), 80);
        assertFalse(SetIdKill.asked());
    }

    @Test
    void notWithOptionsThatHideTheRequestsAsking() {
        assertTrue(SetIdKill.usableWith(new String[] {"glusterj", "-f", "/mnt", "-o", "allow_other,max_read=1048576"}));
        assertFalse(SetIdKill.usableWith(new String[] {"glusterj", "-o", "allow_other,splice_read", "/mnt"}));
        assertFalse(SetIdKill.usableWith(new String[] {"glusterj", "/mnt", "-oatomic_o_trunc"}));
        assertTrue(SetIdKill.usableWith(new String[] {"glusterj", "/mnt", "-o", "fsname=splice_read"}));
    }

    @Test
    void onlyAKernelOfFuse733OffersIt() {
        Pointer init = request(26, 44, 33);
        init.putInt(52, SetIdKill.FUSE_HANDLE_KILLPRIV_V2);
        assertTrue(SetIdKill.kernelOffers(init, 104));
        init.putInt(44, 32);
        assertFalse(SetIdKill.kernelOffers(init, 104), "before 7.33 the bit means nothing");
        init.putInt(44, 45);
        init.putInt(52, 0);
        assertFalse(SetIdKill.kernelOffers(init, 104));
    }
}
