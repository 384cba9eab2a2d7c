package org.glusterj.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs one check of posix_checks.py on a mount and on a local directory of the same filesystem
 * type as the bricks, so that a test can compare the two outcomes key by key and then assert the
 * values that matter. The script prints "key=value" per outcome (an errno name, "ok", a stat field).
 */
final class PosixChecks {
    static final Path SCRIPT = Path.of("src/test/resources/org/glusterj/it/posix_checks.py").toAbsolutePath();
    private static final long LIMIT_SECONDS = 120;

    private final Path mount;
    private final List<Path> bricks;
    private final Path local;
    private final Path logs;

    PosixChecks(Path mount, List<Path> bricks, Path local, Path logs) throws IOException {
        this.mount = mount;
        this.bricks = bricks;
        this.local = Files.createDirectories(local);
        this.logs = logs;
    }

    /** The outcomes on the mount; the bricks are where it looks for the file's bytes on disk. */
    Map<String, String> onMount(String check) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(check, mount.toString()));
        for (Path b : bricks) args.add(b.toString());
        return run("mount", args);
    }

    /** The outcomes on the local directory (it is its own "brick"). */
    Map<String, String> onLocal(String check) throws IOException, InterruptedException {
        return run("local", List.of(check, local.toString()));
    }

    /** Runs the check on both and asserts that every outcome on the mount is the local one. */
    Map<String, String> sameAsLocal(String check) throws IOException, InterruptedException {
        Map<String, String> here = onLocal(check);
        Map<String, String> there = onMount(check);
        assertSame(check, here, there);
        return there;
    }

    static void assertSame(String check, Map<String, String> local, Map<String, String> mount) {
        List<String> diffs = new ArrayList<>();
        for (String k : local.keySet()) {
            if (!Objects.equals(local.get(k), mount.get(k))) {
                diffs.add(k + ": local " + local.get(k) + ", mount " + mount.get(k));
            }
        }
        for (String k : mount.keySet()) if (!local.containsKey(k)) diffs.add(k + ": only on the mount: " + mount.get(k));
        assertTrue(diffs.isEmpty(), check + " differs from a local directory:\n  " + String.join("\n  ", diffs));
    }

    private Map<String, String> run(String where, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("python3", SCRIPT.toString()));
        cmd.addAll(args);
        Path err = logs.resolve("posix-" + args.get(0) + "-" + where + ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = in.readAllBytes(); // the script prints once, at its end
        }
        if (!p.waitFor(LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(args.get(0) + " on " + where + " did not finish in " + LIMIT_SECONDS + " s");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) result.put(line.substring(0, eq), line.substring(eq + 1));
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(args.get(0) + " on " + where + " failed (exit " + p.exitValue() + ") after "
                    + result + ":\n" + Files.readString(err));
        }
        return result;
    }
}
