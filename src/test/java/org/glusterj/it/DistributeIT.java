package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.glusterj.xlators.cluster.dht.DmHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two bricks under cluster/distribute, through a real mount. */
class DistributeIT {
    private static Cluster cluster;
    private static Path mnt;

    @BeforeAll
    static void mount() throws Exception {
        cluster = new Cluster("distribute-it");
        cluster.startBrick("b1");
        cluster.startBrick("b2");
        mnt = cluster.mount("mnt").mountpoint;
    }

    @AfterAll
    static void unmount() throws Exception {
        if (cluster != null) cluster.close();
    }

    /** Bricks whose copy of {@code relPath} is a regular data file (not a linkto, not missing). */
    private static List<BrickProcess> holders(String relPath) throws IOException {
        List<BrickProcess> out = new ArrayList<>();
        for (BrickProcess b : cluster.bricks) {
            Path p = b.dir.resolve(relPath);
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    && (Files.size(p) > 0 || (((int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777) != 01000)) {
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void filesLandWhereTheHashSays() throws Exception {
        Path d = Files.createDirectory(mnt.resolve("placement"));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 150; i++) names.add("file-" + i + ".txt");
        for (int i = 0; i < 50; i++) names.add("ünïcødé-" + i + "-日本-€");
        for (int i = 0; i < 50; i++) names.add(".rsync-temp-" + i + ".dat.Ab12Cd"); // hashed as "rsync-temp-N.dat"
        for (String n : names) Files.writeString(d.resolve(n), n);

        Map<String, long[]> ranges = new HashMap<>();
        for (BrickProcess b : cluster.bricks) ranges.put(b.name, Bricks.layoutRange(b.dir.resolve("placement")));
        DmHash hash = DmHash.withDefaults();
        int[] perBrick = new int[cluster.bricks.size()];
        for (String n : names) {
            long h = Integer.toUnsignedLong(hash.hashName(n));
            List<BrickProcess> held = holders("placement/" + n);
            assertEquals(1, held.size(), n + " has its data on exactly one brick");
            long[] r = ranges.get(held.get(0).name);
            assertTrue(h >= r[0] && h <= r[1], n + " (hash " + Long.toHexString(h) + ") is on " + held.get(0).name
                    + " whose range is " + Long.toHexString(r[0]) + "-" + Long.toHexString(r[1]));
            assertEquals(n, Files.readString(held.get(0).dir.resolve("placement").resolve(n)));
            perBrick[cluster.bricks.indexOf(held.get(0))]++;
        }
        for (int count : perBrick) assertTrue(count > 40, "both bricks get files: " + java.util.Arrays.toString(perBrick));
        for (BrickProcess b : cluster.bricks) assertTrue(Files.isDirectory(b.dir.resolve("placement")), "directory on every brick");
    }

    @Test
    void renamesAcrossHashRangesKeepContentAndListOnce() throws Exception {
        Path d = Files.createDirectory(mnt.resolve("renames"));
        for (int i = 0; i < 150; i++) Files.writeString(d.resolve("before-" + i), "content " + i);
        for (int i = 0; i < 150; i++) Files.move(d.resolve("before-" + i), d.resolve("after-" + i));
        List<String> listed;
        try (Stream<Path> s = Files.list(d)) {
            listed = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
        assertEquals(150, listed.size(), "each name listed once: " + listed);
        for (int i = 0; i < 150; i++) {
            assertEquals("content " + i, Files.readString(d.resolve("after-" + i)));
            assertFalse(Files.exists(d.resolve("before-" + i)));
        }
        assertEquals(0, run("rm", "-r", d.toString()));
        for (BrickProcess b : cluster.bricks) {
            assertFalse(Files.exists(b.dir.resolve("renames")), "rm -r leaves no trace on " + b.name);
        }
    }

    @Test
    void copyASourceTreeInAndDiffIsClean() throws Exception {
        Path src = Path.of("src").toAbsolutePath();
        assertEquals(0, run("cp", "-r", src.toString(), mnt.resolve("tree").toString()));
        assertEquals(0, run("diff", "-r", src.toString(), mnt.resolve("tree").toString()), "diff -r is clean");
        for (BrickProcess b : cluster.bricks) {
            try (Stream<Path> s = Files.walk(b.dir.resolve("tree"))) {
                assertTrue(s.filter(Files::isRegularFile).count() > 10, "files spread to " + b.name);
            }
        }
        assertEquals(0, run("rm", "-r", mnt.resolve("tree").toString()));
    }

    @Test
    void aDeadBrickTakesOnlyItsFilesAway() throws Exception {
        try (Cluster c = new Cluster("distribute-brick-down-it")) {
            BrickProcess b1 = c.startBrick("b1");
            c.startBrick("b2");
            Path m = c.mount("mnt").mountpoint;
            for (int i = 0; i < 40; i++) Files.writeString(m.resolve("f" + i), "data " + i);
            List<Integer> onB1 = new ArrayList<>();
            for (int i = 0; i < 40; i++) if (Files.exists(b1.dir.resolve("f" + i))) onB1.add(i);
            assertFalse(onB1.isEmpty());
            assertTrue(onB1.size() < 40);

            b1.kill9();
            for (int i = 0; i < 40; i++) {
                Path f = m.resolve("f" + i);
                if (onB1.contains(i)) {
                    try {
                        Files.readString(f);
                        throw new AssertionError("f" + i + " lives on the dead brick but was readable");
                    } catch (FileSystemException e) {
                        String reason = String.valueOf(e.getReason());
                        assertTrue(reason.contains("not connected") || reason.contains("Input/output"),
                                "a file on the dead brick gives ENOTCONN or EIO, not ENOENT: " + reason);
                    }
                } else {
                    assertEquals("data " + i, Files.readString(f), "files on the live brick stay usable");
                }
            }
            try (BrickProcess again = new BrickProcess("b1", b1.dir, b1.port, c.root.resolve("logs")).start()) {
                Waits.until(Duration.ofSeconds(20), "every file back after the brick restarted", () -> {
                    for (int i = 0; i < 40; i++) if (!("data " + i).equals(Files.readString(m.resolve("f" + i)))) return false;
                    return true;
                });
            }
        }
    }

    static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return p.exitValue();
    }
}
