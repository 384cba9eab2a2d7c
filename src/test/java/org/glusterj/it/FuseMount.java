package org.glusterj.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real client process mounting a volfile through the kernel. {@link #close} always leaves the
 * mountpoint unmounted, also when the client died or hangs.
 */
final class FuseMount implements AutoCloseable {
    final Path mountpoint;
    final Path volfile;
    private final Path log;
    private final List<String> extraArgs;
    private Process process;

    FuseMount(Path volfile, Path mountpoint, Path log, List<String> extraArgs) {
        this.volfile = volfile;
        this.mountpoint = mountpoint;
        this.log = log;
        this.extraArgs = extraArgs;
    }

    FuseMount start() throws IOException, InterruptedException {
        Files.createDirectories(mountpoint);
        process = launch();
        Waits.until(Duration.ofSeconds(30), "mount at " + mountpoint + " (log " + log + ")", () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("client exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            return isMounted(mountpoint);
        });
        return this;
    }

    /** Starts the client without waiting for the mount, for tests of failing mounts. */
    Process launch() throws IOException {
        List<String> cmd = new ArrayList<>(Jars.java());
        cmd.addAll(List.of("-jar", Jars.client(), volfile.toString(), mountpoint.toString()));
        cmd.addAll(extraArgs);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    Process process() {
        return process;
    }

    String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: the client unmounts and exits 0
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
        forceUnmount(mountpoint);
    }

    static boolean isMounted(Path mountpoint) throws IOException {
        String needle = " " + mountpoint.toAbsolutePath() + " ";
        return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.contains(needle));
    }

    static void forceUnmount(Path mountpoint) throws IOException, InterruptedException {
        if (!isMounted(mountpoint)) return;
        new ProcessBuilder("fusermount", "-uz", mountpoint.toString()).inheritIO().start().waitFor();
        if (isMounted(mountpoint)) new ProcessBuilder("umount", "-l", mountpoint.toString()).inheritIO().start().waitFor();
    }
}
