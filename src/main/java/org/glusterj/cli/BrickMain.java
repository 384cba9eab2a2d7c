package org.glusterj.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.glusterj.graph.Graph;
import org.glusterj.graph.GraphBuilder;
import org.glusterj.graph.VolfileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar glusterj-brick.jar}: serves one brick graph over TCP until SIGINT/SIGTERM. */
public final class BrickMain {
    private static final String USAGE = String.join("\n",
            "usage: java -jar glusterj-brick.jar BRICK-VOLFILE [options]",
            "       java -jar glusterj-brick.jar --dir DIR [--port N] [--name NAME] [--bind ADDR] [--allow PATTERNS]",
            "",
            "Serves a brick until interrupted. The first form loads a brick volfile (protocol/server at",
            "the top); the second builds the default brick graph over directory DIR, exported as NAME.",
            "",
            "options:",
            "  --dir DIR                     the brick directory (created if missing)",
            "  --port N                      TCP port to listen on (default 24009)",
            "  --name NAME                   subvolume name clients give as remote-subvolume",
            "                                (default: the directory's last component)",
            "  --bind ADDR                   address to listen on (default 0.0.0.0)",
            "  --allow PATTERNS              client addresses allowed, comma-separated, * wildcards (default *)",
            "  --xlator-option VOL.KEY=VALUE override a volfile option (repeatable)",
            "  --log-level LEVEL             TRACE, DEBUG, INFO (default), WARN or ERROR",
            "  --log-file FILE               log to FILE instead of stderr",
            "  --help                        show this text",
            "",
            "exit status: 0 after SIGINT/SIGTERM, 1 on a runtime failure (e.g. port in use), 2 on a usage",
            "or volfile error");

    public static void main(String[] argv) {
        QuickCompiles.apply();
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        Graph graph;
        try {
            Args args = Args.parse(argv,
                    Set.of("--dir", "--port", "--name", "--bind", "--allow", "--xlator-option", "--log-level", "--log-file"),
                    Set.of("--help", "-h"));
            if (args.has("--help") || args.has("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            Logging.configure(args.last("--log-level"), args.last("--log-file"));
            graph = buildGraph(args);
        } catch (UsageException | VolfileException e) {
            System.err.println("glusterj-brick: " + e.getMessage());
            return 2;
        }
        Logger log = LoggerFactory.getLogger(BrickMain.class);
        CountDownLatch stop = new CountDownLatch(1);
        try {
            graph.activate();
            log.info("brick graph \"{}\" is serving", graph.top().name());
            Signals.onTerminate(stop::countDown);
            stop.await();
            log.info("stopping");
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            log.debug("brick failed", e);
            System.err.println("glusterj-brick: " + e.getMessage());
            return 1;
        } finally {
            graph.fini();
        }
    }

    private static Graph buildGraph(Args args) throws UsageException, VolfileException {
        GraphBuilder builder = new GraphBuilder();
        if (args.has("--dir")) {
            if (!args.positional.isEmpty()) {
                throw new UsageException("give either BRICK-VOLFILE or --dir, not both");
            }
            Path dir = Path.of(args.last("--dir")).toAbsolutePath().normalize();
            try {
                Files.createDirectories(dir);
            } catch (Exception e) {
                throw new UsageException("cannot create brick directory " + dir + ": " + e.getMessage());
            }
            String name = args.last("--name") != null ? args.last("--name")
                    : dir.getFileName() == null ? "brick" : dir.getFileName().toString();
            if (!name.matches("[A-Za-z0-9._/-]+")) {
                throw new UsageException("--name may only use letters, digits and . _ / -; got \"" + name + "\"");
            }
            String text = DefaultBrickVolfile.render(dir, name, args.intValue("--port", 24009),
                    args.last("--bind") != null ? args.last("--bind") : "0.0.0.0",
                    args.last("--allow") != null ? args.last("--allow") : "*");
            return builder.build(text, "<default brick graph for " + dir + ">", args.all("--xlator-option"));
        }
        if (args.positional.size() != 1) {
            throw new UsageException("expected BRICK-VOLFILE or --dir DIR (see --help)");
        }
        Path volfile = Path.of(args.positional.get(0));
        if (!Files.isRegularFile(volfile)) {
            throw new UsageException("volfile " + volfile + " does not exist or is not a file");
        }
        return builder.build(volfile, args.all("--xlator-option"));
    }

    private BrickMain() {
    }
}
