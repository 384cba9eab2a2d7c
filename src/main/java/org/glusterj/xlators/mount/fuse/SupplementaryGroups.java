package org.glusterj.xlators.mount.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The supplementary groups of the process behind a FUSE request, read from the "Groups:" line of
 * /proc/PID/status (FUSE only tells us uid, gid and pid). Cached per pid for a few seconds, as
 * GlusterFS does (gid-timeout), since a process rarely changes its groups and a metadata-heavy
 * workload would otherwise read /proc on every callback. A process that is already gone has no
 * supplementary groups.
 */
final class SupplementaryGroups {
    static final long DEFAULT_TTL_NANOS = 2_000_000_000L;
    private static final int[] NONE = new int[0];
    private static final int MAX_CACHED = 4096;

    private record Cached(int[] groups, long expiresAtNanos) {
    }

    private final Path procRoot;
    private final long ttlNanos;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<Integer, Cached> cache = new ConcurrentHashMap<>();

    SupplementaryGroups() {
        this(Path.of("/proc"), DEFAULT_TTL_NANOS, System::nanoTime);
    }

    SupplementaryGroups(Path procRoot, long ttlNanos, LongSupplier nanoClock) {
        this.procRoot = procRoot;
        this.ttlNanos = ttlNanos;
        this.nanoClock = nanoClock;
    }

    int[] of(int pid) {
        if (pid <= 0) return NONE;
        long now = nanoClock.getAsLong();
        Cached c = cache.get(pid);
        if (c != null && now - c.expiresAtNanos < 0) return c.groups;
        int[] groups = read(pid);
        if (cache.size() >= MAX_CACHED) cache.clear(); // pids churn; a full reset is cheap and bounded
        cache.put(pid, new Cached(groups, now + ttlNanos));
        return groups;
    }

    private int[] read(int pid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(procRoot.resolve(Integer.toString(pid)).resolve("status"), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return NONE; // the process exited before we looked
        }
        for (String line : lines) {
            if (line.startsWith("Groups:")) return parse(line.substring("Groups:".length()));
        }
        return NONE;
    }

    static int[] parse(String list) {
        String trimmed = list.trim();
        if (trimmed.isEmpty()) return NONE;
        String[] parts = trimmed.split("\\s+");
        int[] out = new int[parts.length];
        int n = 0;
        for (String p : parts) {
            try {
                out[n++] = Integer.parseUnsignedInt(p);
            } catch (NumberFormatException e) {
                n--; // a malformed entry is skipped rather than failing the whole request
            }
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
