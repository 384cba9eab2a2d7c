package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.glusterj.core.FopException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both ways of opening a path below the brick root refuse symlinks and "..", and open real paths. */
class OpenBeneathTest {

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void opensOnlyRealPathsBelowTheRoot(boolean useOpenat2) throws Exception {
        Path base = Path.of("target", "test-bricks").toAbsolutePath();
        Files.createDirectories(base);
        Path root = Files.createTempDirectory(base, "beneath-");
        Files.createDirectories(root.resolve("a/b"));
        Files.createSymbolicLink(root.resolve("a/up"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("rel"), Path.of("a"));
        boolean saved = Sys.openat2Works;
        Sys.openat2Works = useOpenat2;
        int rootFd = Sys.openat(-100, root.toString(), Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
        try {
            int fd = Sys.openBeneath(rootFd, "a/b", Sys.O_RDONLY | Sys.O_DIRECTORY);
            assertTrue(Sys.fstat(fd).isDir());
            Sys.closeQuietly(fd);
            assertThrows(FopException.class, () -> Sys.openBeneath(rootFd, "a/up/etc", Sys.O_RDONLY | Sys.O_DIRECTORY));
            assertThrows(FopException.class, () -> Sys.openBeneath(rootFd, "a/up", Sys.O_RDONLY | Sys.O_DIRECTORY));
            assertThrows(FopException.class, () -> Sys.openBeneath(rootFd, "rel/b", Sys.O_RDONLY | Sys.O_DIRECTORY));
            assertThrows(FopException.class, () -> Sys.openBeneath(rootFd, "a/../..", Sys.O_RDONLY | Sys.O_DIRECTORY));
            assertThrows(FopException.class, () -> Sys.openBeneath(rootFd, "..", Sys.O_RDONLY | Sys.O_DIRECTORY));
        } finally {
            Sys.closeQuietly(rootFd);
            Sys.openat2Works = saved;
            BrickFixture.deleteTree(root);
        }
    }
}
