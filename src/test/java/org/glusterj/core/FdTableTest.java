package org.glusterj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FdTableTest {
    private final Inode inode = new Inode(Gfid.random(), FileType.S_IFREG);

    @Test
    void handlesAreNonZeroAndNeverReused() {
        FdTable t = new FdTable();
        Fd a = new Fd(inode, 0, 1);
        long ha = t.add(a);
        assertTrue(ha > 0);
        assertSame(a, t.get(ha));
        assertSame(a, t.remove(ha));
        long hb = t.add(new Fd(inode, 0, 1));
        assertTrue(hb > ha, "a released handle is not handed out again");
        assertNull(t.remove(ha), "a second release finds nothing");
        FopException e = assertThrows(FopException.class, () -> t.get(ha));
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    void drainEmptiesTheTable() {
        FdTable t = new FdTable();
        t.add(new Fd(inode, 0, 1));
        t.add(new Fd(inode, 0, 2));
        assertEquals(2, t.drain().size());
        assertEquals(0, t.size());
    }

    @Test
    void concurrentAddsGetDistinctHandles() throws Exception {
        FdTable t = new FdTable();
        ExecutorService ex = Executors.newFixedThreadPool(4);
        List<Future<List<Long>>> parts = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            parts.add(ex.submit(() -> {
                List<Long> mine = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    long h = t.add(new Fd(inode, 0, 1));
                    mine.add(h);
                    if (i % 2 == 0) t.remove(h);
                }
                return mine;
            }));
        }
        Set<Long> all = new HashSet<>();
        for (Future<List<Long>> f : parts) all.addAll(f.get(30, TimeUnit.SECONDS));
        ex.shutdown();
        assertEquals(8000, all.size());
        assertEquals(4000, t.size());
    }
}
