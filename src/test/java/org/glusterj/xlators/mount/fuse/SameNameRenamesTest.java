package org.glusterj.xlators.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import org.junit.jupiter.api.Test;

/**
 * A raw FUSE_RENAME of a name onto itself is recognised and answered in the kernel's layout;
 * every other rename goes to libfuse.
 */
class SameNameRenamesTest {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    /** A FUSE_RENAME request as the kernel writes it; returns it and its size. */
    private static Object[] rename(long unique, long olddir, String oldname, long newdir, String newname) {
        byte[] o = oldname.getBytes(StandardCharsets.UTF_8);
        byte[] n = newname.getBytes(StandardCharsets.UTF_8);
        int size = 48 + o.length + 1 + n.length + 1;
        Pointer p = Memory.allocateDirect(Runtime.getSystemRuntime(), size, true);
        p.putInt(0, size);
        p.putInt(4, SameNameRenames.FUSE_RENAME);
        p.putLong(8, unique);
        p.putLong(16, olddir);
        p.putLong(40, newdir);
        p.put(48, o, 0, o.length);
        p.put(48 + o.length + 1, n, 0, n.length);
        return new Object[] {p, size};
    }

    private static boolean ontoItself(Object[] req) {
        return SameNameRenames.isOntoItself((Pointer) req[0], (int) req[1]);
    }

    @Test
    void onlyTheSameNameInTheSameDirectoryIsRecognised() {
        assertTrue(ontoItself(rename(1, 2, "n6", 2, "n6")));
        assertFalse(ontoItself(rename(1, 2, "n6", 2, "n7")), "another name");
        assertFalse(ontoItself(rename(1, 2, "n6", 3, "n6")), "another directory");
        assertFalse(ontoItself(rename(1, 2, "n6", 2, "n66")), "a name that only starts alike");
        assertFalse(ontoItself(rename(1, 2, "n66", 2, "n6")));
    }

    @Test
    void truncatedOrOtherRequestsAreLeftToLibfuse() {
        Object[] r = rename(1, 2, "n6", 2, "n6");
        Pointer p = (Pointer) r[0];
        assertFalse(SameNameRenames.isOntoItself(p, 48 + 3), "the second name cut off");
        assertFalse(SameNameRenames.isOntoItself(p, 40), "no rename_in");
        p.putInt(4, 45); // FUSE_RENAME2
        assertFalse(SameNameRenames.isOntoItself(p, (int) r[1]));
    }

    @Test
    void theAnswerIsEnoentForTheRequestsUnique() throws Exception {
        Object[] r = rename(4711, 2, "n6", 2, "n6");
        Path out = Files.createTempFile("rename-answer", ".bin");
        int fd = POSIX.open(out.toString(), 1 /* O_WRONLY */, 0644);
        try {
            assertTrue(SameNameRenames.answer((Pointer) r[0], fd));
        } finally {
            POSIX.close(fd);
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        Files.delete(out);
        assertEquals(16, b.limit());
        assertEquals(16, b.getInt(0));
        assertEquals(-SameNameRenames.ENOENT, b.getInt(4));
        assertEquals(4711, b.getLong(8));
    }
}
