package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.glusterj.graph.XlatorRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GlusterFS's metadata-cache setup through two real mounts of one 2-brick volume: bricks run
 * features/upcall with cache-invalidation, clients run md-cache (md-cache-timeout 600,
 * cache-invalidation on) over nl-cache. Mount A caches attributes and negative lookups; mount B
 * changes things; A must see every change within a few seconds (the kernel's own 1 s attribute
 * and entry timeouts remain), where without upcalls md-cache would hide them for 600 s.
 */
class CacheInvalidationIT {
    /** Visibility deadline: FUSE's 1 s timeouts plus an upcall, with room for a loaded machine. */
    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(5);

    private static Path root;
    private static final List<Process> bricks = new ArrayList<>();
    private static final List<FuseMount> mounts = new ArrayList<>();
    private static Path a;
    private static Path b;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(XlatorRegistry.find("features/upcall").isPresent()
                        && XlatorRegistry.find("performance/nl-cache").isPresent(),
                "features/upcall and performance/nl-cache are not in XlatorRegistry yet");
        root = Path.of("target", "it", "cache-invalidation-it").toAbsolutePath();
        if (Files.exists(root)) {
            FuseMount.forceUnmount(root.resolve("a"));
            FuseMount.forceUnmount(root.resolve("b"));
            Cluster.deleteTree(root);
        }
        Files.createDirectories(root.resolve("logs"));
        try {
            int[] ports = {BrickProcess.freePort(), BrickProcess.freePort()};
            for (int i = 0; i < 2; i++) startBrick("b" + (i + 1), ports[i]);
            Path volfile = root.resolve("client.vol");
            Files.writeString(volfile, clientVolfile(ports));
            a = mount(volfile, "a");
            b = mount(volfile, "b");
        } catch (Throwable t) {
            stop();
            throw t;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (FuseMount m : mounts) m.close();
        for (Process p : bricks) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
    }

    private static void startBrick(String name, int port) throws IOException, InterruptedException {
        Path dir = root.resolve("bricks").resolve(name);
        Files.createDirectories(dir);
        Path vol = root.resolve(name + ".vol");
        Files.writeString(vol, """
                volume %1$s-posix
                    type storage/posix
                    option directory %2$s
                end-volume

                volume %1$s-io-threads
                    type performance/io-threads
                    subvolumes %1$s-posix
                end-volume

                volume %1$s
                    type features/upcall
                    option cache-invalidation on
                    option cache-invalidation-timeout 600
                    subvolumes %1$s-io-threads
                end-volume

                volume %1$s-server
                    type protocol/server
                    option transport.socket.listen-port %3$d
                    option transport.socket.bind-address 127.0.0.1
                    option auth.addr.%1$s.allow 127.0.0.1
                    subvolumes %1$s
                end-volume
                """.formatted(name, dir, port));
        List<String> cmd = new ArrayList<>(Jars.java());
        cmd.addAll(List.of("-jar", Jars.brick(), vol.toString()));
        Path log = root.resolve("logs").resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        bricks.add(p);
        Waits.until(Duration.ofSeconds(30), "brick " + name + " listening on " + port + " (log " + log + ")", () -> {
            if (!p.isAlive()) throw new IllegalStateException("brick " + name + " exited: " + Files.readString(log));
            return BrickProcess.accepts(port);
        });
    }

    private static String clientVolfile(int[] ports) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ports.length; i++) {
            sb.append("""
                    volume vol-client-%1$d
                        type protocol/client
                        option remote-host 127.0.0.1
                        option remote-port %2$d
                        option remote-subvolume b%3$d
                        option ping-timeout %4$d
                    end-volume

                    """.formatted(i, ports[i], i + 1, Cluster.PING_TIMEOUT_SECONDS));
        }
        sb.append("""
                volume vol-dht
                    type cluster/distribute
                    subvolumes vol-client-0 vol-client-1
                end-volume

                volume vol-write-behind
                    type performance/write-behind
                    subvolumes vol-dht
                end-volume

                volume vol-nl-cache
                    type performance/nl-cache
                    option nl-cache-timeout 600
                    subvolumes vol-write-behind
                end-volume

                volume vol-md-cache
                    type performance/md-cache
                    option md-cache-timeout 600
                    option cache-invalidation on
                    subvolumes vol-nl-cache
                end-volume

                volume vol
                    type debug/io-stats
                    subvolumes vol-md-cache
                end-volume
                """);
        return sb.toString();
    }

    private static Path mount(Path volfile, String name) throws IOException, InterruptedException {
        FuseMount m = new FuseMount(volfile, root.resolve(name), root.resolve("logs").resolve(name + ".log"), List.of());
        mounts.add(m);
        return m.start().mountpoint;
    }

    private static void eventually(String what, java.util.concurrent.Callable<Boolean> seen) throws InterruptedException {
        Waits.until(VISIBLE_WITHIN, "mount A to see " + what, seen);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void mountASeesEveryChangeMountBMakes() throws Exception {
        Files.createDirectory(b.resolve("d"));
        eventually("the new directory", () -> Files.isDirectory(a.resolve("d")));

        // A caches "no such name"; B creates it.
        Path aFile = a.resolve("d").resolve("f");
        Path bFile = b.resolve("d").resolve("f");
        assertFalse(Files.exists(aFile));
        assertFalse(Files.exists(aFile));
        Files.writeString(bFile, "hello");
        eventually("B's new file", () -> Files.exists(aFile));
        assertEquals("hello", Files.readString(aFile));

        // A caches the attributes; B changes mode and size.
        assertEquals("rw-r--r--", mode(aFile));
        Files.setPosixFilePermissions(bFile, PosixFilePermissions.fromString("rw-------"));
        eventually("the chmod", () -> mode(aFile).equals("rw-------"));
        assertEquals(5, Files.size(aFile));
        Files.writeString(bFile, " world", StandardOpenOption.APPEND);
        eventually("the new size", () -> Files.size(aFile) == 11);

        // Many negative lookups by A, then creates by B in the same directory.
        for (int i = 0; i < 20; i++) assertFalse(Files.exists(a.resolve("d").resolve("n" + i)));
        for (int i = 0; i < 20; i++) Files.writeString(b.resolve("d").resolve("n" + i), "x" + i);
        for (int i = 0; i < 20; i++) {
            Path p = a.resolve("d").resolve("n" + i);
            eventually("created file n" + i, () -> Files.exists(p));
        }

        // Renames and unlinks by B.
        Files.move(b.resolve("d").resolve("n0"), b.resolve("d").resolve("renamed"));
        eventually("the rename", () -> !Files.exists(a.resolve("d").resolve("n0"))
                && Files.exists(a.resolve("d").resolve("renamed")));
        assertEquals("x0", Files.readString(a.resolve("d").resolve("renamed")));
        Files.delete(bFile);
        eventually("the unlink", () -> !Files.exists(aFile));

        // A directory A made itself: its nl-cache answers absent names, yet B's create shows.
        Files.createDirectory(a.resolve("mine"));
        assertFalse(Files.exists(a.resolve("mine").resolve("x")));
        Files.writeString(b.resolve("mine").resolve("x"), "from b");
        eventually("B's file in A's fresh directory", () -> Files.exists(a.resolve("mine").resolve("x")));

        // And A's own changes are seen by A at once (no upcall involved).
        Files.writeString(a.resolve("mine").resolve("own"), "own");
        assertTrue(Files.exists(a.resolve("mine").resolve("own")));
        Files.delete(a.resolve("mine").resolve("own"));
        assertFalse(Files.exists(a.resolve("mine").resolve("own")));
    }
}
