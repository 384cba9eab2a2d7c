package org.glusterj.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/** Reads what glusterj stores on a brick that Java's own APIs cannot see (trusted.* xattrs). */
final class Bricks {
    /** A trusted.* xattr of a file on a brick, or null if it has none (via getfattr from the attr package). */
    static byte[] trustedXattr(Path file, String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("getfattr", "--absolute-names", "-h", "-e", "hex", "-n", name, file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
        for (String line : out.split("\n")) {
            if (line.startsWith(name + "=0x")) return HexFormat.of().parseHex(line.substring(name.length() + 3).trim());
        }
        return null;
    }

    /** The [start, stop] hash range a directory's DHT layout gives this brick. */
    static long[] layoutRange(Path dirOnBrick) throws IOException, InterruptedException {
        byte[] l = trustedXattr(dirOnBrick, "trusted.glusterfs.dht");
        if (l == null || l.length != 16) throw new AssertionError("no DHT layout on " + dirOnBrick);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(l);
        b.getInt(); // commit hash
        b.getInt(); // type
        return new long[] {Integer.toUnsignedLong(b.getInt()), Integer.toUnsignedLong(b.getInt())};
    }

    private Bricks() {
    }
}
