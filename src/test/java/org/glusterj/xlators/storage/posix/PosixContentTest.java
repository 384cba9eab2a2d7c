package org.glusterj.xlators.storage.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.Gfid;
import org.glusterj.core.Xdata;
import org.junit.jupiter.api.Test;

/** Lookup answers quick-read's request for content (xdata glusterfs.content) in the same reply. */
class PosixContentTest extends BrickFixture {
    private static final String KEY = "glusterfs.content";

    private EntryReply lookup(String name, String max) {
        Xdata x = max == null ? Xdata.EMPTY : Xdata.of(KEY, max);
        return ok(posix.lookup(ROOT, entry(Gfid.ROOT, name), x));
    }

    @Test
    void smallRegularFilesComeWithTheirContent() {
        Fd fd = create(Gfid.ROOT, "small");
        write(fd, "twelve bytes".getBytes(StandardCharsets.UTF_8), 0);
        posix.release(fd);
        EntryReply r = lookup("small", "65536");
        assertArrayEquals("twelve bytes".getBytes(StandardCharsets.UTF_8), r.xdata().get(KEY));
        assertEquals(12, r.attr().size());
        EntryReply byGfid = ok(posix.lookup(ROOT, byGfid(r.attr().gfid()), Xdata.of(KEY, "12")));
        assertEquals(12, byGfid.xdata().get(KEY).length, "a file exactly at the limit");
    }

    @Test
    void offeringContentLeavesTheAtimeAlone() throws Exception {
        Fd fd = create(Gfid.ROOT, "old");
        write(fd, "x".getBytes(StandardCharsets.UTF_8), 0);
        posix.release(fd);
        Path onBrick = brick.resolve("old");
        // atime before mtime: with relatime, any read would move it to now
        Files.setAttribute(onBrick, "lastModifiedTime", FileTime.from(Instant.ofEpochSecond(1_100_000_000)));
        Files.setAttribute(onBrick, "lastAccessTime", FileTime.from(Instant.ofEpochSecond(1_000_000_000)));
        assertEquals(1, lookup("old", "65536").xdata().get(KEY).length);
        FileTime atime = (FileTime) Files.getAttribute(onBrick, "lastAccessTime");
        assertEquals(1_000_000_000, atime.toInstant().getEpochSecond());
    }

    @Test
    void emptyFilesComeWithEmptyContent() {
        posix.release(create(Gfid.ROOT, "empty"));
        assertEquals(0, lookup("empty", "65536").xdata().get(KEY).length);
    }

    @Test
    void biggerFilesDirectoriesAndPlainLookupsComeWithout() {
        Fd fd = create(Gfid.ROOT, "big");
        write(fd, new byte[100], 0);
        posix.release(fd);
        assertFalse(lookup("big", "99").xdata().has(KEY));
        assertFalse(lookup("big", null).xdata().has(KEY));
        assertFalse(lookup("big", "not a number").xdata().has(KEY));
        mkdir(Gfid.ROOT, "dir");
        assertFalse(lookup("dir", "65536").xdata().has(KEY));
    }
}
