package org.glusterj.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On request ({@code GLUSTERJ_JIT=c1}), keeps the JIT to its quick compiler (C1). The JVM's default
 * (C1 first, C2 for hot code) is what mounts and bricks run with otherwise, because C2's code is
 * what a long-lived process wants: with C1 only, a 4 KiB random read or write cost the client
 * and the brick about twice the CPU per operation (client ~220 against ~115 µs per randwrite,
 * interleaved runs on one machine), and a loopback round trip is about as long as the CPU path
 * through both processes, so IOPS halved. C1 only pays off in short lives: C2 spends 10-15 s of
 * CPU per process compiling in the first minutes.
 * Users start us with {@code java -jar}, which takes no JVM flags from the jar, so the JVM is told
 * at run time, through the same compiler-directive command as {@code jcmd Compiler.directives_add}.
 */
final class QuickCompiles {
    private static final Logger log = LoggerFactory.getLogger(QuickCompiles.class);
    static final String VARIABLE = "GLUSTERJ_JIT";
    private static final String NO_C2 = "[{ match: \"*.*\", c2: { Exclude: true } }]";

    private QuickCompiles() {
    }

    static void apply() {
        apply(System.getenv(VARIABLE));
    }

    /** Adds the C1-only directive to this JVM if {@code setting} (the variable's value) asks for it. */
    static void apply(String setting) {
        if (!wanted(setting)) return;
        Path directives = null;
        try {
            directives = Files.createTempFile("glusterj-jit", ".json");
            Files.writeString(directives, NO_C2);
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {directives.toString()}}, new String[] {String[].class.getName()});
        } catch (Exception | LinkageError e) {
            log.debug("could not restrict the JIT to C1; running with the JVM's default", e);
        } finally {
            if (directives != null) {
                try {
                    Files.deleteIfExists(directives);
                } catch (IOException e) {
                    log.debug("could not delete {}", directives, e);
                }
            }
        }
    }

    /**
     * Whether the value of {@code GLUSTERJ_JIT} asks for C1 only: {@code c1} does; unset, empty
     * and {@code full} leave the JVM's default; anything else is warned about and ignored.
     */
    static boolean wanted(String setting) {
        if (setting == null) return false;
        String s = setting.trim().toLowerCase(Locale.ROOT);
        if (s.equals("c1")) return true;
        if (!s.isEmpty() && !s.equals("full")) {
            log.warn("{}={} is not understood: use c1 (quick compiler only) or full (the JVM's default);"
                    + " running with the JVM's default", VARIABLE, setting);
        }
        return false;
    }
}
