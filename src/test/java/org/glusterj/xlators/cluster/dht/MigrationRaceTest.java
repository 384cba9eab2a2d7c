package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import org.glusterj.core.Caller;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.Xdata;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * One file moved between two bricks by {@link Rebalancer#migrate} while a client writes to it
 * through an fd it opened before the move: every write must end up in the new copy, including
 * writes that reach the old copy in the last moments before it is dropped.
 */
class MigrationRaceTest {
    private static final Caller C = Caller.of(0, 0, 1);
    private static final int WRITE = 700;

    private PosixBricks store;
    private List<Path> bricks;
    private List<PosixXlator> posix;
    private final List<Xlator> wrapped = new ArrayList<>();

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        store = new PosixBricks("dht-migration-race", info);
        for (int i = 0; i < 2; i++) store.add("vol-client-" + i);
        bricks = store.dirs;
        posix = store.posix;
    }

    @AfterEach
    void tearDown() throws IOException {
        store.close();
    }

    private <X extends Xlator> List<X> wrap(BiFunction<String, Xlator, X> wrapper) {
        List<X> out = new ArrayList<>();
        for (int i = 0; i < posix.size(); i++) out.add(wrapper.apply("wrap-" + i, posix.get(i)));
        wrapped.addAll(out);
        return out;
    }

    private DistributeXlator distribute() {
        DistributeXlator d = new DistributeXlator(XlatorConfig.of("vol-dht", "cluster/distribute", Options.NONE,
                List.copyOf(wrapped)));
        ok(d.lookup(C, Loc.root(), Xdata.EMPTY));
        return d;
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

    private static byte fill(int round) {
        return (byte) (round * 7 + 1);
    }

    private static void write(DistributeXlator dht, Fd fd, int round) {
        byte[] b = new byte[WRITE];
        Arrays.fill(b, fill(round));
        ok(dht.writev(C, fd, Unpooled.directBuffer(WRITE).writeBytes(b), (long) round * WRITE, 0, Xdata.EMPTY));
    }

    private static byte[] expected(int rounds) {
        byte[] out = new byte[rounds * WRITE];
        for (int r = 0; r < rounds; r++) Arrays.fill(out, r * WRITE, (r + 1) * WRITE, fill(r));
        return out;
    }

    /** A file made through {@code dht} and left open for writing; its gfid is the fd's. */
    private static Fd createOpen(DistributeXlator dht, String name) {
        Loc loc = new Loc(Gfid.random(), Gfid.ROOT, name, "/" + name);
        Fd fd = new Fd(new Inode(loc.gfid(), FileType.S_IFREG), 2, 1);
        ok(dht.create(C, loc, 0102, 0644, 022, fd, Xdata.EMPTY));
        return fd;
    }

    /** Another client, the rebalance's, that has looked the file up. */
    private DistributeXlator moverOf(String name, Fd fd) {
        DistributeXlator mover = distribute();
        ok(mover.lookup(C, entry(name, fd), Xdata.EMPTY));
        return mover;
    }

    private static Loc entry(String name, Fd fd) {
        return new Loc(fd.gfid(), Gfid.ROOT, name, "/" + name);
    }

    private void assertMovedWithAllWrites(String name, int from, int to, int rounds) throws IOException {
        assertFalse(Files.exists(bricks.get(from).resolve(name)), name + " is still on the old brick");
        byte[] got = Files.readAllBytes(bricks.get(to).resolve(name));
        byte[] want = expected(rounds);
        assertEquals(want.length, got.length, name + " size");
        for (int i = 0; i < got.length; i++) {
            if (got[i] != want[i]) fail(name + ": write " + i / WRITE + " (offset " + i + ") is missing from the new copy");
        }
        assertArrayEquals(want, got);
    }

    /**
     * The old copy is already marked "moved" and is being unlinked when a write reaches it through
     * an fd not yet switched; looking the old copy up by gfid misses it at that moment.
     */
    @Test
    void aWriteReachingTheOldCopyAfterTheTakeOverIsRedoneOnTheNewOne() throws IOException {
        List<GateBrick> gates = wrap(GateBrick::new);
        DistributeXlator client = distribute();
        Fd fd = createOpen(client, "f");
        for (int r = 0; r < 3; r++) write(client, fd, r);
        int from = client.dataSubvolOf(fd.gfid()), to = 1 - from;
        DistributeXlator mover = moverOf("f", fd);

        AtomicBoolean wroteDuringUnlink = new AtomicBoolean();
        gates.get(from).before.put("unlink", () -> {
            gates.get(from).gfidLookupsMiss = true;
            try {
                write(client, fd, 3);
                wroteDuringUnlink.set(true);
            } finally {
                gates.get(from).gfidLookupsMiss = false;
            }
        });
        assertTrue(new Rebalancer(mover, false, null, 1000).migrate(entry("f", fd), from, to));
        assertTrue(wroteDuringUnlink.get());
        write(client, fd, 4);
        client.release(fd);
        assertMovedWithAllWrites("f", from, to, 5);
    }

    /**
     * A write by a process without CAP_FSETID during the move clears set-user-ID (storage/posix
     * leaves the migration's own set-group-ID and sticky bits alone, so writes are still mirrored),
     * and the moved file keeps that, and a chown made meanwhile: it does not get the mode and owner
     * it had before the move back.
     */
    @Test
    void anUnprivilegedWriteAndAChownDuringAMoveStay() throws IOException {
        List<GateBrick> gates = wrap(GateBrick::new);
        DistributeXlator client = distribute();
        Fd fd = createOpen(client, "prog");
        write(client, fd, 0);
        // Not group-executable: the brick's chown clears set-group-ID only from such files, so the
        // move keeps its mark.
        ok(client.fsetattr(C, fd, SetAttr.mode(04744), Xdata.EMPTY));
        int from = client.dataSubvolOf(fd.gfid()), to = 1 - from;
        DistributeXlator mover = moverOf("prog", fd);
        AtomicBoolean wrote = new AtomicBoolean();
        gates.get(from).before.put("readv", () -> {
            if (wrote.getAndSet(true)) return;
            byte[] b = new byte[WRITE];
            Arrays.fill(b, fill(1));
            ok(client.writev(C, fd, Unpooled.directBuffer(WRITE).writeBytes(b), WRITE, 0,
                    Xdata.of(PosixXlator.KILL_SETID_KEY, new byte[0])));
            assertTrue(Linkto.migrating(ok(posix.get(from).stat(C, entry("prog", fd), Xdata.EMPTY)).attr()),
                    "the old copy is still marked as moving");
            ok(client.setattr(C, entry("prog", fd), new SetAttr(SetAttr.UID | SetAttr.GID, 0, 1234, 5678, 0, 0, 0, 0),
                    Xdata.EMPTY));
        });
        assertTrue(new Rebalancer(mover, false, null, 1000).migrate(entry("prog", fd), from, to));
        assertTrue(wrote.get());
        client.release(fd);
        assertMovedWithAllWrites("prog", from, to, 2);
        assertEquals(0744, (Integer) Files.getAttribute(bricks.get(to).resolve("prog"), "unix:mode") & 07777);
        assertEquals(1234, Files.getAttribute(bricks.get(to).resolve("prog"), "unix:uid"),
                "a chown during the move stays");
        assertEquals(5678, Files.getAttribute(bricks.get(to).resolve("prog"), "unix:gid"));
    }

    /**
     * A chmod during the copy takes the migration mark off the old copy, so a write after it is not
     * mirrored: the move is given up, and the old copy, which has every write, stays the file.
     */
    @Test
    void aMoveWhoseMarkAChmodTookOffIsGivenUp() throws IOException {
        List<GateBrick> gates = wrap(GateBrick::new);
        DistributeXlator client = distribute();
        Fd fd = createOpen(client, "f");
        write(client, fd, 0);
        int from = client.dataSubvolOf(fd.gfid()), to = 1 - from;
        DistributeXlator mover = moverOf("f", fd);
        gates.get(to).afterNextWrite = () -> {
            ok(client.fsetattr(C, fd, SetAttr.mode(0640), Xdata.EMPTY));
            write(client, fd, 1);
        };
        assertFalse(new Rebalancer(mover, false, null, 1000).migrate(entry("f", fd), from, to));
        write(client, fd, 2);
        client.release(fd);
        byte[] kept = Files.readAllBytes(bricks.get(from).resolve("f"));
        assertArrayEquals(expected(3), kept, "every write is in the copy that stayed");
        assertEquals(0640, (Integer) Files.getAttribute(bricks.get(from).resolve("f"), "unix:mode") & 07777);
        assertEquals(from, client.dataSubvolOf(fd.gfid()));
    }

    /**
     * A write lands on the old copy while it is still marked "migrating" but after the data copy
     * is done; its reply is slow, so it is mirrored only once the old copy is being unlinked, when
     * a lookup of the old copy by gfid misses it. This is the write RebalancerTest lost under load.
     */
    @Test
    void aWriteMirroredWhileTheOldCopyIsUnlinkedReachesTheNewOne() throws Exception {
        List<GateBrick> gates = wrap(GateBrick::new);
        DistributeXlator client = distribute();
        Fd fd = createOpen(client, "f");
        for (int r = 0; r < 3; r++) write(client, fd, r);
        int from = client.dataSubvolOf(fd.gfid()), to = 1 - from;
        DistributeXlator mover = moverOf("f", fd);

        CountDownLatch landed = new CountDownLatch(1), unlinking = new CountDownLatch(1);
        AtomicReference<Throwable> writerProblem = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                write(client, fd, 3);
            } catch (Throwable t) {
                writerProblem.set(t);
            }
        }, "writer");
        // The copy is complete once the new copy loses its linkto xattr: start the write then.
        gates.get(to).before.put("removexattr", () -> {
            gates.get(to).before.remove("removexattr");
            gates.get(from).afterNextWrite = () -> {
                landed.countDown();
                await(unlinking);
            };
            writer.start();
            await(landed);
        });
        gates.get(from).before.put("unlink", () -> {
            gates.get(from).gfidLookupsMiss = true;
            try {
                unlinking.countDown();
                writer.join(20_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                gates.get(from).gfidLookupsMiss = false;
            }
        });
        assertTrue(new Rebalancer(mover, false, null, 1000).migrate(entry("f", fd), from, to));
        assertFalse(writer.isAlive(), "the slow write never finished");
        if (writerProblem.get() != null) throw new AssertionError("the slow write failed", writerProblem.get());
        write(client, fd, 4);
        client.release(fd);
        assertMovedWithAllWrites("f", from, to, 5);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) throw new AssertionError("gave up waiting for the other thread");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Moves while a writer appends, with random stalls around every fop on both bricks. */
    @Test
    void appendsDuringMovesUnderRandomStallsAllReachTheNewCopies() throws Exception {
        wrap((name, brick) -> new JitterBrick(name, brick, 30, 300_000));
        for (int i = 0; i < 12; i++) {
            String name = "f" + i;
            DistributeXlator client = distribute();
            Fd fd = createOpen(client, name);
            int from = client.dataSubvolOf(fd.gfid()), to = 1 - from;
            AtomicInteger rounds = new AtomicInteger();
            AtomicBoolean moved = new AtomicBoolean();
            AtomicReference<Throwable> problem = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int after = 0; !moved.get() || after++ < 20; ) {
                        write(client, fd, rounds.get());
                        rounds.incrementAndGet();
                    }
                } catch (Throwable x) {
                    problem.set(x);
                }
            }, "writer");
            writer.start();
            while (rounds.get() < 30 && writer.isAlive()) Thread.onSpinWait();
            DistributeXlator mover = distribute();
            ok(mover.lookup(C, entry(name, fd), Xdata.EMPTY));
            boolean done;
            try {
                done = new Rebalancer(mover, false, null, 1000).migrate(entry(name, fd), from, to);
            } finally {
                moved.set(true);
                writer.join(30_000);
            }
            if (problem.get() != null) throw new AssertionError("a write to " + name + " failed", problem.get());
            assertFalse(writer.isAlive(), "writer stuck");
            client.release(fd);
            assertTrue(done, name + " was not moved");
            assertMovedWithAllWrites(name, from, to, rounds.get());
        }
    }
}
