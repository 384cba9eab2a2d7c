package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.ReadReply;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Adding a third brick to a two-brick volume and rebalancing, on real storage/posix bricks. */
class RebalancerTest {
    private static final Caller C = Caller.of(0, 0, 1);
    private static final DmHash HASH = DmHash.withDefaults();

    private PosixBricks store;
    private List<Path> bricks;
    private List<PosixXlator> posix;
    /** Relative path → content, for every file written. */
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    /** Relative path of a file → (parent gfid, name). */
    private final Map<String, Loc> locs = new LinkedHashMap<>();

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        store = new PosixBricks("dht-rebalance", info);
        for (int i = 0; i < 3; i++) store.add("vol-client-" + i);
        bricks = store.dirs;
        posix = store.posix;
    }

    @AfterEach
    void tearDown() throws IOException {
        store.close();
    }

    private DistributeXlator distribute(int n) {
        return new DistributeXlator(XlatorConfig.of("vol-dht", "cluster/distribute", Options.NONE,
                List.copyOf(posix.subList(0, n))));
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

    /** Two bricks: a tree of directories with files, one of them renamed across bricks. */
    private void populate() {
        DistributeXlator two = distribute(2);
        ok(two.lookup(C, Loc.root(), Xdata.EMPTY));
        List<Gfid> dirs = new ArrayList<>(List.of(Gfid.ROOT));
        List<String> dirPaths = new ArrayList<>(List.of(""));
        for (int d = 0; d < 3; d++) {
            String name = "d" + d;
            Gfid g = ok(two.mkdir(C, new Loc(Gfid.random(), Gfid.ROOT, name, "/" + name), 0755, 022, Xdata.EMPTY))
                    .attr().gfid();
            dirs.add(g);
            dirPaths.add(name + "/");
            Gfid sub = ok(two.mkdir(C, new Loc(Gfid.random(), g, "sub", "/" + name + "/sub"), 0755, 022, Xdata.EMPTY))
                    .attr().gfid();
            dirs.add(sub);
            dirPaths.add(name + "/sub/");
        }
        for (int k = 0; k < dirs.size(); k++) {
            for (int i = 0; i < 25; i++) {
                String name = "file-" + i + ".txt";
                byte[] content = (dirPaths.get(k) + name + " ").repeat(i * 40 + 1).getBytes(StandardCharsets.UTF_8);
                Loc loc = new Loc(Gfid.random(), dirs.get(k), name, "/" + dirPaths.get(k) + name);
                Fd fd = new Fd(new Inode(loc.gfid(), FileType.S_IFREG), 1, 1);
                ok(two.create(C, loc, 0101, 0640, 022, fd, Xdata.EMPTY));
                ByteBuf buf = Unpooled.directBuffer(content.length).writeBytes(content);
                ok(two.writev(C, fd, buf, 0, 0, Xdata.EMPTY));
                two.release(fd);
                files.put(dirPaths.get(k) + name, content);
                locs.put(dirPaths.get(k) + name, Loc.entry(dirs.get(k), name, null));
            }
        }
    }

    private byte[] read(Xlator d, Loc entry) {
        EntryReply r = ok(d.lookup(C, entry, Xdata.EMPTY));
        if ((r.attr().mode() & 03000) != 0) {
            throw new AssertionError(entry + " shows mode " + Integer.toOctalString(r.attr().mode()));
        }
        Fd fd = new Fd(new Inode(r.attr().gfid(), FileType.S_IFREG), 0, 1);
        ok(d.open(C, Loc.of(r.attr().gfid(), null), 0, fd, Xdata.EMPTY));
        try {
            ReadReply rr = ok(d.readv(C, fd, (int) r.attr().size() + 1, 0, 0, Xdata.EMPTY));
            byte[] out = new byte[rr.data().readableBytes()];
            rr.data().readBytes(out);
            rr.data().release();
            return out;
        } finally {
            d.release(fd);
        }
    }

    private List<Integer> holders(String rel) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < bricks.size(); i++) {
            if (Files.exists(bricks.get(i).resolve(rel), LinkOption.NOFOLLOW_LINKS)) out.add(i);
        }
        return out;
    }

    /** Every file once, on the brick its directory's (new) layout hashes it to, with its content. */
    private void assertBalanced(DistributeXlator three) throws IOException {
        DistributeXlator fresh = distribute(3);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Loc entry = locs.get(e.getKey());
            assertArrayEquals(e.getValue(), read(fresh, entry), e.getKey());
            Layout layout = three.knownLayout(entry.parent()) != null ? three.knownLayout(entry.parent())
                    : fresh.knownLayout(entry.parent());
            int hashed = layout.subvolFor(HASH.hashName(entry.name()));
            assertEquals(List.of(hashed), holders(e.getKey()), e.getKey());
            assertEquals(e.getValue().length, Files.size(bricks.get(hashed).resolve(e.getKey())));
        }
    }

    @Test
    void addingABrickMovesAboutAThirdAndKeepsEveryFile() throws IOException {
        populate();
        DistributeXlator three = distribute(3);
        ok(three.lookup(C, Loc.root(), Xdata.EMPTY));
        List<String> seen = new ArrayList<>();
        Rebalancer.Progress p = new Rebalancer(three, false, (progress, where) -> seen.add(where)).run();
        assertTrue(p.finished(), p.toString());
        assertEquals(0, p.failures());
        assertEquals(7, p.directories());
        assertEquals(files.size(), p.filesScanned());
        double moved = (double) p.filesMigrated() / files.size();
        assertTrue(moved > 0.2 && moved < 0.5, "moved " + p.filesMigrated() + " of " + files.size());
        assertFalse(seen.isEmpty());
        assertTrue(holders("d0/sub").containsAll(List.of(0, 1, 2)));
        assertBalanced(three);
        for (int i = 0; i < 3; i++) {
            assertNotNull(ok(posix.get(i).getxattr(Caller.ROOT, Loc.root(), "trusted.glusterfs.dht.commithash",
                    Xdata.EMPTY)).values().get("trusted.glusterfs.dht.commithash"));
        }
        // nothing left to do the second time
        Rebalancer.Progress again = new Rebalancer(distribute(3), false, null).run();
        assertEquals(0, again.filesMigrated());
        assertTrue(again.finished());
    }

    @Test
    void aStoppedRebalanceResumes() throws IOException {
        populate();
        AtomicReference<Rebalancer> self = new AtomicReference<>();
        Rebalancer first = new Rebalancer(distribute(3), false, (progress, where) -> {
            if (progress.filesMigrated() >= 3) self.get().stop();
        });
        self.set(first);
        Rebalancer.Progress p = first.run();
        assertFalse(p.finished());
        assertTrue(p.filesMigrated() >= 3 && p.filesMigrated() < files.size() / 5, p.toString());
        // half done: everything still readable
        DistributeXlator reader = distribute(3);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            assertArrayEquals(e.getValue(), read(reader, locs.get(e.getKey())), e.getKey());
        }
        DistributeXlator three = distribute(3);
        Rebalancer.Progress rest = new Rebalancer(three, false, null).run();
        assertTrue(rest.finished(), rest.toString());
        assertBalanced(three);
    }

    @Test
    void filesStayReadableWhileTheRebalanceRuns() throws Exception {
        populate();
        DistributeXlator reader = distribute(3);
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<Throwable> problem = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                while (!done.get()) {
                    for (Map.Entry<String, byte[]> e : files.entrySet()) {
                        byte[] got = read(reader, locs.get(e.getKey()));
                        if (!java.util.Arrays.equals(e.getValue(), got)) {
                            throw new AssertionError("wrong content for " + e.getKey() + " during rebalance: "
                                    + got.length + " bytes instead of " + e.getValue().length);
                        }
                        reads.incrementAndGet();
                    }
                }
            } catch (Throwable x) {
                problem.set(x);
            }
        }, "reader");
        t.start();
        Rebalancer.Progress p = new Rebalancer(distribute(3), false, null).run();
        done.set(true);
        t.join(60_000);
        if (problem.get() != null) throw new AssertionError("a read failed during the rebalance", problem.get());
        assertTrue(p.finished());
        assertTrue(reads.get() > 0);
    }

    @Test
    void fixLayoutOnlyMovesNoDataButKeepsFilesReachable() throws IOException {
        populate();
        Rebalancer.Progress p = new Rebalancer(distribute(3), true, null).run();
        assertTrue(p.finished());
        assertEquals(0, p.filesMigrated());
        DistributeXlator fresh = distribute(3);
        ok(fresh.lookup(C, Loc.root(), Xdata.EMPTY));
        assertTrue(fresh.knownLayout(Gfid.ROOT).entry(2).participates());
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            assertArrayEquals(e.getValue(), read(fresh, locs.get(e.getKey())), e.getKey());
        }
    }

    @Test
    void writersThroughOpenFdsLoseNothingWhileTheirFilesMove() throws Exception {
        populate();
        // one client, already over three bricks, as a mount is after the brick was added
        DistributeXlator writerDht = distribute(3);
        ok(writerDht.lookup(C, Loc.root(), Xdata.EMPTY));
        int n = 12, chunk = 700;
        List<Fd> fds = new ArrayList<>();
        List<Integer> before = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Loc loc = new Loc(Gfid.random(), Gfid.ROOT, "w" + i, "/w" + i);
            Fd fd = new Fd(new Inode(loc.gfid(), FileType.S_IFREG), 2, 1);
            ok(writerDht.create(C, loc, 0102, 0644, 022, fd, Xdata.EMPTY));
            fds.add(fd);
            before.add(holders("w" + i).get(0));
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger rounds = new AtomicInteger();
        AtomicReference<Throwable> problem = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                DistributeXlator w = writerDht;
                for (int r = 0; !done.get() || r < 20; r++) {
                    for (int i = 0; i < n; i++) {
                        byte[] b = new byte[chunk];
                        java.util.Arrays.fill(b, (byte) (i * 31 + r));
                        ok(w.writev(C, fds.get(i), Unpooled.directBuffer(chunk).writeBytes(b), (long) r * chunk, 0,
                                Xdata.EMPTY));
                    }
                    rounds.incrementAndGet();
                }
            } catch (Throwable x) {
                problem.set(x);
            }
        }, "writer");
        writer.start();
        Rebalancer.Progress p = new Rebalancer(distribute(3), false, null).run();
        done.set(true);
        writer.join(60_000);
        if (problem.get() != null) throw new AssertionError("a write failed during the rebalance", problem.get());
        assertTrue(p.finished(), p.toString());
        fds.forEach(writerDht::release);

        int moved = 0;
        DistributeXlator fresh = distribute(3);
        for (int i = 0; i < n; i++) {
            byte[] expected = new byte[rounds.get() * chunk];
            for (int r = 0; r < rounds.get(); r++) {
                java.util.Arrays.fill(expected, r * chunk, (r + 1) * chunk, (byte) (i * 31 + r));
            }
            assertArrayEquals(expected, read(fresh, Loc.entry(Gfid.ROOT, "w" + i, null)), "w" + i);
            List<Integer> now = holders("w" + i);
            assertEquals(1, now.size(), "w" + i + " on " + now);
            if (!now.get(0).equals(before.get(i))) moved++;
        }
        assertTrue(moved > 0, "some written file moved");
    }
}
