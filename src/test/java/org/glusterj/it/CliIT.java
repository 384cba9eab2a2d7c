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
        List<String> cmd = new ArrayList<>(Jars.java());
        cmd.add("-jar");
        cmd.add(jar);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("command did not finish: " + cmd);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
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
