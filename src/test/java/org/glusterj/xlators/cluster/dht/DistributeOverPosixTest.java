package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.glusterj.core.Caller;
import org.glusterj.core.Dirent;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.ReaddirReply;
import org.glusterj.core.Statvfs;
import org.glusterj.core.Xdata;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** DistributeXlator over real storage/posix bricks in temp directories under target/. */
class DistributeOverPosixTest {
    private static final Caller C = Caller.of(0, 0, 1);
    private static final DmHash HASH = DmHash.withDefaults();
    private static final String LAYOUT = "trusted.glusterfs.dht";
    private static final String LINKTO = "trusted.glusterfs.dht.linkto";

    private PosixBricks store;
    private List<Path> bricks;
    private List<PosixXlator> posix;
    private final List<FlakyBrick> flaky = new ArrayList<>();
    private DistributeXlator dht;

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        store = new PosixBricks("dht-bricks", info);
        bricks = store.dirs;
        posix = store.posix;
        for (int i = 0; i < 3; i++) addBrick();
        dht = distribute(3);
    }

    @AfterEach
    void tearDown() throws IOException {
        store.close();
    }

    private void addBrick() throws IOException {
        PosixXlator p = store.add("brick-" + posix.size());
        flaky.add(new FlakyBrick("vol-client-" + (posix.size() - 1), p));
    }

    /** A fresh distribute xlator (no cached state) over the first {@code n} bricks. */
    private DistributeXlator distribute(int n) {
        return new DistributeXlator(XlatorConfig.of("vol-dht", "cluster/distribute", Options.NONE,
                List.copyOf(flaky.subList(0, n))));
    }

    private static <T> T ok(CompletableFuture<T> f) {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("fop failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("fop did not complete", e);
        }
    }

    private static Errno err(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        return FopException.errnoOf(e.getCause());
    }

    private static Loc newEntry(Gfid parent, String name, String path) {
        return new Loc(Gfid.random(), parent, name, path);
    }

    private Gfid mkdir(DistributeXlator d, Gfid parent, String name, String path) {
        return ok(d.mkdir(C, newEntry(parent, name, path), 0755, 022, Xdata.EMPTY)).attr().gfid();
    }

    private Gfid createFile(DistributeXlator d, Gfid parent, String name, String path, byte[] content) {
        Loc loc = newEntry(parent, name, path);
        Fd fd = new Fd(new Inode(loc.gfid(), FileType.S_IFREG), 2, 1);
        EntryReply r = ok(d.create(C, loc, 0101 /* O_WRONLY|O_CREAT */, 0644, 022, fd, Xdata.EMPTY));
        if (content.length > 0) {
            ByteBuf buf = Unpooled.directBuffer(content.length).writeBytes(content);
            ok(d.writev(C, fd, buf, 0, 0, Xdata.EMPTY));
        }
        ok(d.flush(C, fd, Xdata.EMPTY));
        d.release(fd);
        return r.attr().gfid();
    }

    private byte[] read(DistributeXlator d, Gfid parent, String name) {
        EntryReply r = ok(d.lookup(C, Loc.entry(parent, name, null), Xdata.EMPTY));
        Gfid g = r.attr().gfid();
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), 0, 1);
        ok(d.open(C, Loc.of(g, null), 0, fd, Xdata.EMPTY));
        ReadReply rr = ok(d.readv(C, fd, (int) r.attr().size() + 16, 0, 0, Xdata.EMPTY));
        byte[] out = new byte[rr.data().readableBytes()];
        rr.data().readBytes(out);
        rr.data().release();
        d.release(fd);
        return out;
    }

    /** The layout of a directory as the bricks store it, read straight from each brick. */
    private Layout diskLayout(Gfid dir, int n) {
        List<Layout.Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, byte[]> v = ok(posix.get(i).getxattr(Caller.ROOT, Loc.of(dir, null), LAYOUT, Xdata.EMPTY)).values();
            entries.add(Layout.decode(v.get(LAYOUT)));
        }
        return new Layout(entries);
    }

    private List<Integer> bricksHolding(String relPath, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (Files.exists(bricks.get(i).resolve(relPath), LinkOption.NOFOLLOW_LINKS)) out.add(i);
        }
        return out;
    }

    private static String expectedNameChars(int i) {
        return switch (i % 4) {
            case 0 -> "file-" + i + ".txt";
            case 1 -> "ünïcødé-" + i + "-日本";
            case 2 -> "." + "tmpname-" + i + ".dat.Xy" + i; // rsync temporary name
            default -> "x" + i;
        };
    }

    @Test
    void anUnlinkOfANameAnotherClientReplacedAnswersEstaleAndRemovesNothing() throws IOException {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid mine = createFile(dht, Gfid.ROOT, "f", "/f", "mine".getBytes(StandardCharsets.UTF_8));
        DistributeXlator other = distribute(3);
        ok(other.lookup(C, Loc.root(), Xdata.EMPTY));
        ok(other.unlink(C, Loc.entry(Gfid.ROOT, "f", "/f"), 0, Xdata.EMPTY));
        Gfid theirs = createFile(other, Gfid.ROOT, "f", "/f", "theirs".getBytes(StandardCharsets.UTF_8));

        // This client still takes "f" for its own file, which it knows on its hashed brick.
        assertEquals(Errno.ESTALE, err(dht.unlink(C, new Loc(mine, Gfid.ROOT, "f", "/f"), 0, Xdata.EMPTY)));
        assertArrayEquals("theirs".getBytes(StandardCharsets.UTF_8), read(dht, Gfid.ROOT, "f"));
        ok(dht.unlink(C, new Loc(theirs, Gfid.ROOT, "f", "/f"), 0, Xdata.EMPTY));
        assertEquals(List.of(), bricksHolding("f", 3));
        assertEquals(Errno.ENOENT, err(dht.unlink(C, new Loc(theirs, Gfid.ROOT, "f", "/f"), 0, Xdata.EMPTY)));
    }

    @Test
    void filesLandOnTheBrickTheHashPredictsAndOnlyThere() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid sub = mkdir(dht, Gfid.ROOT, "sub", "/sub");
        Layout rootLayout = diskLayout(Gfid.ROOT, 3);
        Layout subLayout = diskLayout(sub, 3);
        assertFalse(rootLayout.anomalies().rangesBroken(), rootLayout.toString());
        assertFalse(subLayout.anomalies().rangesBroken(), subLayout.toString());

        int[] perBrick = new int[3];
        for (int i = 0; i < 240; i++) {
            String name = expectedNameChars(i);
            boolean inSub = i % 2 == 0;
            Gfid parent = inSub ? sub : Gfid.ROOT;
            Layout layout = inSub ? subLayout : rootLayout;
            createFile(dht, parent, name, (inSub ? "/sub/" : "/") + name, ("data " + i).getBytes(StandardCharsets.UTF_8));
            int expected = layout.subvolFor(HASH.hashName(name));
            assertEquals(List.of(expected), bricksHolding((inSub ? "sub/" : "") + name, 3), name);
            perBrick[expected]++;
        }
        for (int i = 0; i < 3; i++) assertTrue(perBrick[i] > 30, "brick " + i + " got " + perBrick[i]);
        // rsync's temporary name hashes like its final name
        assertEquals(rootLayout.subvolFor(DmHash.hash("tmpname-2.dat")), rootLayout.subvolFor(HASH.hashName(".tmpname-2.dat.Xy2")));
    }

    @Test
    void newDirectoryLayoutIsSplitEquallyAndRotatedByPathHash() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        for (String name : List.of("alpha", "beta", "gamma", "delta", "eps")) {
            Gfid g = mkdir(dht, Gfid.ROOT, name, "/" + name);
            Layout onDisk = diskLayout(g, 3);
            Layout expected = Layout.fresh(List.of("vol-client-0", "vol-client-1", "vol-client-2"),
                    List.of(true, true, true), DmHash.hash("/" + name), 0);
            assertEquals(expected, onDisk, name);
            for (Path b : bricks) assertTrue(Files.isDirectory(b.resolve(name)), b + "/" + name);
        }
    }

    @Test
    void listingMergesBricksOnceWithResumableOffsets() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid d = mkdir(dht, Gfid.ROOT, "list", "/list");
        List<String> expected = new ArrayList<>(List.of(".", ".."));
        for (int i = 0; i < 60; i++) {
            createFile(dht, d, "f" + i, "/list/f" + i, new byte[0]);
            expected.add("f" + i);
        }
        for (int i = 0; i < 5; i++) {
            mkdir(dht, d, "dir" + i, "/list/dir" + i);
            expected.add("dir" + i);
        }
        // a rename that leaves a linkto behind must not show up twice
        String moved = renameAcrossBricks(dht, d, "f0", "/list/");
        expected.remove("f0");
        expected.add(moved);

        DistributeXlator fresh = distribute(3);
        List<Dirent> all = listAll(fresh, d, 300);
        List<String> names = all.stream().map(Dirent::name).sorted().toList();
        assertEquals(expected.stream().sorted().toList(), names);
        assertTrue(all.stream().allMatch(e -> e.attr() != null && (e.attr().mode() & FileType.PERM_MASK) != 01000));

        // seekdir: resuming at any entry's offset gives exactly the entries after it
        for (int k : new int[] {0, 7, 30, all.size() - 2}) {
            List<Dirent> rest = listFrom(fresh, d, 300, all.get(k).offset());
            assertEquals(all.subList(k + 1, all.size()).stream().map(Dirent::name).toList(),
                    rest.stream().map(Dirent::name).toList(), "after entry " + k);
        }
    }

    private List<Dirent> listAll(DistributeXlator d, Gfid dir, int size) {
        return listFrom(d, dir, size, 0);
    }

    private List<Dirent> listFrom(DistributeXlator d, Gfid dir, int size, long offset) {
        Fd fd = new Fd(new Inode(dir, FileType.S_IFDIR), 0, 1);
        ok(d.opendir(C, Loc.of(dir, null), fd, Xdata.EMPTY));
        List<Dirent> out = new ArrayList<>();
        long off = offset;
        for (int guard = 0; guard < 10_000; guard++) {
            ReaddirReply r = ok(d.readdirp(C, fd, size, off, Xdata.EMPTY));
            if (r.entries().isEmpty()) break;
            out.addAll(r.entries());
            off = r.entries().get(r.entries().size() - 1).offset();
        }
        d.releasedir(fd);
        return out;
    }

    /** Renames {@code name} in {@code dir} to a new name that hashes to another brick; returns the new name. */
    private String renameAcrossBricks(DistributeXlator d, Gfid dir, String name, String prefix) {
        Layout l = d.knownLayout(dir);
        int from = l.subvolFor(HASH.hashName(name));
        for (int i = 0; ; i++) {
            String candidate = name + "-moved-" + i;
            if (l.subvolFor(HASH.hashName(candidate)) != from) {
                ok(d.rename(C, Loc.entry(dir, name, prefix + name), Loc.entry(dir, candidate, prefix + candidate),
                        Xdata.EMPTY));
                return candidate;
            }
        }
    }

    @Test
    void renameKeepsDataInPlaceWithALinktoOnTheNewHashedBrick() throws IOException {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Layout root = dht.knownLayout(Gfid.ROOT);
        byte[] content = "the content stays where it was".getBytes(StandardCharsets.UTF_8);
        createFile(dht, Gfid.ROOT, "orig", "/orig", content);
        int dataBrick = root.subvolFor(HASH.hashName("orig"));
        String moved = renameAcrossBricks(dht, Gfid.ROOT, "orig", "/");
        int newHashed = root.subvolFor(HASH.hashName(moved));
        assertNotEquals(dataBrick, newHashed);

        assertEquals(List.of(), bricksHolding("orig", 3));
        assertEquals(List.of(dataBrick, newHashed).stream().sorted().toList(), bricksHolding(moved, 3));
        assertEquals(content.length, Files.size(bricks.get(dataBrick).resolve(moved)));
        Iatt link = ok(posix.get(newHashed).lookup(C, Loc.entry(Gfid.ROOT, moved, null), Xdata.EMPTY)).attr();
        assertEquals(FileType.S_IFREG | 01000, link.mode());
        assertEquals(0, link.size());
        byte[] target = ok(posix.get(newHashed).getxattr(Caller.ROOT, Loc.entry(Gfid.ROOT, moved, null), LINKTO,
                Xdata.EMPTY)).values().get(LINKTO);
        assertEquals("vol-client-" + dataBrick, Linkto.decode(target));

        // a client that knows nothing follows the linkto to the data
        assertArrayEquals(content, read(distribute(3), Gfid.ROOT, moved));

        // renaming back onto the data brick's hash removes the linkto
        ok(dht.rename(C, Loc.entry(Gfid.ROOT, moved, "/" + moved), Loc.entry(Gfid.ROOT, "orig", "/orig"), Xdata.EMPTY));
        assertEquals(List.of(dataBrick), bricksHolding("orig", 3));
        assertEquals(List.of(), bricksHolding(moved, 3));

        // unlink after another cross-brick rename removes data and linkto
        String again = renameAcrossBricks(dht, Gfid.ROOT, "orig", "/");
        ok(distribute(3).unlink(C, Loc.entry(Gfid.ROOT, again, "/" + again), 0, Xdata.EMPTY));
        assertEquals(List.of(), bricksHolding(again, 3));
    }

    @Test
    void manyRenamesAcrossHashRangesStayReadable() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid d = mkdir(dht, Gfid.ROOT, "ren", "/ren");
        Map<String, byte[]> now = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            byte[] content = ("content of file " + i).getBytes(StandardCharsets.UTF_8);
            createFile(dht, d, "n" + i, "/ren/n" + i, content);
            now.put("n" + i, content);
        }
        int renames = 0;
        for (int round = 0; round < 5; round++) {
            for (String name : List.copyOf(now.keySet())) {
                String to = name.replaceAll("-r\\d+$", "") + "-r" + round;
                ok(dht.rename(C, Loc.entry(d, name, "/ren/" + name), Loc.entry(d, to, "/ren/" + to), Xdata.EMPTY));
                now.put(to, now.remove(name));
                renames++;
            }
        }
        assertEquals(150, renames);
        DistributeXlator fresh = distribute(3);
        for (Map.Entry<String, byte[]> e : now.entrySet()) {
            assertArrayEquals(e.getValue(), read(fresh, d, e.getKey()), e.getKey());
            int copies = 0;
            for (int b = 0; b < 3; b++) {
                Path p = bricks.get(b).resolve("ren").resolve(e.getKey());
                try {
                    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) > 0) copies++;
                } catch (IOException ex) {
                    throw new AssertionError(ex);
                }
            }
            assertEquals(1, copies, "data of " + e.getKey() + " on exactly one brick");
        }
        List<String> listed = listAll(fresh, d, 500).stream().map(Dirent::name)
                .filter(n -> !n.equals(".") && !n.equals("..")).sorted().toList();
        assertEquals(now.keySet().stream().sorted().toList(), listed);

        // rm -r: nothing left on any brick
        for (String name : now.keySet()) ok(fresh.unlink(C, Loc.entry(d, name, "/ren/" + name), 0, Xdata.EMPTY));
        ok(fresh.rmdir(C, Loc.entry(Gfid.ROOT, "ren", "/ren"), 0, Xdata.EMPTY));
        assertEquals(List.of(), bricksHolding("ren", 3));
    }

    @Test
    void rmdirRemovesEverywhereOrFailsCleanlyWhenNotEmpty() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid d = mkdir(dht, Gfid.ROOT, "full", "/full");
        createFile(dht, d, "only", "/full/only", "x".getBytes(StandardCharsets.UTF_8));
        assertEquals(Errno.ENOTEMPTY, err(dht.rmdir(C, Loc.entry(Gfid.ROOT, "full", "/full"), 0, Xdata.EMPTY)));
        assertEquals(List.of(0, 1, 2), bricksHolding("full", 3));
        assertTrue(bricksHolding("full/only", 3).size() == 1);

        ok(dht.unlink(C, Loc.entry(d, "only", "/full/only"), 0, Xdata.EMPTY));
        ok(dht.rmdir(C, Loc.entry(Gfid.ROOT, "full", "/full"), 0, Xdata.EMPTY));
        assertEquals(List.of(), bricksHolding("full", 3));
        assertEquals(Errno.ENOENT, err(distribute(3).lookup(C, Loc.entry(Gfid.ROOT, "full", "/full"), Xdata.EMPTY)));
    }

    @Test
    void lookupHealsAMissingLayoutAndANewBrick() throws IOException {
        DistributeXlator two = distribute(2);
        ok(two.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid d = mkdir(two, Gfid.ROOT, "grow", "/grow");
        Map<String, Integer> placed = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            createFile(two, d, "g" + i, "/grow/g" + i, new byte[] {(byte) i});
            placed.put("g" + i, bricksHolding("grow/g" + i, 2).get(0));
        }
        Layout before = diskLayout(d, 2);

        // the third brick joins: lookups recreate the directory there with an empty range
        assertFalse(Files.exists(bricks.get(2).resolve("grow")));
        DistributeXlator three = distribute(3);
        ok(three.lookup(C, Loc.root(), Xdata.EMPTY));
        ok(three.lookup(C, Loc.entry(Gfid.ROOT, "grow", "/grow"), Xdata.EMPTY));
        assertTrue(Files.isDirectory(bricks.get(2).resolve("grow")));
        Layout after = diskLayout(d, 3);
        assertEquals(before.entry(0), after.entry(0));
        assertEquals(before.entry(1), after.entry(1));
        assertFalse(after.entry(2).participates());
        for (Map.Entry<String, Integer> e : placed.entrySet()) {
            assertArrayEquals(new byte[] {(byte) Integer.parseInt(e.getKey().substring(1))}, read(three, d, e.getKey()));
        }

        // a layout xattr lost on one brick leaves a hole; the next lookup rewrites a whole layout
        ok(posix.get(1).removexattr(Caller.ROOT, Loc.of(d, null), LAYOUT, Xdata.EMPTY));
        ok(distribute(2).lookup(C, Loc.entry(Gfid.ROOT, "grow", "/grow"), Xdata.EMPTY));
        Layout healed = diskLayout(d, 2);
        assertFalse(healed.anomalies().rangesBroken(), healed.toString());
        assertNotNull(healed.entry(1));
    }

    @Test
    void statfsSumsTheBricks() {
        Statvfs one = ok(posix.get(0).statfs(C, Loc.root(), Xdata.EMPTY)).statvfs();
        Statvfs all = ok(dht.statfs(C, Loc.root(), Xdata.EMPTY)).statvfs();
        // all three bricks sit on the same filesystem
        assertTrue(Math.abs(all.blocks() - 3 * one.blocks()) <= 3, all + " vs " + one);
        assertEquals(3 * one.files(), all.files());
    }

    @Test
    void openFilesAreServedByTheirBrick() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        byte[] content = new byte[200_000];
        for (int i = 0; i < content.length; i++) content[i] = (byte) (i * 31);
        createFile(dht, Gfid.ROOT, "big.bin", "/big.bin", content);
        assertArrayEquals(content, read(distribute(3), Gfid.ROOT, "big.bin"));
        Fd notOpened = new Fd(new Inode(Gfid.random(), FileType.S_IFREG), 0, 1);
        assertEquals(Errno.EBADF, err(dht.readv(C, notOpened, 10, 0, 0, Xdata.EMPTY)));
    }

    @Test
    void aDownBrickFailsOnlyWhatNeedsItAndEverythingReturnsWithIt() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid d = mkdir(dht, Gfid.ROOT, "dd", "/dd");
        Layout layout = diskLayout(d, 3);
        Map<String, Integer> where = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            createFile(dht, d, "k" + i, "/dd/k" + i, ("k" + i).getBytes(StandardCharsets.UTF_8));
            where.put("k" + i, layout.subvolFor(HASH.hashName("k" + i)));
        }
        assertTrue(where.containsValue(2) && where.containsValue(0));

        flaky.get(2).down = true;
        DistributeXlator during = distribute(3);
        ok(during.lookup(C, Loc.root(), Xdata.EMPTY));
        ok(during.lookup(C, Loc.entry(Gfid.ROOT, "dd", "/dd"), Xdata.EMPTY));
        for (Map.Entry<String, Integer> e : where.entrySet()) {
            if (e.getValue() == 2) {
                assertEquals(Errno.ENOTCONN, err(during.lookup(C, Loc.entry(d, e.getKey(), null), Xdata.EMPTY)));
            } else {
                assertArrayEquals(e.getKey().getBytes(StandardCharsets.UTF_8), read(during, d, e.getKey()));
            }
        }
        String toUp = null, toDown = null;
        for (int i = 0; toUp == null || toDown == null; i++) {
            int b = layout.subvolFor(HASH.hashName("new" + i));
            if (b == 2 && toDown == null) toDown = "new" + i;
            if (b != 2 && toUp == null) toUp = "new" + i;
        }
        createFile(during, d, toUp, "/dd/" + toUp, new byte[] {1});
        String downName = toDown;
        Loc loc = newEntry(d, downName, "/dd/" + downName);
        assertEquals(Errno.ENOTCONN, err(during.create(C, loc, 0101, 0644, 0,
                new Fd(new Inode(loc.gfid(), FileType.S_IFREG), 1, 1), Xdata.EMPTY)));
        List<String> listed = listAll(during, d, 4096).stream().map(Dirent::name)
                .filter(n -> n.startsWith("k")).sorted().toList();
        assertEquals(where.entrySet().stream().filter(e -> e.getValue() != 2).map(Map.Entry::getKey).sorted().toList(),
                listed);

        flaky.get(2).down = false;
        during.notify(org.glusterj.core.Event.CHILD_UP, flaky.get(2));
        for (String name : where.keySet()) {
            assertArrayEquals(name.getBytes(StandardCharsets.UTF_8), read(during, d, name));
        }
        assertEquals(where.size(), listAll(during, d, 4096).stream().filter(e -> e.name().startsWith("k")).count());
    }

    @Test
    void aFullHashedBrickSendsNewFilesElsewhereWithALinkto() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Layout root = dht.knownLayout(Gfid.ROOT);
        String name = "x0";
        for (int i = 0; root.subvolFor(HASH.hashName(name)) != 1; i++) name = "x" + i;
        flaky.get(1).fakeStatfs = new Statvfs(4096, 4096, 1000, 50, 50, 1000, 900, 900, 0, 0, 255); // 5% free
        DistributeXlator d = distribute(3);
        ok(d.lookup(C, Loc.root(), Xdata.EMPTY));
        byte[] content = "placed elsewhere".getBytes(StandardCharsets.UTF_8);
        createFile(d, Gfid.ROOT, name, "/" + name, content);
        List<Integer> holders = bricksHolding(name, 3);
        assertEquals(2, holders.size(), holders.toString());
        assertTrue(holders.contains(1));
        Iatt onHashed = ok(posix.get(1).lookup(C, Loc.entry(Gfid.ROOT, name, null), Xdata.EMPTY)).attr();
        assertEquals(FileType.S_IFREG | 01000, onHashed.mode());
        assertArrayEquals(content, read(distribute(3), Gfid.ROOT, name));
        String n = name;
        assertEquals(1, listAll(distribute(3), Gfid.ROOT, 4096).stream().filter(e -> e.name().equals(n)).count());
    }

    @Test
    void directoryRenameKeepsChildrenAndLayout() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Gfid d = mkdir(dht, Gfid.ROOT, "olddir", "/olddir");
        Gfid inner = mkdir(dht, d, "inner", "/olddir/inner");
        for (int i = 0; i < 10; i++) createFile(dht, inner, "c" + i, "/olddir/inner/c" + i, new byte[] {(byte) i});
        Layout before = diskLayout(d, 3);
        ok(dht.rename(C, Loc.entry(Gfid.ROOT, "olddir", "/olddir"), Loc.entry(Gfid.ROOT, "newdir", "/newdir"), Xdata.EMPTY));
        assertEquals(List.of(), bricksHolding("olddir", 3));
        assertEquals(List.of(0, 1, 2), bricksHolding("newdir/inner", 3));
        assertEquals(before, diskLayout(d, 3));
        DistributeXlator fresh = distribute(3);
        EntryReply r = ok(fresh.lookup(C, Loc.entry(Gfid.ROOT, "newdir", "/newdir"), Xdata.EMPTY));
        assertEquals(d, r.attr().gfid());
        for (int i = 0; i < 10; i++) {
            assertArrayEquals(new byte[] {(byte) i}, read(fresh, inner, "c" + i));
        }
        // a directory cannot replace a non-empty one
        mkdir(dht, Gfid.ROOT, "other", "/other");
        assertEquals(Errno.ENOTEMPTY, err(dht.rename(C, Loc.entry(Gfid.ROOT, "other", "/other"),
                Loc.entry(Gfid.ROOT, "newdir", "/newdir"), Xdata.EMPTY)));
        assertEquals(List.of(0, 1, 2), bricksHolding("other", 3));
        assertEquals(List.of(0, 1, 2), bricksHolding("newdir/inner", 3));
    }

    @Test
    void symlinksHardLinksAndDirectoryAttributes() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Loc link = newEntry(Gfid.ROOT, "sym", "/sym");
        ok(dht.symlink(C, "some/target", link, 022, Xdata.EMPTY));
        assertEquals(List.of(dht.knownLayout(Gfid.ROOT).subvolFor(HASH.hashName("sym"))), bricksHolding("sym", 3));
        assertEquals("some/target", ok(distribute(3).readlink(C, Loc.entry(Gfid.ROOT, "sym", "/sym"), 4096,
                Xdata.EMPTY)).target());

        byte[] content = "linked".getBytes(StandardCharsets.UTF_8);
        Gfid g = createFile(dht, Gfid.ROOT, "first", "/first", content);
        Layout root = dht.knownLayout(Gfid.ROOT);
        int data = root.subvolFor(HASH.hashName("first"));
        String second = "second";
        for (int i = 0; root.subvolFor(HASH.hashName(second)) == data; i++) second = "second" + i;
        ok(dht.link(C, new Loc(g, Gfid.ROOT, "first", "/first"), Loc.entry(Gfid.ROOT, second, "/" + second), Xdata.EMPTY));
        assertTrue(bricksHolding(second, 3).contains(data));
        assertEquals(2, bricksHolding(second, 3).size(), "data link plus a linkto on the hashed brick");
        assertArrayEquals(content, read(distribute(3), Gfid.ROOT, second));
        // rename(2) between two names of one file changes nothing
        ok(dht.rename(C, new Loc(g, Gfid.ROOT, "first", "/first"), Loc.entry(Gfid.ROOT, second, "/" + second), Xdata.EMPTY));
        assertEquals(List.of(data), bricksHolding("first", 3));
        assertEquals(2, bricksHolding(second, 3).size());
        assertArrayEquals(content, read(distribute(3), Gfid.ROOT, second));

        Gfid d = mkdir(dht, Gfid.ROOT, "modes", "/modes");
        ok(dht.setattr(C, new Loc(d, Gfid.ROOT, "modes", "/modes"), org.glusterj.core.SetAttr.mode(0700), Xdata.EMPTY));
        for (int i = 0; i < 3; i++) {
            Iatt a = ok(posix.get(i).stat(C, Loc.of(d, null), Xdata.EMPTY)).attr();
            assertEquals(0700, a.mode() & FileType.PERM_MASK, "brick " + i);
        }
    }

    @Test
    void aDirectoryMissingOnTheFirstBrickIsListedOnceAndHealedByLookup() {
        ok(dht.lookup(C, Loc.root(), Xdata.EMPTY));
        Layout root = dht.knownLayout(Gfid.ROOT);
        String name = "late0";
        for (int i = 0; root.subvolFor(HASH.hashName(name)) == 0; i++) name = "late" + i;
        flaky.get(0).down = true;
        mkdir(distribute(3), Gfid.ROOT, name, "/" + name);
        flaky.get(0).down = false;
        assertEquals(List.of(1, 2), bricksHolding(name, 3));

        DistributeXlator fresh = distribute(3);
        String n = name;
        assertEquals(1, listAll(fresh, Gfid.ROOT, 100).stream().filter(e -> e.name().equals(n)).count());
        ok(fresh.lookup(C, Loc.entry(Gfid.ROOT, name, "/" + name), Xdata.EMPTY));
        assertEquals(List.of(0, 1, 2), bricksHolding(name, 3));
        assertEquals(1, listAll(distribute(3), Gfid.ROOT, 100).stream().filter(e -> e.name().equals(n)).count());
    }

    /**
     * A directory opened while one brick was down is open on the others only. Once that brick is
     * back, fstat and fgetxattr of the fd must go where it is open: the returned brick has no fd
     * for it (protocol/client answers EBADF).
     */
    @Test
    void fdFopsOfADirectoryGoWhereItWasOpened() {
        Gfid dir = mkdir(dht, Gfid.ROOT, "d", "/d");
        for (FlakyBrick f : flaky) f.strictFds = true;
        flaky.get(0).down = true;
        Fd fd = new Fd(new Inode(dir, FileType.S_IFDIR), 0, 1);
        ok(dht.opendir(C, Loc.of(dir, null), fd, Xdata.EMPTY));
        flaky.get(0).down = false;

        assertEquals(dir, ok(dht.fstat(C, fd, Xdata.EMPTY)).attr().gfid());
        assertNotNull(ok(dht.fgetxattr(C, fd, LAYOUT, Xdata.EMPTY)).values().get(LAYOUT));
        dht.releasedir(fd);
    }
}
