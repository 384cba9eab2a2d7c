package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Writers, readers, renamers and deleters on one directory from two mounts for a bounded time.
 * Writers publish each file whole (write a private name, then rename it over a shared one), so
 * every name must at every moment hold some writer's complete record; anything else is a
 * filesystem bug (a stale size, a lost write, a rename that mixed two files).
 */
class StressIT {
    private static final int NAMES = 24;
    private static final Duration RUN = Duration.ofSeconds(15);

    @Test
    void twoMountsHammeringOneDirectoryLeaveOnlyWholeRecords() throws Exception {
        try (Cluster cluster = new Cluster("stress-it")) {
            cluster.startBrick("b1");
            cluster.startBrick("b2");
            Path a = cluster.mount("mnt-a").mountpoint;
            Path b = cluster.mount("mnt-b").mountpoint;
            Files.createDirectory(a.resolve("d"));
            Waits.until(Duration.ofSeconds(5), "the directory on the second mount", () -> Files.isDirectory(b.resolve("d")));

            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicLong ops = new AtomicLong();
            AtomicLong shortReads = new AtomicLong();
            long deadline = System.nanoTime() + RUN.toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                Path dir = (w % 2 == 0 ? a : b).resolve("d");
                int id = w;
                workers.add(pool.submit(() -> {
                    work(id, dir, deadline, ops, shortReads, problems);
                    return null;
                }));
            }
            for (Future<?> f : workers) f.get(RUN.toSeconds() + 60, TimeUnit.SECONDS);
            pool.shutdown();
            assertTrue(problems.isEmpty(), ops.get() + " operations, problems:\n" + String.join("\n", problems));
            assertTrue(ops.get() > 100, "only " + ops.get() + " operations ran");
            LoggerFactory.getLogger(StressIT.class).info("{} operations; {} reads cut short by a size cached "
                    + "before the other mount replaced the file", ops.get(), shortReads.get());

            Thread.sleep(2_000); // both kernels' attribute and entry timeouts (1 s) run out; upcalls refresh the caches
            Set<String> onA = names(a.resolve("d"));
            Set<String> onB = names(b.resolve("d"));
            assertEquals(onA, onB, "both mounts list the same names");
            for (String n : onA) {
                assertTrue(n.startsWith("n"), "a private name survived: " + n);
                for (Path m : List.of(a, b)) {
                    String bad = Record.check(Files.readAllBytes(m.resolve("d").resolve(n)));
                    assertEquals(null, bad, m + "/d/" + n);
                }
                long copies = cluster.bricks.stream().filter(br -> isDataFile(br.dir.resolve("d").resolve(n))).count();
                assertEquals(1, copies, n + " is a data file on exactly one brick");
            }
        }
    }

    /** One worker's loop: a random mix of publish, read, rename and unlink on the shared names. */
    private static void work(int id, Path dir, long deadline, AtomicLong ops, AtomicLong shortReads,
                             ConcurrentLinkedQueue<String> problems) {
        Random rnd = new Random(id * 31L + 7);
        long seq = 0;
        while (System.nanoTime() < deadline && problems.size() < 20) {
            Path name = dir.resolve("n" + rnd.nextInt(NAMES));
            try {
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        Path mine = dir.resolve("tmp-" + id + "-" + seq);
                        Files.write(mine, Record.of(id, seq++, rnd.nextInt(200_000)));
                        try {
                            Files.move(mine, name, StandardCopyOption.ATOMIC_MOVE);
                        } catch (IOException e) {
                            // Nobody else knows the source: whatever the other mount does to the
                            // shared name, publishing over it must work.
                            problems.add("publishing " + mine + ": " + e);
                        }
                    }
                    case 1 -> {
                        byte[] content = Files.readAllBytes(name);
                        String bad = Record.check(content);
                        if (bad != null && Record.isStaleSized(content)) {
                            // The name was replaced by the other mount less than attr_timeout ago, and
                            // the kernel still held the old file's size (cutting the record short, or
                            // padding it with zeros): allowed, the mount sees the other client's change
                            // within its timeouts. Wrong bytes are not.
                            shortReads.incrementAndGet();
                        } else if (bad != null) {
                            problems.add("read " + name + ": " + bad);
                        }
                    }
                    case 2 -> Files.move(name, dir.resolve("n" + rnd.nextInt(NAMES)), StandardCopyOption.ATOMIC_MOVE);
                    default -> Files.delete(name);
                }
                ops.incrementAndGet();
            } catch (NoSuchFileException e) {
                ops.incrementAndGet(); // another worker got there first: normal
            } catch (IOException e) {
                problems.add(e.toString());
            }
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static boolean isDataFile(Path p) {
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    && (Files.size(p) > 0 || ((int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777) != 01000);
        } catch (IOException e) {
            return false;
        }
    }

    /** A self-checking file: a header line naming writer, sequence and length, then seeded bytes. */
    static final class Record {
        static byte[] of(int writer, long seq, int length) {
            byte[] header = ("glusterj-stress " + writer + " " + seq + " " + length + "\n").getBytes(StandardCharsets.US_ASCII);
            byte[] out = Arrays.copyOf(header, header.length + length);
            byte[] body = new byte[length];
            new Random(writer * 1_000_003L + seq).nextBytes(body);
            System.arraycopy(body, 0, out, header.length, length);
            return out;
        }

        /** True if {@code content} is a writer's record cut short, or followed by nothing but zeros. */
        static boolean isStaleSized(byte[] content) {
            String[] f = header(content);
            if (f == null) return false;
            byte[] expected = of(Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]));
            int common = Math.min(content.length, expected.length);
            if (!Arrays.equals(expected, 0, common, content, 0, common)) return false;
            for (int i = common; i < content.length; i++) {
                if (content[i] != 0) return false;
            }
            return true;
        }

        private static String[] header(byte[] content) {
            for (int i = 0; i < Math.min(content.length, 100); i++) {
                if (content[i] == '\n') {
                    String[] f = new String(content, 0, i, StandardCharsets.US_ASCII).split(" ");
                    return f.length == 4 && f[0].equals("glusterj-stress") ? f : null;
                }
            }
            return null;
        }

        /** Null if {@code content} is exactly one writer's record, else what is wrong with it. */
        static String check(byte[] content) {
            String[] f = header(content);
            if (f == null) return "no record header in " + content.length + " bytes";
            byte[] expected = of(Integer.parseInt(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]));
            if (expected.length != content.length) {
                return "record " + f[1] + "/" + f[2] + " should be " + expected.length + " bytes, has " + content.length;
            }
            return Arrays.equals(expected, content) ? null : "record " + f[1] + "/" + f[2] + " has wrong bytes";
        }
    }
}
