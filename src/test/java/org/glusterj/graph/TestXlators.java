package org.glusterj.graph;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.glusterj.core.Event;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.core.XlatorType;
import org.glusterj.options.Option;

/** Xlator types that exist only for graph tests: they record what happens to them. */
final class TestXlators {
    /** Events and fini calls, in the order they happened, as "name:EVENT" / "name:fini". */
    final List<String> journal = Collections.synchronizedList(new ArrayList<>());

    static final Option<Long> CACHE_SIZE = Option.size("cache-size", "32MB", 0, 1L << 40, "Bytes | to cache.");
    static final Option<Duration> PING_TIMEOUT = Option.time("ping-timeout", "42", Duration.ZERO,
            Duration.ofSeconds(1800), "Seconds without a reply before the brick is declared dead.");
    static final Option<Boolean> KEEPALIVE = Option.bool("transport.socket.keepalive", true, "TCP keepalive.");
    static final Option<String> MODE = Option.choice("mode", "fast", List.of("fast", "safe"), "How.");
    static final Option<String> AUTH = Option.string("auth.addr.*.allow", null, "Addresses allowed per brick.");
    static final Option<String> DIRECTORY = Option.path("directory", null, "Where the files live.").required();

    final XlatorType leaf = new XlatorType("test/leaf", List.of(), "A leaf with options.",
            List.of(CACHE_SIZE, PING_TIMEOUT, KEEPALIVE, MODE, AUTH), this::recorder);
    final XlatorType brick = new XlatorType("test/brick", List.of(), "Needs a directory.",
            List.of(DIRECTORY), this::recorder);
    final XlatorType pass = new XlatorType("test/pass", List.of("test/passthrough"), "Passes everything on.",
            List.of(), this::recorder);
    final XlatorType failing = new XlatorType("test/failing", List.of(), "Its constructor throws.", List.of(),
            config -> {
                throw new IllegalStateException("cannot bind port 24007: address in use");
            });
    final XlatorType badFini = new XlatorType("test/bad-fini", List.of(), "Its fini throws.", List.of(),
            config -> new Recorder(config, journal) {
                @Override
                public void fini() {
                    super.fini();
                    throw new IllegalStateException("fini exploded");
                }
            });

    List<XlatorType> all() {
        return List.of(leaf, brick, pass, failing, badFini);
    }

    GraphBuilder builder() {
        return new GraphBuilder(all());
    }

    private Xlator recorder(XlatorConfig config) {
        return new Recorder(config, journal);
    }

    static class Recorder extends Xlator {
        private final List<String> journal;

        Recorder(XlatorConfig config, List<String> journal) {
            super(config);
            this.journal = journal;
        }

        @Override
        public void notify(Event event, Xlator source) {
            journal.add(name() + ":" + event);
            super.notify(event, source);
        }

        @Override
        public void fini() {
            journal.add(name() + ":fini");
        }
    }
}
