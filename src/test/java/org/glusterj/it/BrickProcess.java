package org.glusterj.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real brick: {@code java -jar glusterj-brick.jar --dir DIR --port N --name NAME} in its own process. */
final class BrickProcess implements AutoCloseable {
    final String name;
    final Path dir;
    final int port;
    private final Path log;
    private Process process;

    BrickProcess(String name, Path dir, int port, Path logDir) {
        this.name = name;
        this.dir = dir;
        this.port = port;
        this.log = logDir.resolve(name + ".log");
    }

    BrickProcess start() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(Jars.java());
        cmd.addAll(List.of("-jar", Jars.brick(), "--dir", dir.toString(), "--port", Integer.toString(port),
                "--name", name, "--bind", "127.0.0.1", "--allow", "127.0.0.1"));
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Waits.until(Duration.ofSeconds(30), "brick " + name + " listening on " + port + " (log " + log + ")", () -> {
            if (!process.isAlive()) throw new IllegalStateException("brick " + name + " exited: " + Files.readString(log));
            return accepts(port);
        });
        return this;
    }

    /** kill -9: the brick vanishes without closing anything gracefully. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) kill9();
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
