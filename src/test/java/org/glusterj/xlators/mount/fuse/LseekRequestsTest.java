package org.glusterj.xlators.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;

/** The raw FUSE_LSEEK request is decoded and answered in the kernel's layout, on the given descriptor. */
class LseekRequestsTest {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private static Pointer request(long unique, long fh, long offset, int whence) {
        Pointer p = Memory.allocateDirect(Runtime.getSystemRuntime(), 64, true);
        p.putInt(0, 64);
        p.putInt(4, LseekRequests.FUSE_LSEEK);
        p.putLong(8, unique);
        p.putLong(16, 99); // node id
        p.putInt(24, 1000);
        p.putInt(28, 100);
        p.putInt(32, 4242);
        p.putLong(40, fh);
        p.putLong(48, offset);
        p.putInt(56, whence);
        return p;
    }

    private static ByteBuffer answer(Pointer req, int size, LseekRequests.Seeker seeker) throws Exception {
        Path out = Files.createTempFile("lseek-answer", ".bin");
        int fd = POSIX.open(out.toString(), 1 /* O_WRONLY */, 0644);
        try {
            LseekRequests.answer(req, size, fd, seeker);
        } finally {
            POSIX.close(fd);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        Files.delete(out);
        return b;
    }

    @Test
    void answersTheOffsetForTheRequestsUnique() throws Exception {
        AtomicReference<String> asked = new AtomicReference<>();
        ByteBuffer b = answer(request(77, 5, 4096, 3), 64, (fh, off, whence, uid, gid, pid) -> {
            asked.set(fh + " " + off + " " + whence + " " + uid + " " + gid + " " + pid);
            return 1 << 20;
        });
        assertEquals("5 4096 3 1000 100 4242", asked.get());
        assertEquals(24, b.limit());
        assertEquals(24, b.getInt(0));
        assertEquals(0, b.getInt(4));
        assertEquals(77, b.getLong(8));
        assertEquals(1 << 20, b.getLong(16));
    }

    @Test
    void anErrorIsAHeaderWithMinusErrno() throws Exception {
        ByteBuffer b = answer(request(78, 5, 1 << 30, 3), 64, (fh, off, whence, uid, gid, pid) -> -6 /* ENXIO */);
        assertEquals(16, b.limit());
        assertEquals(16, b.getInt(0));
        assertEquals(-6, b.getInt(4));
        assertEquals(78, b.getLong(8));
    }

    @Test
    void aTruncatedRequestIsEinvalWithoutAskingTheGraph() throws Exception {
        ByteBuffer b = answer(request(79, 5, 0, 3), 48, (fh, off, whence, uid, gid, pid) -> {
            throw new AssertionError("must not be asked");
        });
        assertEquals(-22, b.getInt(4));
        assertEquals(79, b.getLong(8));
    }
}
