package org.glusterj.xlators.cluster.dht;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.TestInfo;

/**
 * Real storage/posix bricks for one test, each in its own directory under a fresh directory in
 * target/AREA named after the test. Closing stops them and deletes everything.
 */
final class PosixBricks implements AutoCloseable {
    final List<Path> dirs = new ArrayList<>();
    final List<PosixXlator> posix = new ArrayList<>();
    private final Path base;

    PosixBricks(String area, TestInfo test) throws IOException {
        Path root = Path.of("target", area).toAbsolutePath();
        Files.createDirectories(root);
        base = Files.createTempDirectory(root, test.getTestMethod().map(m -> m.getName()).orElse("t") + "-");
    }

    /** Another brick, in directory brickN, as an xlator named {@code name}. */
    PosixXlator add(String name) throws IOException {
        Path dir = Files.createDirectory(base.resolve("brick" + dirs.size()));
        PosixXlator p = new PosixXlator(XlatorConfig.of(name, "storage/posix", Options.of("directory", dir.toString()),
                List.of()));
        dirs.add(dir);
        posix.add(p);
        return p;
    }

    @Override
    public void close() throws IOException {
        posix.forEach(Xlator::fini);
        try (var s = Files.walk(base)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
