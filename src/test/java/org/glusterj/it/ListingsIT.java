package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Directory listings through two real mounts of one two-brick volume with the default stack,
 * where readdir-ahead keeps complete listings for 600 s: a mount's own changes show in its next
 * listing at once, and the other mount's show as soon as the bricks' upcall arrives.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListingsIT {
    private static Cluster cluster;
    private static Path m1;
    private static Path m2;

    @BeforeAll
    static void mount() throws Exception {
        cluster = new Cluster("listings-it");
        cluster.startBrick("b1");
        cluster.startBrick("b2");
        m1 = cluster.mount("m1").mountpoint;
        m2 = cluster.mount("m2").mountpoint;
    }

    @AfterAll
    static void unmount() throws Exception {
        if (cluster != null) cluster.close();
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** What the bricks hold in {@code dir}: its data files, without dht's linkto files. */
    private static Set<String> onBricks(String dir) throws IOException {
        Set<String> all = new TreeSet<>();
        for (BrickProcess b : cluster.bricks) {
            try (Stream<Path> s = Files.list(b.dir.resolve(dir))) {
                s.filter(p -> !isLinkto(p)).forEach(p -> all.add(p.getFileName().toString()));
            }
        }
        return all;
    }

    /** dht's pointer to a file's data on another brick: empty, mode sticky bit only. */
    private static boolean isLinkto(Path p) {
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == 0
                    && ((int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777) == 01000;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aMountsOwnChangesShowInItsNextListingAtOnce() throws Exception {
        Path d = Files.createDirectory(m1.resolve("own"));
        assertEquals(Set.of(), names(d), "a new directory lists empty");
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < 40; i++) {
            Files.writeString(d.resolve("f" + i), "x" + i);
            expected.add("f" + i);
        }
        assertEquals(expected, names(d));
        Files.delete(d.resolve("f3"));
        Files.move(d.resolve("f4"), d.resolve("moved"), StandardCopyOption.ATOMIC_MOVE);
        Files.createDirectory(d.resolve("sub"));
        Files.createSymbolicLink(d.resolve("link"), Path.of("f1"));
        expected.removeAll(Set.of("f3", "f4"));
        expected.addAll(Set.of("moved", "sub", "link"));
        assertEquals(expected, names(d));
        assertEquals(expected, onBricks("own"), "what the mount lists is what the bricks hold");
        assertEquals("x5", Files.readString(d.resolve("f5")));
        assertEquals(Set.of(), names(d.resolve("sub")));
    }

    @Test
    void anotherMountsChangesShowOnceTheUpcallArrives() throws Exception {
        Path d1 = Files.createDirectory(m1.resolve("shared"));
        for (int i = 0; i < 10; i++) Files.writeString(d1.resolve("f" + i), "x");
        Path d2 = m2.resolve("shared");
        Waits.until(Duration.ofSeconds(5), "the directory on the second mount", () -> Files.isDirectory(d2));
        assertEquals(names(d1), names(d2));

        Files.writeString(d2.resolve("from-m2"), "y");
        Files.delete(d2.resolve("f0"));
        Waits.until(Duration.ofSeconds(10), "the first mount lists the second's changes",
                () -> names(d1).contains("from-m2") && !names(d1).contains("f0"));
        assertEquals(names(d2), names(d1));

        Files.move(d1.resolve("f1"), d1.resolve("renamed-on-m1"), StandardCopyOption.ATOMIC_MOVE);
        Waits.until(Duration.ofSeconds(10), "the second mount lists the first's rename",
                () -> names(d2).contains("renamed-on-m1") && !names(d2).contains("f1"));
    }
}
