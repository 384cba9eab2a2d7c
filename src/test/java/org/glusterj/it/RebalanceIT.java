package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Growing a volume: add a brick, rebalance with the command-line tool while a writer runs. */
class RebalanceIT {

    @Test
    void aThirdBrickTakesAboutAThirdOfTheFiles() throws Exception {
        try (Cluster cluster = new Cluster("rebalance-it")) {
            cluster.startBrick("b1");
            cluster.startBrick("b2");
            Map<String, String> expected = new ConcurrentHashMap<>();
            Path source = Path.of("src").toAbsolutePath();
            try (FuseMount two = cluster.mount("mnt2")) {
                assertEquals(0, DistributeIT.run("cp", "-r", source.toString(), two.mountpoint.resolve("tree").toString()));
                Files.createDirectories(two.mountpoint.resolve("dir/sub"));
                for (int i = 0; i < 300; i++) {
                    String rel = (i % 3 == 0 ? "" : i % 3 == 1 ? "dir/" : "dir/sub/") + "file-" + i;
                    String content = "content of " + rel + " " + "x".repeat(i * 10);
                    Files.writeString(two.mountpoint.resolve(rel), content);
                    expected.put(rel, content);
                }
            }

            BrickProcess b3 = cluster.startBrick("b3");
            FuseMount three = cluster.mount("mnt3");
            Path m = three.mountpoint;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> writerError = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        String rel = "dir/written-during-" + i;
                        String content = "written while rebalancing " + i;
                        Files.writeString(m.resolve(rel), content);
                        expected.put(rel, content);
                        String old = "dir/file-" + (1 + 3 * (i % 100));
                        String rewritten = "rewritten " + i;
                        Files.writeString(m.resolve(old), rewritten);
                        expected.put(old, rewritten);
                    }
                } catch (Throwable t) {
                    writerError.set(t);
                }
            }, "writer");
            writer.start();
            CliIT.Result r;
            try {
                r = rebalance(cluster.clientVolfile());
            } finally {
                stop.set(true);
                writer.join(30_000);
            }
            assertEquals(0, r.exit(), r.output());
            assertTrue(r.output().contains("moved"), r.output());
            if (writerError.get() != null) throw new AssertionError("writer failed during rebalance", writerError.get());

            assertEquals(0, DistributeIT.run("diff", "-r", source.toString(), m.resolve("tree").toString()),
                    "diff -r against the original is clean after the rebalance");
            for (Map.Entry<String, String> e : expected.entrySet()) {
                assertEquals(e.getValue(), Files.readString(m.resolve(e.getKey())), e.getKey());
            }
            long onB3 = dataFiles(b3.dir);
            long total = 0;
            for (BrickProcess b : cluster.bricks) total += dataFiles(b.dir);
            long treeFiles;
            try (Stream<Path> t = Files.walk(source)) {
                treeFiles = t.filter(Files::isRegularFile).count();
            }
            assertEquals(expected.size() + treeFiles, total, "each file's data on exactly one brick");
            double share = (double) onB3 / total;
            assertTrue(share > 0.2 && share < 0.45, "the new brick holds about a third: " + onB3 + " of " + total);
        }
    }

    /** Regular files holding data under a brick (not .glusterfs handles, not zero-size sticky linkto files). */
    private static long dataFiles(Path brick) throws IOException {
        try (Stream<Path> s = Files.walk(brick)) {
            return s.filter(p -> !brick.relativize(p).startsWith(".glusterfs"))
                    .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> {
                        try {
                            int mode = (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                            return (mode & 07777) != 01000;
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }).count();
        }
    }

    private static CliIT.Result rebalance(Path volfile) throws IOException, InterruptedException {
        return CliIT.run(300, Jars.client(), "--rebalance", volfile.toString());
    }
}
