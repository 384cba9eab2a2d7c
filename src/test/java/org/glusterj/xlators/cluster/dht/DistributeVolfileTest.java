package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Caller;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.Xdata;
import org.glusterj.graph.Graph;
import org.glusterj.graph.GraphBuilder;
import org.glusterj.graph.VolfileException;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cluster/distribute built from volfile text, with the option keys real GlusterFS client volfiles carry. */
class DistributeVolfileTest {
    private static final GraphBuilder BUILDER = new GraphBuilder(List.of(DistributeXlator.TYPE, PosixXlator.TYPE));
    private Path base;
    private Graph graph;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(Path.of("target"));
        base = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "dht-volfile-");
        Files.createDirectory(base.resolve("b0"));
        Files.createDirectory(base.resolve("b1"));
    }

    @AfterEach
    void tearDown() throws IOException {
        if (graph != null) graph.fini();
        try (var s = Files.walk(base)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private String volfile(String dhtType, String extraOptions) {
        return "volume gv0-client-0\n    type storage/posix\n    option directory " + base.resolve("b0") + "\nend-volume\n\n"
                + "volume gv0-client-1\n    type storage/posix\n    option directory " + base.resolve("b1") + "\nend-volume\n\n"
                + "volume gv0-dht\n    type " + dhtType + "\n" + extraOptions
                + "    subvolumes gv0-client-0 gv0-client-1\nend-volume\n";
    }

    @Test
    void aGlusterfsStyleVolfileBuildsAndPlacesFilesByTheHash() throws Exception {
        graph = BUILDER.build(volfile("cluster/distribute",
                "    option force-migration off\n    option lock-migration off\n    option lookup-unhashed on\n"
                        + "    option min-free-disk 10%\n    option rsync-hash-regex \"^\\\\.(.+)\\\\.[^.]+$\"\n"),
                "gv0.tcp-fuse.vol", List.of());
        DistributeXlator dht = assertInstanceOf(DistributeXlator.class, graph.top());
        Caller c = Caller.of(0, 0, 1);
        dht.lookup(c, Loc.root(), Xdata.EMPTY).get(10, TimeUnit.SECONDS);
        for (String name : List.of("a.txt", "x", "é", "日本", ".foo.bar")) {
            Loc loc = new Loc(Gfid.random(), Gfid.ROOT, name, "/" + name);
            Fd fd = new Fd(new Inode(loc.gfid(), FileType.S_IFREG), 1, 1);
            dht.create(c, loc, 0101, 0644, 022, fd, Xdata.EMPTY).get(10, TimeUnit.SECONDS);
            dht.release(fd);
            int expected = dht.knownLayout(Gfid.ROOT).subvolFor(DmHash.withDefaults().hashName(name));
            assertTrue(Files.exists(base.resolve("b" + expected).resolve(name)), name + " on b" + expected);
            assertEquals(false, Files.exists(base.resolve("b" + (1 - expected)).resolve(name)), name);
        }
    }

    @Test
    void theDhtAliasAndBadValuesAreReportedWithTheirKey() throws Exception {
        graph = BUILDER.build(volfile("cluster/dht", ""), "alias.vol", List.of());
        assertInstanceOf(DistributeXlator.class, graph.top());
        graph.fini();
        graph = null;
        VolfileException e = assertThrows(VolfileException.class,
                () -> BUILDER.build(volfile("cluster/distribute", "    option min-free-disk lots\n"), "bad.vol", List.of()));
        assertTrue(e.getMessage().contains("min-free-disk"), e.getMessage());
        assertTrue(e.getMessage().contains("gv0-dht"), e.getMessage());
    }
}
