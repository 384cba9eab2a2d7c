package org.glusterj.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the shaded jars are (set by failsafe) and how to start a JVM for them. */
final class Jars {
    static String client() {
        return existing(System.getProperty("glusterj.clientJar", "target/glusterj-client.jar"));
    }

    static String brick() {
        return existing(System.getProperty("glusterj.brickJar", "target/glusterj-brick.jar"));
    }

    static List<String> java() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m");
    }

    private static String existing(String jar) {
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(jar + " is missing: integration tests run after `mvn package`");
        }
        return jar;
    }

    private Jars() {
    }
}
