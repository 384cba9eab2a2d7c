package org.glusterj.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.glusterj.core.Event;
import org.glusterj.core.Xlator;
import org.glusterj.graph.Graph;
import org.glusterj.graph.GraphBuilder;
import org.glusterj.graph.VolfileException;
import org.glusterj.xlators.cluster.dht.DistributeXlator;
import org.glusterj.xlators.cluster.dht.Rebalancer;
import org.glusterj.xlators.protocol.client.ClientXlator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar glusterj-client.jar --rebalance VOLFILE}: spreads a volume over the bricks its
 * volfile now lists (GlusterFS's "volume rebalance"), while clients keep using it.
 */
final class RebalanceMain {
    static final String USAGE = String.join("\n",
            "usage: java -jar glusterj-client.jar --rebalance VOLFILE [--fix-layout] [options]",
            "",
            "After bricks were added to the cluster/distribute volume in VOLFILE, gives every directory",
            "a layout over all bricks (fix-layout) and moves each file whose name now hashes to another",
            "brick there. Mounted clients keep reading and writing meanwhile; remount them with the new",
            "volfile first so that they see the new bricks. Ctrl-C stops after the file at hand; running",
            "the same command again resumes. See docs/growing-a-volume.md.",
            "",
            "options:",
            "  --fix-layout                  only rewrite layouts: new files use the new bricks, no data moves",
            "  --xlator-option VOL.KEY=VALUE override a volfile option (repeatable)",
            "  --log-level LEVEL, --log-file FILE   as for mounting",
            "",
            "exit status: 0 when done, 1 when files could not be moved or a brick is unreachable,",
            "2 on a usage or volfile error, 130 when interrupted (run again to resume)");

    private static final long CONNECT_WAIT_SECONDS = 15;
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    static int run(String[] argv) {
        Args args;
        Graph graph;
        try {
            args = Args.parse(argv, Set.of("--xlator-option", "--log-level", "--log-file"),
                    Set.of("--rebalance", "--fix-layout", "--help", "-h"));
            if (args.has("--help") || args.has("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            if (args.positional.size() != 1) throw new UsageException("expected one VOLFILE (see --rebalance --help)");
            Logging.configure(args.last("--log-level"), args.last("--log-file"));
            Path volfile = Path.of(args.positional.get(0));
            if (!Files.isRegularFile(volfile)) throw new UsageException("volfile " + volfile + " does not exist or is not a file");
            graph = new GraphBuilder().build(volfile, args.all("--xlator-option"));
        } catch (UsageException | VolfileException e) {
            System.err.println("glusterj-rebalance: " + e.getMessage());
            return 2;
        }
        Logger log = LoggerFactory.getLogger(RebalanceMain.class);
        try {
            DistributeXlator dht = graph.xlators().stream().filter(DistributeXlator.class::isInstance)
                    .map(DistributeXlator.class::cast).findFirst().orElse(null);
            if (dht == null) {
                System.err.println("glusterj-rebalance: " + graph.top() + " has no cluster/distribute volume; nothing to rebalance");
                return 2;
            }
            CompletableFuture<Event> up = new CompletableFuture<>();
            dht.addListener((event, source) -> up.complete(event));
            graph.activate();
            up.get(CONNECT_WAIT_SECONDS, TimeUnit.SECONDS);
            List<String> down = unreachable(dht);
            if (!down.isEmpty()) {
                System.err.println("glusterj-rebalance: cannot rebalance while subvolumes are unreachable: "
                        + String.join(", ", down) + "; start those bricks and run again");
                return 1;
            }
            boolean fixLayoutOnly = args.has("--fix-layout");
            Rebalancer rebalancer = new Rebalancer(dht, fixLayoutOnly, new ProgressPrinter());
            Signals.onTerminate(rebalancer::stop);
            System.out.println("rebalancing " + dht + " over " + dht.children().size() + " subvolumes"
                    + (fixLayoutOnly ? " (fix-layout only)" : ""));
            Rebalancer.Progress p = rebalancer.run();
            System.out.println(summary(p));
            if (!p.finished()) {
                System.out.println("stopped before the end; run the same command again to resume");
                return 130;
            }
            return p.failures() == 0 ? 0 : 1;
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("glusterj-rebalance: the bricks did not answer within " + CONNECT_WAIT_SECONDS + " s");
            return 1;
        } catch (Exception e) {
            log.debug("rebalance failed", e);
            System.err.println("glusterj-rebalance: " + e.getMessage());
            return 1;
        } finally {
            graph.fini();
        }
    }

    /** The subvolumes (bricks) of the distribute volume that are not connected. */
    private static List<String> unreachable(DistributeXlator dht) {
        return dht.children().stream().filter(c -> !connected(c)).map(Xlator::name).toList();
    }

    private static boolean connected(Xlator x) {
        if (x instanceof ClientXlator c) return c.isConnected();
        return x.children().stream().allMatch(RebalanceMain::connected);
    }

    static String summary(Rebalancer.Progress p) {
        return String.format("%d directories, %d files scanned, %d moved (%.1f MiB), %d skipped, %d failed",
                p.directories(), p.filesScanned(), p.filesMigrated(), p.bytesMigrated() / 1048576.0, p.skipped(),
                p.failures());
    }

    /** One progress line a second at most, so that a big volume does not flood the terminal. */
    private static final class ProgressPrinter implements Rebalancer.Listener {
        private long last = System.nanoTime();

        @Override
        public void onProgress(Rebalancer.Progress p, String where) {
            long now = System.nanoTime();
            if (now - last < PROGRESS_EVERY_NANOS) return;
            last = now;
            System.out.println("  " + summary(p) + "  at " + where);
        }
    }

    private RebalanceMain() {
    }
}
