package org.glusterj.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JIT to its quick compiler (C1). A mount or a brick spends its life in short calls
 * that mostly wait on system calls; on a machine with two cores, C2 compiling the hot paths for
 * minutes after start took CPU from the fops themselves (about a third of the client's CPU time
 * in a small-file run) for code that mostly waits anyway.
 * Users start us with {@code java -jar}, which takes no JVM flags from the jar, so the JVM is told
 * at run time, through the same compiler-directive command as {@code jcmd Compiler.directives_add}.
 * Setting {@code GLUSTERJ_JIT=full} in the environment leaves the JVM's default.
 */
final class QuickCompiles {
    private static final Logger log = LoggerFactory.getLogger(QuickCompiles.class);
    private static final String NO_C2 = "[{ match: \"*.*\", c2: { Exclude: true } }]";

    private QuickCompiles() {
    }

    static void apply() {
        if ("full".equalsIgnoreCase(System.getenv("GLUSTERJ_JIT"))) return;
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
}
