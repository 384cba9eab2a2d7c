package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.glusterj.core.Caller;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Iatt;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.features.locks.LocksXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Two clients (two distribute instances, each with its own caches) publish, rename and remove
 * a few shared names over the same two bricks, with the bricks stalling at random as a loaded
 * machine does. This is the namespace half of the two-mount StressIT without FUSE: a rename of
 * one's own new file onto a shared name must always work, a rename or unlink of a shared name may
 * only find it gone, and afterwards every name is one data file, found by a client that knows
 * nothing.
 */
class NameRaceTest {
    private static final Caller C = Caller.of(0, 0, 1);
    private static final int NAMES = 8;
    private static final int OPS_PER_WORKER = 400;

    private PosixBricks store;
    private final List<Xlator> jittery = new ArrayList<>();

    @BeforeEach
    void setUp(TestInfo info) throws IOException {
        store = new PosixBricks("dht-name-race", info);
        for (int i = 0; i < 2; i++) {
            Xlator locks = new LocksXlator(XlatorConfig.of("locks-" + i, "features/locks", Options.NONE,
                    List.of(store.add("vol-client-" + i))));
            jittery.add(new JitterBrick("vol-client-" + i, locks, 30, 200_000));
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        store.close();
    }

    private DistributeXlator client() {
        DistributeXlator d = new DistributeXlator(XlatorConfig.of("vol-dht", "cluster/distribute", Options.NONE,
                List.copyOf(jittery)));
        sync(d.lookup(C, Loc.root(), Xdata.EMPTY));
        return d;
    }

    @Test
    void publishesRenamesAndUnlinksFromTwoClientsLeaveOneDataFilePerName() throws Exception {
        List<DistributeXlator> clients = List.of(client(), client());
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicLong gone = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int id = w;
            DistributeXlator dht = clients.get(w % 2);
            workers.add(pool.submit(() -> work(id, dht, problems, gone)));
        }
        for (Future<?> f : workers) f.get(120, TimeUnit.SECONDS);
        pool.shutdown();
        assertTrue(problems.isEmpty(), "problems (" + gone.get() + " lost races with ENOENT or ESTALE):\n"
                + String.join("\n", problems));

        DistributeXlator fresh = client();
        for (String name : namesOnBricks()) {
            assertTrue(name.startsWith("n"), "a temporary name survived: " + name);
            long data = store.dirs.stream().filter(d -> isDataFile(d.resolve(name))).count();
            assertEquals(1, data, name + " is a data file on exactly one brick");
            Iatt a = sync(fresh.lookup(C, Loc.entry(Gfid.ROOT, name, "/" + name), Xdata.EMPTY)).attr();
            assertEquals(null, Record.check(read(fresh, a)), name);
        }
    }

    /**
     * Two clients rename one directory to two different names at the same moment, round after
     * round. Each rename goes to every brick; without the entry locks each client could win on one
     * brick, leaving the directory under one name here and the other there.
     */
    @Test
    void directoryRenamedByTwoClientsAtOnceHasOneNameOnEveryBrick() throws Exception {
        List<DistributeXlator> clients = List.of(client(), client());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 40; round++) {
                String from = "r" + round;
                Gfid g = sync(clients.get(0).mkdir(C, new Loc(Gfid.random(), Gfid.ROOT, from, "/" + from), 0755, 022,
                        Xdata.EMPTY)).attr().gfid();
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<String>> outcomes = new ArrayList<>();
                for (int k = 0; k < 2; k++) {
                    DistributeXlator dht = clients.get(k);
                    String to = (k == 0 ? "a" : "b") + round;
                    outcomes.add(pool.submit(() -> {
                        together.await();
                        try {
                            sync(dht.rename(C, new Loc(g, Gfid.ROOT, from, "/" + from), Loc.entry(Gfid.ROOT, to, "/" + to),
                                    Xdata.EMPTY));
                            return "renamed";
                        } catch (FopException e) {
                            return e.errno().name();
                        }
                    }));
                }
                List<String> results = new ArrayList<>();
                for (Future<String> f : outcomes) results.add(f.get(30, TimeUnit.SECONDS));
                List<Set<String>> perBrick = new ArrayList<>();
                for (Path d : store.dirs) {
                    Set<String> names = new TreeSet<>();
                    for (String n : List.of(from, "a" + round, "b" + round)) if (Files.isDirectory(d.resolve(n))) names.add(n);
                    perBrick.add(names);
                }
                assertEquals(1, results.stream().filter("renamed"::equals).count(), "one rename wins: " + results);
                assertEquals(1, perBrick.get(0).size(), "round " + round + " " + results + ": " + perBrick);
                assertEquals(perBrick.get(0), perBrick.get(1), "round " + round + " " + results + ": the same name on every brick");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void work(int id, DistributeXlator dht, ConcurrentLinkedQueue<String> problems, AtomicLong gone) {
        Random rnd = new Random(id * 31L + 7);
        for (int seq = 0; seq < OPS_PER_WORKER && problems.size() < 20; seq++) {
            String name = "n" + rnd.nextInt(NAMES);
            int op = rnd.nextInt(4);
            try {
                switch (op) {
                    case 0 -> {
                        String tmp = "tmp-" + id + "-" + seq;
                        Gfid g = createWith(dht, tmp, Record.of(id, seq));
                        try {
                            sync(dht.rename(C, new Loc(g, Gfid.ROOT, tmp, "/" + tmp),
                                    Loc.entry(Gfid.ROOT, name, "/" + name), Xdata.EMPTY));
                        } catch (FopException e) {
                            problems.add("publishing " + tmp + " (" + g + ") as " + name + ": " + e.getMessage());
                        }
                    }
                    case 1 -> {
                        Iatt a = sync(dht.lookup(C, Loc.entry(Gfid.ROOT, name, "/" + name), Xdata.EMPTY)).attr();
                        String bad = Record.check(read(dht, a));
                        if (bad != null) problems.add("read " + name + ": " + bad);
                    }
                    case 2 -> {
                        Gfid g = sync(dht.lookup(C, Loc.entry(Gfid.ROOT, name, "/" + name), Xdata.EMPTY)).attr().gfid();
                        String to = "n" + rnd.nextInt(NAMES);
                        sync(dht.rename(C, new Loc(g, Gfid.ROOT, name, "/" + name), Loc.entry(Gfid.ROOT, to, "/" + to),
                                Xdata.EMPTY));
                    }
                    default -> {
                        Gfid g = sync(dht.lookup(C, Loc.entry(Gfid.ROOT, name, "/" + name), Xdata.EMPTY)).attr().gfid();
                        sync(dht.unlink(C, new Loc(g, Gfid.ROOT, name, "/" + name), 0, Xdata.EMPTY));
                    }
                }
            } catch (FopException e) {
                // Another client removed or replaced the name first: FuseBridge resolves it again on
                // ESTALE, and the caller of a local filesystem would have got ENOENT.
                if (e.errno() == Errno.ENOENT || e.errno() == Errno.ESTALE) gone.incrementAndGet();
                else problems.add(List.of("publish", "read", "rename", "unlink").get(op) + " " + name + ": " + e);
            }
        }
    }

    private static Gfid createWith(DistributeXlator dht, String name, byte[] content) {
        Loc loc = new Loc(Gfid.random(), Gfid.ROOT, name, "/" + name);
        Fd fd = new Fd(new Inode(loc.gfid(), FileType.S_IFREG), 2, 1);
        sync(dht.create(C, loc, 0102, 0644, 022, fd, Xdata.EMPTY));
        try {
            sync(dht.writev(C, fd, Unpooled.wrappedBuffer(content), 0, 0, Xdata.EMPTY));
            sync(dht.flush(C, fd, Xdata.EMPTY));
        } finally {
            dht.release(fd);
        }
        return loc.gfid();
    }

    private static byte[] read(DistributeXlator dht, Iatt a) {
        Fd fd = new Fd(new Inode(a.gfid(), FileType.S_IFREG), 0, 1);
        sync(dht.open(C, Loc.of(a.gfid(), null), 0, fd, Xdata.EMPTY));
        try {
            ByteBuf data = sync(dht.readv(C, fd, 4096, 0, 0, Xdata.EMPTY)).data();
            byte[] out = new byte[data.readableBytes()];
            data.readBytes(out);
            data.release();
            return out;
        } finally {
            dht.release(fd);
        }
    }

    private Set<String> namesOnBricks() throws IOException {
        Set<String> out = new TreeSet<>();
        for (Path d : store.dirs) {
            try (Stream<Path> s = Files.list(d)) {
                s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).forEach(out::add);
            }
        }
        return out;
    }

    private static boolean isDataFile(Path p) {
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                    && ((int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777) != 01000;
        } catch (IOException e) {
            return false;
        }
    }

    /** The fop's reply, or its FopException. */
    private static <T> T sync(CompletableFuture<T> f) {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            FopException fe = FopException.unwrap(e);
            if (fe != null) throw fe;
            throw new AssertionError("fop failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("fop did not complete", e);
        }
    }

    /** A file that names its writer and sequence number, so a read can tell a whole one from anything else. */
    private static final class Record {
        static byte[] of(int writer, int seq) {
            return ("record " + writer + " " + seq + " " + "x".repeat(seq % 50)).getBytes(StandardCharsets.US_ASCII);
        }

        static String check(byte[] content) {
            String s = new String(content, StandardCharsets.US_ASCII);
            String[] f = s.split(" ");
            if (f.length < 3 || !f[0].equals("record")) return "not a record: \"" + s + "\"";
            String want = new String(of(Integer.parseInt(f[1]), Integer.parseInt(f[2])), StandardCharsets.US_ASCII);
            return want.equals(s) ? null : "record " + f[1] + "/" + f[2] + " is \"" + s + "\"";
        }
    }
}
