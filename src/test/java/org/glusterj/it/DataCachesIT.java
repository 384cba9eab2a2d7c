package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.glusterj.graph.XlatorRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two bricks, two kernel mounts, each through the full data-cache stack: io-stats → md-cache →
 * quick-read → open-behind → io-cache → read-ahead → write-behind → distribute. Every byte
 * written is read back through both mounts; the second mount sees changes within the caches'
 * one-second timeouts.
 */
class DataCachesIT {
    /** The client stack under test, bottom first, above cluster/distribute. */
    static final List<String[]> STACK = List.of(
            new String[] {"vol-write-behind", "performance/write-behind"},
            new String[] {"vol-read-ahead", "performance/read-ahead"},
            new String[] {"vol-io-cache", "performance/io-cache"},
            new String[] {"vol-open-behind", "performance/open-behind"},
            new String[] {"vol-quick-read", "performance/quick-read"},
            new String[] {"vol-md-cache", "performance/md-cache"},
            new String[] {"vol", "debug/io-stats"});

    private static Cluster cluster;
    private static FuseMount first;
    private static FuseMount second;
    private static Path a;
    private static Path b;

    @BeforeAll
    static void mount() throws Exception {
        for (String[] layer : STACK) {
            assumeTrue(XlatorRegistry.find(layer[1]).isPresent(), layer[1] + " is not in the xlator registry yet");
        }
        cluster = new Cluster("data-caches-it");
        try {
            cluster.startBrick("b1");
            cluster.startBrick("b2");
            Path vol = writeVolfile(cluster);
            first = new FuseMount(vol, cluster.root.resolve("a"), cluster.root.resolve("logs/a.log"), List.of()).start();
            second = new FuseMount(vol, cluster.root.resolve("b"), cluster.root.resolve("logs/b.log"), List.of()).start();
            a = first.mountpoint;
            b = second.mountpoint;
        } catch (Throwable t) {
            unmount();
            throw t;
        }
    }

    static Path writeVolfile(Cluster cluster) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cluster.bricks.size(); i++) {
            BrickProcess brick = cluster.bricks.get(i);
            sb.append("volume vol-client-").append(i).append("\n    type protocol/client\n")
                    .append("    option remote-host 127.0.0.1\n")
                    .append("    option remote-port ").append(brick.port).append('\n')
                    .append("    option remote-subvolume ").append(brick.name).append('\n')
                    .append("    option ping-timeout ").append(Cluster.PING_TIMEOUT_SECONDS).append("\nend-volume\n\n");
        }
        sb.append("volume vol-dht\n    type cluster/distribute\n    subvolumes");
        for (int i = 0; i < cluster.bricks.size(); i++) sb.append(" vol-client-").append(i);
        sb.append("\nend-volume\n\n");
        String below = "vol-dht";
        for (String[] layer : STACK) {
            sb.append("volume ").append(layer[0]).append("\n    type ").append(layer[1])
                    .append("\n    subvolumes ").append(below).append("\nend-volume\n\n");
            below = layer[0];
        }
        Path vol = cluster.root.resolve("data-caches.vol");
        Files.writeString(vol, sb.toString());
        return vol;
    }

    @AfterAll
    static void unmount() throws Exception {
        try {
            if (second != null) second.close();
            if (first != null) first.close();
        } finally {
            if (cluster != null) cluster.close();
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Reads {@code p} until it holds {@code expected}, for at most a few seconds (the caches' timeouts). */
    private static void eventually(Path p, byte[] expected) throws Exception {
        Waits.until(Duration.ofSeconds(5), "new content of " + p, () -> Arrays.equals(expected, Files.readAllBytes(p)));
    }

    @Test
    void smallFilesRoundTripThroughBothMounts() throws Exception {
        Path dir = Files.createDirectory(a.resolve("small"));
        for (int i = 0; i < 100; i++) {
            Files.write(dir.resolve("f" + i), random(i * 97, i));
        }
        for (int i = 0; i < 100; i++) {
            assertArrayEquals(random(i * 97, i), Files.readAllBytes(dir.resolve("f" + i)), "f" + i + " on the writer");
            assertArrayEquals(random(i * 97, i), Files.readAllBytes(b.resolve("small").resolve("f" + i)), "f" + i + " on the other mount");
        }
    }

    @Test
    void overwriteTruncateAndAppendOfASmallFileAreSeenAtOnceAndElsewhereSoon() throws Exception {
        Path f = a.resolve("changing");
        Path other = b.resolve("changing");
        byte[] v1 = random(4096, 100);
        Files.write(f, v1);
        assertArrayEquals(v1, Files.readAllBytes(f));
        assertArrayEquals(v1, Files.readAllBytes(other));

        byte[] v2 = random(4096, 101);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(v2); // same size: only the content tells
        }
        assertArrayEquals(v2, Files.readAllBytes(f));
        eventually(other, v2);

        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(1000);
        }
        assertArrayEquals(Arrays.copyOf(v2, 1000), Files.readAllBytes(f));
        eventually(other, Arrays.copyOf(v2, 1000));

        byte[] tail = random(500, 102);
        Files.write(f, tail, StandardOpenOption.APPEND);
        byte[] v3 = Arrays.copyOf(v2, 1500);
        System.arraycopy(tail, 0, v3, 1000, 500);
        assertArrayEquals(v3, Files.readAllBytes(f));
        eventually(other, v3);

        Files.write(f, random(10, 103)); // O_TRUNC
        assertArrayEquals(random(10, 103), Files.readAllBytes(f));
        eventually(other, random(10, 103));
    }

    @Test
    void largeFilesReadSequentiallyAndRandomlyMatchEveryByte() throws Exception {
        byte[] data = random(24 << 20, 200);
        Path f = a.resolve("large");
        Files.write(f, data);
        assertArrayEquals(data, Files.readAllBytes(f));
        assertArrayEquals(data, Files.readAllBytes(b.resolve("large")));
        Random r = new Random(201);
        try (RandomAccessFile raf = new RandomAccessFile(b.resolve("large").toFile(), "r")) {
            for (int i = 0; i < 200; i++) {
                int off = r.nextInt(data.length);
                byte[] got = new byte[Math.min(1 + r.nextInt(300_000), data.length - off)];
                raf.seek(off);
                raf.readFully(got);
                assertArrayEquals(Arrays.copyOfRange(data, off, off + got.length), got, "at " + off);
            }
        }

        // Overwrite a stretch in the middle and truncate: both mounts agree, the second within the timeouts.
        byte[] patch = random(300_000, 202);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(5_000_000);
            raf.write(patch);
            raf.setLength(20 << 20);
        }
        byte[] expected = Arrays.copyOf(data, 20 << 20);
        System.arraycopy(patch, 0, expected, 5_000_000, patch.length);
        assertArrayEquals(expected, Files.readAllBytes(f));
        eventually(b.resolve("large"), expected);
        // Reading to end of file does not refresh the size the kernel caches for attr_timeout (1 s).
        Waits.until(Duration.ofSeconds(5), "the new size on the other mount",
                () -> Files.size(b.resolve("large")) == 20 << 20);
    }
}
