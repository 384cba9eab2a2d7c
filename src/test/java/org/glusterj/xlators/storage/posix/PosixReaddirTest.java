package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.glusterj.core.Dirent;
import org.glusterj.core.Errno;
import org.glusterj.core.FopException;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.junit.jupiter.api.Test;

class PosixReaddirTest extends BrickFixture {

    private Fd opendir(Gfid g) {
        Fd fd = new Fd(new Inode(g, FileType.S_IFDIR), 0, 1);
        ok(posix.opendir(ROOT, byGfid(g), fd, null));
        return fd;
    }

    private List<Dirent> readAll(Fd fd, boolean plus, int size) {
        List<Dirent> all = new ArrayList<>();
        long off = 0;
        while (true) {
            List<Dirent> chunk = ok(plus ? posix.readdirp(ROOT, fd, size, off, null)
                    : posix.readdir(ROOT, fd, size, off, null)).entries();
            if (chunk.isEmpty()) return all;
            all.addAll(chunk);
            off = chunk.get(chunk.size() - 1).offset();
        }
    }

    @Test
    void listsDotsAndEntriesButNotTheIndex() {
        Gfid d = mkdir(Gfid.ROOT, "d");
        posix.release(create(Gfid.ROOT, "f"));
        Fd fd = opendir(Gfid.ROOT);
        List<Dirent> entries = readAll(fd, false, 4096);
        Set<String> names = new HashSet<>();
        for (Dirent e : entries) names.add(e.name());
        assertEquals(Set.of(".", "..", "d", "f"), names);
        Dirent de = entries.stream().filter(e -> e.name().equals("d")).findFirst().orElseThrow();
        assertEquals(d.ino(), de.ino());
        assertEquals(FileType.direntType(FileType.S_IFDIR), de.type());
        assertNull(de.attr());
        posix.releasedir(fd);
    }

    @Test
    void readdirpFillsAttributesAndHealsRawEntries() throws Exception {
        Gfid d = mkdir(Gfid.ROOT, "d");
        Fd f = create(d, "f");
        write(f, "12345".getBytes(), 0);
        posix.release(f);
        Files.writeString(brick.resolve("d/raw"), "xy");
        Fd fd = opendir(d);
        List<Dirent> entries = readAll(fd, true, 4096);
        assertEquals(4, entries.size());
        for (Dirent e : entries) {
            assertNotNull(e.attr(), e.name());
            assertEquals(e.attr().ino(), e.ino());
        }
        Dirent fe = entries.stream().filter(e -> e.name().equals("f")).findFirst().orElseThrow();
        assertEquals(f.gfid(), fe.attr().gfid());
        assertEquals(5, fe.attr().size());
        assertEquals(1, fe.attr().nlink());
        Dirent dot = entries.stream().filter(e -> e.name().equals(".")).findFirst().orElseThrow();
        assertEquals(d, dot.attr().gfid());
        Dirent dotdot = entries.stream().filter(e -> e.name().equals("..")).findFirst().orElseThrow();
        assertEquals(Gfid.ROOT, dotdot.attr().gfid());
        Dirent raw = entries.stream().filter(e -> e.name().equals("raw")).findFirst().orElseThrow();
        assertEquals(raw.attr().gfid(), gfidOnDisk(brick.resolve("d/raw")));
        assertTrue(Files.exists(handle(raw.attr().gfid())));
        posix.releasedir(fd);
    }

    @Test
    void offsetsResumeWhileEntriesAreAdded() {
        Gfid d = mkdir(Gfid.ROOT, "d");
        Set<String> original = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            posix.release(create(d, "file-" + i));
            original.add("file-" + i);
        }
        Fd fd = opendir(d);
        List<String> seen = new ArrayList<>();
        long off = 0;
        int round = 0;
        while (true) {
            // Small size: a few entries per call.
            List<Dirent> chunk = ok(posix.readdir(ROOT, fd, 200, off, null)).entries();
            if (chunk.isEmpty()) break;
            assertTrue(chunk.size() < 20, "size is honoured approximately: " + chunk.size());
            for (Dirent e : chunk) seen.add(e.name());
            off = chunk.get(chunk.size() - 1).offset();
            for (int i = 0; i < 5; i++) posix.release(create(d, "added-" + round + "-" + i));
            if (round % 3 == 0) {
                // A second reader moves the shared stream elsewhere; the cookie must still resume.
                ok(posix.readdir(ROOT, fd, 100, 0, null));
            }
            round++;
        }
        Set<String> unique = new HashSet<>(seen);
        assertEquals(seen.size(), unique.size(), "no entry is returned twice");
        assertTrue(unique.containsAll(original), "every entry that existed throughout is returned");
        assertTrue(unique.contains(".") && unique.contains(".."));
        posix.releasedir(fd);
    }

    @Test
    void nonAsciiNamesRoundTrip() throws Exception {
        String name = "é文件-ü";
        Fd f = create(Gfid.ROOT, name);
        posix.release(f);
        assertTrue(Files.exists(brick.resolve(name)));
        Fd fd = opendir(Gfid.ROOT);
        Dirent e = readAll(fd, true, 4096).stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
        assertEquals(f.gfid(), e.attr().gfid());
        assertEquals(f.gfid(), ok(posix.lookup(ROOT, entry(Gfid.ROOT, name), null)).attr().gfid());
        posix.releasedir(fd);
    }

    @Test
    void atLeastOneEntryEvenWithTinySize() {
        Fd fd = opendir(Gfid.ROOT);
        List<Dirent> first = ok(posix.readdir(ROOT, fd, 1, 0, null)).entries();
        assertEquals(1, first.size());
        List<Dirent> again = ok(posix.readdir(ROOT, fd, 1, 0, null)).entries();
        assertEquals(first.get(0).name(), again.get(0).name(), "offset 0 starts over");
        posix.releasedir(fd);
    }

    @Test
    void emptyReplyAtTheEnd() {
        Gfid d = mkdir(Gfid.ROOT, "empty");
        Fd fd = opendir(d);
        List<Dirent> all = readAll(fd, false, 1 << 16);
        assertEquals(2, all.size());
        assertFalse(all.stream().anyMatch(e -> e.name().equals(".glusterfs")));
        posix.releasedir(fd);
    }

    @Test
    void aReaddirAfterTheStreamWasReleasedFailsWithEbadfInsteadOfReadingFreedMemory() {
        mkdir(Gfid.ROOT, "d");
        Fd fd = opendir(Gfid.ROOT);
        OpenFile stream = fd.ctx(posix);
        assertNotNull(stream);
        posix.releasedir(fd);
        FopException e = assertThrows(FopException.class, () -> new DirReader(null, stream, true).read(4096, 0));
        assertEquals(Errno.EBADF, e.errno());
        stream.close(); // a second close (a racing release) is harmless
    }
}
