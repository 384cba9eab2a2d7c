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

    /** A directory nested deeper than PATH_MAX (made relative to each level) opens; a symlink on the way still does not. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void opensPathsLongerThanPathMax(boolean useOpenat2) throws Exception {
        Path base = Path.of("target", "test-bricks").toAbsolutePath();
        Files.createDirectories(base);
        Path root = Files.createTempDirectory(base, "deep-");
        String comp = "d".repeat(250);
        int levels = 30; // 30 * 251 bytes: well over 4096
        boolean saved = Sys.openat2Works;
        Sys.openat2Works = useOpenat2;
        int rootFd = Sys.openat(-100, root.toString(), Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
        try {
            int dir = Sys.openat(rootFd, ".", Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
            for (int i = 0; i < levels; i++) {
                Sys.check(Sys.C.mkdirat(dir, Sys.cstr(comp), 0755), "mkdir");
                if (i == levels / 2) Sys.check(Sys.C.symlinkat(Sys.cstr(comp), dir, Sys.cstr("link")), "symlink");
                int next = Sys.openat(dir, comp, Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
                Sys.closeQuietly(dir);
                dir = next;
            }
            Sys.closeQuietly(dir);
            String deep = String.join("/", java.util.Collections.nCopies(levels, comp));
            assertTrue(deep.length() > 4096);
            int fd = Sys.openBeneath(rootFd, deep, Sys.O_RDONLY | Sys.O_DIRECTORY);
            assertTrue(Sys.fstat(fd).isDir());
            Sys.closeQuietly(fd);
            String viaLink = String.join("/", java.util.Collections.nCopies(levels / 2, comp)) + "/link/"
                    + String.join("/", java.util.Collections.nCopies(3, comp));
            assertThrows(FopException.class, () -> Sys.openBeneath(rootFd, viaLink, Sys.O_RDONLY | Sys.O_DIRECTORY));
            for (String piece : Sys.pathPieces(deep)) assertTrue(piece.length() < Sys.PATH_PIECE, piece.length() + " bytes");
        } finally {
            Sys.closeQuietly(rootFd);
            Sys.openat2Works = saved;
            new ProcessBuilder("rm", "-rf", root.toString()).inheritIO().start().waitFor();
        }
    }
}
