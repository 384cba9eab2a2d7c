package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a user sees when something is wrong: a one-line reason and a non-zero exit status. */
class CliIT {
    record Result(int exit, String output) {
    }

    private static Result run(String jar, String... args) throws IOException, InterruptedException {
        return run(60, jar, args);
    }

    /**
     * Runs {@code java -jar JAR ARGS} and returns its exit status and output. The output goes to a
     * file, so a talkative command can neither fill the pipe and stall nor outlast the limit.
     */
    static Result run(long limitSeconds, String jar, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(Jars.java());
        cmd.add("-jar");
        cmd.add(jar);
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("glusterj-cli", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("command did not finish in " + limitSeconds + " s: " + cmd + "\n"
                        + Files.readString(out));
            }
            return new Result(p.exitValue(), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void helpOnBoth() throws Exception {
        Result c = run(Jars.client(), "--help");
        assertEquals(0, c.exit);
        assertTrue(c.output.contains("VOLFILE MOUNTPOINT"), c.output);
        Result b = run(Jars.brick(), "--help");
        assertEquals(0, b.exit);
        assertTrue(b.output.contains("--dir DIR"), b.output);
    }

    @Test
    void brokenVolfileNamesFileAndLine() throws Exception {
        try (Cluster cluster = new Cluster("cli-broken-volfile")) {
            Path vol = cluster.root.resolve("broken.vol");
            Files.writeString(vol, "volume c0\n    type protocol/client\n    option ping-timeout soon\nend-volume\n");
            Files.createDirectories(cluster.root.resolve("mnt"));
            Result r = run(Jars.client(), vol.toString(), cluster.root.resolve("mnt").toString());
            assertEquals(2, r.exit, r.output);
            assertTrue(r.output.contains("broken.vol:3"), r.output);
            assertTrue(r.output.contains("ping-timeout"), r.output);
            assertFalse(FuseMount.isMounted(cluster.root.resolve("mnt")));
        }
    }

    @Test
    void missingMountpointIsAUsageError() throws Exception {
        try (Cluster cluster = new Cluster("cli-missing-mountpoint")) {
            BrickProcess b = cluster.startBrick("b1");
            Result r = run(Jars.client(), cluster.clientVolfile().toString(), cluster.root.resolve("nowhere").toString());
            assertEquals(2, r.exit, r.output);
            assertTrue(r.output.contains("nowhere"), r.output);
            assertTrue(b.alive());
        }
    }

    @Test
    void brickOnAPortInUseExitsWithTheReason() throws Exception {
        try (Cluster cluster = new Cluster("cli-port-in-use"); ServerSocket taken = new ServerSocket(0)) {
            Result r = run(Jars.brick(), "--dir", cluster.root.resolve("b").toString(),
                    "--port", Integer.toString(taken.getLocalPort()));
            assertEquals(1, r.exit, r.output);
            assertTrue(r.output.toLowerCase().contains("in use"), r.output);
        }
    }

    @Test
    void clientRefusedByTheBrickExits() throws Exception {
        try (Cluster cluster = new Cluster("cli-refused")) {
            BrickProcess b = cluster.startBrick("b1");
            Path vol = cluster.root.resolve("wrong-subvolume.vol");
            Files.writeString(vol, "volume c0\n    type protocol/client\n    option remote-host 127.0.0.1\n"
                    + "    option remote-port " + b.port + "\n    option remote-subvolume nosuchbrick\nend-volume\n");
            Files.createDirectories(cluster.root.resolve("mnt"));
            Result r = run(Jars.client(), vol.toString(), cluster.root.resolve("mnt").toString());
            assertEquals(1, r.exit, r.output);
            assertFalse(FuseMount.isMounted(cluster.root.resolve("mnt")));
            assertTrue(b.alive(), "a refused client does not hurt the brick");
        }
    }
}
