package org.glusterj.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.glusterj.core.Event;
import org.glusterj.graph.Graph;
import org.glusterj.graph.GraphBuilder;
import org.glusterj.graph.VolfileException;
import org.glusterj.xlators.debug.IoStatsXlator;
import org.glusterj.xlators.mount.fuse.FuseBridge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar glusterj-client.jar VOLFILE MOUNTPOINT}: mounts a volume through FUSE, in the foreground. */
public final class ClientMain {
    private static final String USAGE = String.join("\n",
            "usage: java -jar glusterj-client.jar VOLFILE MOUNTPOINT [options]",
            "",
            "Mounts the volume described by VOLFILE at MOUNTPOINT and serves it in the foreground",
            "until unmounted (Ctrl-C, SIGTERM, or fusermount -u MOUNTPOINT).",
            "",
            "options:",
            "  -o OPTS                       extra FUSE mount options, comma-separated; they override the",
            "                                defaults (big_writes,max_write=131072,max_read=131072,...)",
            "  --xlator-option VOL.KEY=VALUE override an option of volume VOL in the volfile (repeatable)",
            "  --log-level LEVEL             TRACE, DEBUG, INFO (default), WARN or ERROR",
            "  --log-file FILE               log to FILE instead of stderr",
            "  --help                        show this text",
            "",
            "java -jar glusterj-client.jar --rebalance VOLFILE [--fix-layout] spreads a distributed volume",
            "over bricks added to its volfile (see --rebalance --help).",
            "",
            "exit status: 0 after a clean unmount, 1 on a runtime failure, 2 on a usage or volfile error");

    /** How long to wait for the bricks to answer before mounting anyway. */
    private static final long FIRST_EVENT_WAIT_SECONDS = 15;

    public static void main(String[] argv) {
        QuickCompiles.apply();
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        if (java.util.Arrays.asList(argv).contains("--rebalance")) return RebalanceMain.run(argv);
        Args args;
        try {
            args = Args.parse(argv, Set.of("-o", "--xlator-option", "--log-level", "--log-file"), Set.of("--help", "-h"));
            if (args.has("--help") || args.has("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            if (args.positional.size() != 2) {
                throw new UsageException("expected VOLFILE and MOUNTPOINT (see --help)");
            }
            Logging.configure(args.last("--log-level"), args.last("--log-file"));
        } catch (UsageException e) {
            System.err.println("glusterj-client: " + e.getMessage());
            return 2;
        }
        Path volfile = Path.of(args.positional.get(0));
        Path mountpoint = Path.of(args.positional.get(1)).toAbsolutePath().normalize();
        Logger log = LoggerFactory.getLogger(ClientMain.class);

        Graph graph;
        try {
            if (!Files.isRegularFile(volfile)) {
                throw new UsageException("volfile " + volfile + " does not exist or is not a file");
            }
            graph = new GraphBuilder().build(volfile, args.all("--xlator-option"));
        } catch (UsageException | VolfileException e) {
            System.err.println("glusterj-client: " + e.getMessage());
            return 2;
        }

        try {
            // notExists is false when stat fails for another reason, e.g. a dead mount the bridge will clear.
            if (Files.notExists(mountpoint)) {
                throw new UsageException("mountpoint " + mountpoint + " does not exist; create it first (mkdir -p "
                        + mountpoint + ")");
            }
            FuseBridge bridge = new FuseBridge(graph.top(), FuseBridge.Settings.defaults(graph.top().name()));
            CompletableFuture<Event> firstEvent = new CompletableFuture<>();
            graph.top().addListener((event, source) -> firstEvent.complete(event));
            graph.activate();
            Event first = awaitFirstEvent(firstEvent);
            if (first == Event.CHILD_DOWN) {
                throw new IllegalStateException("no brick of volume \"" + graph.top().name()
                        + "\" could be reached or accepted the connection; check that the bricks run and allow this"
                        + " client (details in the log above)");
            }
            Signals.onTerminate(bridge::unmount);
            IoStatsXlator.dumpOnSignal("USR1");
            log.info("mounting volume \"{}\" at {}", graph.top().name(), mountpoint);
            bridge.mount(mountpoint, fuseArgs(args));
            log.info("unmounted {}", mountpoint);
            return 0;
        } catch (UsageException e) {
            System.err.println("glusterj-client: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            log.debug("mount failed", e);
            System.err.println("glusterj-client: " + e.getMessage());
            return 1;
        } finally {
            graph.fini();
        }
    }

    private static Event awaitFirstEvent(CompletableFuture<Event> firstEvent) {
        try {
            return firstEvent.get(FIRST_EVENT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // Mount anyway, as GlusterFS does: fops fail with ENOTCONN until a brick connects.
            LoggerFactory.getLogger(ClientMain.class).warn(
                    "bricks did not answer within {} s; mounting anyway, operations fail until they do",
                    FIRST_EVENT_WAIT_SECONDS);
            return null;
        } catch (Exception e) {
            throw new IllegalStateException("waiting for the bricks: " + e, e);
        }
    }

    private static String[] fuseArgs(Args args) {
        List<String> out = new ArrayList<>();
        for (String o : args.all("-o")) {
            out.add("-o");
            out.add(o);
        }
        return out.toArray(String[]::new);
    }

    private ClientMain() {
    }
}
