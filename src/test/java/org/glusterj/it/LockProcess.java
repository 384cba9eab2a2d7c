package org.glusterj.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A python3 process (src/test/resources/it/lockdriver.py) that opens one file and takes fcntl or
 * flock locks on it on command, so that lock owners are real processes as the kernel sees them.
 */
final class LockProcess implements AutoCloseable {
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(10);

    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    final long pid;

    LockProcess(Path file) throws IOException, InterruptedException {
        try {
            process = new ProcessBuilder("python3", "-u", script().toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("LocksIT takes its locks with python3, which cannot be started: "
                    + e.getMessage() + "; install python3 or put it on the PATH", e);
        }
        in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) answers.add(line);
            } catch (IOException e) {
                answers.add("reader failed: " + e);
            }
        }, "lockdriver-output");
        reader.setDaemon(true);
        reader.start();
        try {
            String ready = next(ANSWER_LIMIT);
            if (ready == null || !ready.startsWith("ready ")) throw new IllegalStateException("lock driver: " + ready);
            pid = Long.parseLong(ready.substring(6).trim());
            String opened = call("open " + file);
            if (!opened.equals("ok")) throw new IllegalStateException("lock driver cannot open " + file + ": " + opened);
        } catch (RuntimeException | Error | InterruptedException e) {
            close();
            throw e;
        }
    }

    private static Path script() {
        try {
            return Path.of(LockProcess.class.getResource("/it/lockdriver.py").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends a command without waiting for its answer (for calls that block). */
    void send(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
    }

    /** The next answer, or null if none comes within {@code limit}. */
    String next(Duration limit) throws InterruptedException {
        return answers.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends a command and returns its answer; fails if none comes within 10 s. */
    String call(String command) throws IOException, InterruptedException {
        send(command);
        String a = next(ANSWER_LIMIT);
        if (a == null) throw new AssertionError("no answer to \"" + command + "\" within " + ANSWER_LIMIT.toSeconds() + " s");
        return a;
    }

    void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).inheritIO().start().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
