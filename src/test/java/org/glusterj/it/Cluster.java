package org.glusterj.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Bricks and mounts for one integration test, under target/it/NAME. Closing it unmounts every
 * mount and stops every brick, whatever state the test left them in. A test class that shares
 * one closes it in @AfterAll, which JUnit runs also when @BeforeAll failed halfway.
 */
final class Cluster implements AutoCloseable {
    /** Short so that tests of a dead brick finish quickly; GlusterFS's default is 42 s. */
    static final int PING_TIMEOUT_SECONDS = 3;

    /** Layers above distribute, bottom first: name, type, then option key/value pairs. */
    private static final String[][] DEFAULT_STACK = {
            {"vol-open-behind", "performance/open-behind"},
            {"vol-quick-read", "performance/quick-read", "cache-timeout", "60"},
            {"vol-write-behind", "performance/write-behind"},
            {"vol-readdir-ahead", "performance/readdir-ahead", "rda-listing-timeout", "600"},
            {"vol-nl-cache", "performance/nl-cache", "nl-cache-timeout", "600"},
            {"vol-md-cache", "performance/md-cache", "md-cache-timeout", "600", "cache-invalidation", "on"},
            {"vol", "debug/io-stats"}};

    final Path root;
    final List<BrickProcess> bricks = new ArrayList<>();
    private final List<FuseMount> mounts = new ArrayList<>();

    Cluster(String name) throws IOException, InterruptedException {
        root = Path.of("target", "it", name).toAbsolutePath();
        if (Files.exists(root)) {
            // A previous run may have been killed while mounted: never delete through a live mount.
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.toList()) FuseMount.forceUnmount(p);
            }
            FuseMount.forceUnmount(root.resolve("mnt"));
            deleteTree(root);
        }
        Files.createDirectories(root.resolve("logs"));
    }

    BrickProcess startBrick(String name) throws IOException, InterruptedException {
        BrickProcess b = new BrickProcess(name, root.resolve("bricks").resolve(name), BrickProcess.freePort(), root.resolve("logs"));
        bricks.add(b);
        return b.start();
    }

    /**
     * A client volfile with one protocol/client per brick, distributed over them if more than one,
     * under the default performance stack.
     */
    Path clientVolfile() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bricks.size(); i++) {
            BrickProcess b = bricks.get(i);
            sb.append("volume vol-client-").append(i).append('\n')
                    .append("    type protocol/client\n")
                    .append("    option remote-host 127.0.0.1\n")
                    .append("    option remote-port ").append(b.port).append('\n')
                    .append("    option remote-subvolume ").append(b.name).append('\n')
                    .append("    option ping-timeout ").append(PING_TIMEOUT_SECONDS).append('\n')
                    .append("end-volume\n\n");
        }
        String below = "vol-client-0";
        if (bricks.size() > 1) {
            sb.append("volume vol-dht\n    type cluster/distribute\n    subvolumes");
            for (int i = 0; i < bricks.size(); i++) sb.append(" vol-client-").append(i);
            sb.append("\nend-volume\n");
            below = "vol-dht";
        }
        // The default performance stack, as volfiles/two-brick.vol has it: the suite runs through it.
        for (String[] layer : DEFAULT_STACK) {
            sb.append("volume ").append(layer[0]).append("\n    type ").append(layer[1]).append('\n');
            for (int i = 2; i < layer.length; i += 2) {
                sb.append("    option ").append(layer[i]).append(' ').append(layer[i + 1]).append('\n');
            }
            sb.append("    subvolumes ").append(below).append("\nend-volume\n");
            below = layer[0];
        }
        Path vol = root.resolve("client.vol");
        Files.writeString(vol, sb.toString());
        return vol;
    }

    FuseMount mount(String name, String... extraArgs) throws IOException, InterruptedException {
        FuseMount m = new FuseMount(clientVolfile(), root.resolve(name), root.resolve("logs").resolve(name + ".log"),
                List.of(extraArgs));
        mounts.add(m);
        return m.start();
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (FuseMount m : mounts) {
            try {
                m.close();
            } catch (Exception e) {
                if (first == null) first = e;
            }
        }
        for (BrickProcess b : bricks) {
            try {
                b.close();
            } catch (Exception e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
