package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Statvfs;
import org.junit.jupiter.api.Test;

/** struct stat / struct statvfs decoding checked against what java.nio reads for the same files. */
class NativeLayoutTest {
    private static final Path DIR = Path.of("target", "test-bricks").toAbsolutePath();

    @Test
    void statLayoutMatchesJavaNio() throws Exception {
        Files.createDirectories(DIR);
        Path f = Files.createTempFile(DIR, "stat-", ".bin");
        try {
            Files.write(f, new byte[70000]);
            Files.setLastModifiedTime(f, FileTime.from(1_234_567_890_123_456_789L, TimeUnit.NANOSECONDS));
            Files.createLink(DIR.resolve(f.getFileName() + ".link"), f);
            int dirFd = Sys.openat(-100, DIR.toString(), Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
            StatBuf st;
            try {
                st = Sys.fstatat(dirFd, f.getFileName().toString());
            } finally {
                Sys.closeQuietly(dirFd);
            }
            assertEquals(((Number) Files.getAttribute(f, "unix:dev")).longValue(), st.dev);
            assertEquals(((Number) Files.getAttribute(f, "unix:ino")).longValue(), st.ino);
            assertEquals(2, st.nlink);
            assertEquals(((Number) Files.getAttribute(f, "unix:mode")).intValue(), st.mode);
            assertEquals(((Number) Files.getAttribute(f, "unix:uid")).intValue(), st.uid);
            assertEquals(((Number) Files.getAttribute(f, "unix:gid")).intValue(), st.gid);
            assertEquals(70000, st.size);
            assertEquals(1_234_567_890L, st.mtimeSec);
            assertEquals(123_456_789, st.mtimeNsec);
            FileTime atime = (FileTime) Files.getAttribute(f, "unix:lastAccessTime");
            assertEquals(atime.to(TimeUnit.NANOSECONDS), st.atimeSec * 1_000_000_000L + st.atimeNsec);
            FileTime ctime = (FileTime) Files.getAttribute(f, "unix:ctime");
            assertEquals(ctime.to(TimeUnit.NANOSECONDS), st.ctimeSec * 1_000_000_000L + st.ctimeNsec);
            assertEquals(((Number) Files.getAttribute(f, "unix:rdev")).longValue(), st.rdev);
            assertEquals(true, st.isRegular());
        } finally {
            Files.deleteIfExists(DIR.resolve(f.getFileName() + ".link"));
            Files.deleteIfExists(f);
        }
        Path ln = DIR.resolve("stat-symlink");
        Files.deleteIfExists(ln);
        Files.createSymbolicLink(ln, Path.of("nowhere"));
        try {
            int dirFd = Sys.openat(-100, DIR.toString(), Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
            try {
                StatBuf st = Sys.fstatat(dirFd, "stat-symlink");
                assertEquals(true, st.isSymlink());
                assertEquals(((Number) Files.getAttribute(ln, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue(), st.ino);
            } finally {
                Sys.closeQuietly(dirFd);
            }
        } finally {
            Files.delete(ln);
        }
    }

    @Test
    void statvfsLayoutMatchesFileStore() throws Exception {
        Files.createDirectories(DIR);
        int fd = Sys.openat(-100, DIR.toString(), Sys.O_RDONLY | Sys.O_DIRECTORY, 0);
        try {
            Statvfs s = StatvfsBuf.of(fd);
            FileStore store = Files.getFileStore(DIR);
            assertEquals(store.getTotalSpace(), s.blocks() * s.frsize());
            assertEquals(store.getBlockSize(), s.bsize());
            // Free space moves while other processes write: compare loosely.
            assertEquals(store.getUsableSpace() / (1 << 30), s.bavail() * s.frsize() / (1 << 30), 1.0);
            assertEquals(255, s.namemax());
        } finally {
            Sys.closeQuietly(fd);
        }
    }
}
