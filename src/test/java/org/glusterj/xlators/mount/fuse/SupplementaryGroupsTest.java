package org.glusterj.xlators.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupplementaryGroupsTest {
    @TempDir
    Path proc;

    private void status(int pid, String groupsLine) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("status"), "Name:\tx\nUid:\t1\t1\t1\t1\n" + groupsLine + "\nVmPeak:\t1 kB\n");
    }

    @Test
    void readsGroupsAndCachesThemForTheTtl() throws Exception {
        AtomicLong now = new AtomicLong();
        SupplementaryGroups groups = new SupplementaryGroups(proc, 1000, now::get);
        status(42, "Groups:\t4 24 1000 ");
        assertArrayEquals(new int[] {4, 24, 1000}, groups.of(42));
        status(42, "Groups:\t7");
        assertArrayEquals(new int[] {4, 24, 1000}, groups.of(42), "cached");
        now.addAndGet(1001);
        assertArrayEquals(new int[] {7}, groups.of(42), "re-read after the ttl");
    }

    @Test
    void goneProcessOrNoGroupsLineMeansNone() throws Exception {
        SupplementaryGroups groups = new SupplementaryGroups(proc, 1000, System::nanoTime);
        assertArrayEquals(new int[0], groups.of(77));
        status(78, "Groups:");
        assertArrayEquals(new int[0], groups.of(78));
        assertArrayEquals(new int[0], groups.of(0), "kernel-internal requests have pid 0");
    }

    @Test
    void parsesTheRealProcFileOfThisProcess() {
        int[] own = new SupplementaryGroups().of((int) ProcessHandle.current().pid());
        for (int g : own) org.junit.jupiter.api.Assertions.assertTrue(g >= 0);
    }
}
