package org.glusterj.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.glusterj.core.Event;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorType;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {
    private final TestXlators test = new TestXlators();

    private static final String TREE = """
            volume c0
                type test/leaf
                option ping-timeout 10
            end-volume
            volume c1
                type test/leaf
                option cache-size 64MB
            end-volume
            volume mid
                type test/passthrough
                subvolumes c0 c1
            end-volume
            volume top
                type test/pass
                subvolumes mid
            end-volume
            """;

    private Graph build(String text, String... overrides) throws VolfileException {
        return test.builder().build(text, "x.vol", List.of(overrides));
    }

    private String buildError(String text, String... overrides) {
        return assertThrows(VolfileException.class, () -> build(text, overrides)).getMessage();
    }

    @Test
    void buildsTreeWithParentsChildrenAndUniqueSlots() throws Exception {
        Graph g = build(TREE);
        Xlator top = g.top();
        assertEquals("top", top.name());
        assertEquals(List.of("top", "mid", "c1", "c0"), g.xlators().stream().map(Xlator::name).toList());
        Xlator mid = g.find("mid").orElseThrow();
        Xlator c0 = g.find("c0").orElseThrow();
        Xlator c1 = g.find("c1").orElseThrow();
        assertEquals(List.of(mid), top.children());
        assertEquals(List.of(c0, c1), mid.children());
        assertEquals(List.of(top), mid.parents());
        assertEquals(List.of(mid), c0.parents());
        assertEquals("test/pass", mid.type(), "an alias resolves to the canonical type");
        assertEquals(Set.of(0, 1, 2, 3), g.xlators().stream().map(Xlator::slot).collect(Collectors.toSet()));
        assertEquals(Optional.empty(), g.find("nope"));
    }

    @Test
    void xlatorsReceiveTheirValidatedOptions() throws Exception {
        Graph g = build(TREE);
        Xlator c0 = g.find("c0").orElseThrow();
        assertEquals(Duration.ofSeconds(10), c0.options().get(TestXlators.PING_TIMEOUT));
        assertEquals(32L << 20, c0.options().get(TestXlators.CACHE_SIZE), "default when not set");
        assertEquals(64L << 20, g.find("c1").orElseThrow().options().get(TestXlators.CACHE_SIZE));
    }

    @Test
    void activateDeliversParentUpToEveryXlatorOnce() throws Exception {
        Graph g = build(TREE);
        assertTrue(test.journal.isEmpty(), "nothing happens before activate: " + test.journal);
        g.activate();
        assertEquals(List.of("top:PARENT_UP", "mid:PARENT_UP", "c0:PARENT_UP", "c1:PARENT_UP"), test.journal);
        assertThrows(IllegalStateException.class, g::activate);
        assertEquals(4, test.journal.size(), "a second activate sends nothing");
    }

    @Test
    void finiRunsTopFirstOnceAndSurvivesAFailingFini() throws Exception {
        Graph g = build("""
                volume leaf
                  type test/leaf
                end-volume
                volume bad
                  type test/bad-fini
                  subvolumes leaf
                end-volume
                volume top
                  type test/pass
                  subvolumes bad
                end-volume
                """);
        g.fini();
        assertEquals(List.of("top:fini", "bad:fini", "leaf:fini"), test.journal);
        g.fini();
        assertEquals(3, test.journal.size(), "fini twice finishes once");
        assertThrows(IllegalStateException.class, g::activate);
    }

    @Test
    void unreachableVolumesAreValidatedButNotBuilt() throws Exception {
        Graph g = build("""
                volume orphan
                  type test/leaf
                end-volume
                volume top
                  type test/leaf
                end-volume
                """);
        assertEquals(List.of("top"), g.xlators().stream().map(Xlator::name).toList());
        assertEquals(0, g.top().slot());
        assertTrue(g.find("orphan").isEmpty());

        assertEquals("x.vol:3: volume \"orphan\": option \"mode\": invalid value \"slow\"; allowed: fast, safe",
                buildError("volume orphan\n type test/leaf\n option mode slow\nend-volume\n"
                        + "volume top\n type test/leaf\nend-volume\n"));
    }

    @Test
    void realClientVolfileFailsAtFirstUnknownTypeAndLine() {
        VolfileException e = assertThrows(VolfileException.class, () -> test.builder()
                .build(VolfileParserTest.resource("gv0.tcp-fuse.vol"), List.of()));
        assertEquals(VolfileParserTest.resource("gv0.tcp-fuse.vol") + ":2: volume \"gv0-client-0\": unknown type "
                + "\"protocol/client\"; known types: test/leaf, test/brick, test/pass, test/failing, test/bad-fini",
                e.getMessage());
        assertEquals(2, e.line());
        assertEquals("gv0-client-0", e.volume());
    }

    @Test
    void realBrickVolfileFailsAtFirstUnknownTypeAndLine() {
        VolfileException e = assertThrows(VolfileException.class, () -> new GraphBuilder(t -> Optional.empty())
                .build(VolfileParserTest.resource("gv0.server1.bricks-b1.vol"), List.of()));
        assertEquals(VolfileParserTest.resource("gv0.server1.bricks-b1.vol") + ":2: volume \"gv0-posix\": unknown "
                + "type \"storage/posix\"; see docs/volfile-reference.md for the types glusterj implements",
                e.getMessage());
    }

    @Test
    void unknownTypeIsReportedBeforeAnyOptionProblem() {
        assertEquals("x.vol:6: volume \"perf\": unknown type \"performance/foo\"; known types: test/leaf, "
                        + "test/brick, test/pass, test/failing, test/bad-fini",
                buildError("volume a\n type test/leaf\n option nonsense 1\nend-volume\n"
                        + "volume perf\n type performance/foo\n subvolumes a\nend-volume\n"));
    }

    @Test
    void defaultBuilderUsesTheRegistry() {
        String msg = assertThrows(VolfileException.class, () -> new GraphBuilder()
                .build("volume a\n type no/such-type\nend-volume\n", "r.vol", List.of())).getMessage();
        assertTrue(msg.startsWith("r.vol:2: volume \"a\": unknown type \"no/such-type\"; known types: "), msg);
    }

    @Test
    void unknownOptionKeyNamesLineVolumeKeyAndKnownKeys() {
        assertEquals("x.vol:4: volume \"c\": unknown option \"cache-sise\"; known options: cache-size, "
                        + "ping-timeout, transport.socket.keepalive, mode, auth.addr.*.allow",
                buildError("volume c\n type test/leaf\n option mode safe\n option cache-sise 1MB\nend-volume\n"));
        assertEquals("x.vol:3: volume \"p\": unknown option \"k\" (this type takes no options)",
                buildError("volume p\n type test/pass\n option k v\nend-volume\n"));
    }

    @Test
    void badOptionValueNamesLineVolumeKeyValueAndAllowed() {
        assertEquals("x.vol:3: volume \"c0\": option \"ping-timeout\": invalid value \"abc\"; allowed: a time from "
                        + "0.0 to 1800.0 seconds (suffixes ms, s, m, h)",
                buildError("volume c0\n type test/leaf\n option ping-timeout abc\nend-volume\n"));
    }

    @Test
    void patternOptionKeysAreAccepted() throws Exception {
        Graph g = build("volume s\n type test/leaf\n option auth.addr./bricks/b1.allow *\nend-volume\n");
        assertEquals(Map.of("auth.addr./bricks/b1.allow", "*"), g.top().options().matching(TestXlators.AUTH));
    }

    @Test
    void missingRequiredOptionIsAnError() {
        assertEquals("x.vol:1: volume \"b\": required option \"directory\" is missing for type test/brick; add "
                + "\"option directory VALUE\" (an absolute path)", buildError("volume b\n type test/brick\nend-volume\n"));
    }

    @Test
    void constructorFailureFinisTheBuiltXlatorsAndNamesTheVolume() {
        VolfileException e = assertThrows(VolfileException.class, () -> build("""
                volume a
                  type test/leaf
                end-volume
                volume b
                  type test/leaf
                end-volume
                volume boom
                  type test/failing
                  subvolumes a b
                end-volume
                volume top
                  type test/pass
                  subvolumes boom
                end-volume
                """));
        assertEquals("x.vol:7: volume \"boom\": cannot start test/failing: cannot bind port 24007: address in use",
                e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(List.of("b:fini", "a:fini"), test.journal);
    }

    @Test
    void noXlatorIsConstructedWhenValidationFails() {
        int[] constructed = {0};
        XlatorType counting = new XlatorType("test/counting", List.of(), "", List.of(TestXlators.MODE), c -> {
            constructed[0]++;
            return new TestXlators.Recorder(c, test.journal);
        });
        assertThrows(VolfileException.class, () -> new GraphBuilder(List.of(counting)).build(
                "volume a\n type test/counting\nend-volume\nvolume b\n type test/counting\n option mode x\n"
                        + " subvolumes a\nend-volume\n", "x.vol", List.of()));
        assertEquals(0, constructed[0]);
    }

    // ---- --xlator-option ----

    @Test
    void overrideReplacesAndAddsOptions() throws Exception {
        Graph g = build(TREE, "c0.ping-timeout=5", "c0.transport.socket.keepalive=off", "c0.ping-timeout=7");
        Xlator c0 = g.find("c0").orElseThrow();
        assertEquals(Duration.ofSeconds(7), c0.options().get(TestXlators.PING_TIMEOUT), "later override wins");
        assertFalse(c0.options().get(TestXlators.KEEPALIVE));
        assertEquals(Map.of("ping-timeout", "7", "transport.socket.keepalive", "off"), c0.options().raw());
    }

    @Test
    void overrideGlobAppliesToEveryMatchingVolume() throws Exception {
        Graph g = build(TREE, "c*.mode=safe");
        assertEquals("safe", g.find("c0").orElseThrow().options().get(TestXlators.MODE));
        assertEquals("safe", g.find("c1").orElseThrow().options().get(TestXlators.MODE));
        assertEquals(Map.of(), g.find("mid").orElseThrow().options().raw());
    }

    @Test
    void overrideSplitsAfterAVolumeNameThatContainsDots() throws Exception {
        Graph g = build("volume vol.one\n type test/leaf\nend-volume\n", "vol.one.transport.socket.keepalive=no");
        assertEquals(Map.of("transport.socket.keepalive", "no"), g.top().options().raw());
    }

    @Test
    void badOverrideSyntaxIsAnError() {
        for (String bad : List.of("c0-ping-timeout=5", "c0.ping-timeout", ".ping-timeout=5")) {
            assertEquals("--xlator-option \"" + bad + "\": expected VOLUME.KEY=VALUE, e.g. "
                    + "gv0-client-0.ping-timeout=10", buildError(TREE, bad), bad);
        }
        assertEquals("--xlator-option \"c0.=5\": no option key after the volume name; expected VOLUME.KEY=VALUE",
                buildError(TREE, "c0.=5"));
    }

    @Test
    void overrideForUnknownVolumeIsAnError() {
        assertEquals("--xlator-option \"c9.ping-timeout=5\": no volume named or matching \"c9\"; volumes: c0, c1, "
                + "mid, top", buildError(TREE, "c9.ping-timeout=5"));
    }

    @Test
    void overrideIsValidatedAndBlamedOnTheCommandLine() {
        assertEquals("--xlator-option \"c0.ping-timeout=soon\": volume \"c0\": option \"ping-timeout\": invalid "
                        + "value \"soon\"; allowed: a time from 0.0 to 1800.0 seconds (suffixes ms, s, m, h)",
                buildError(TREE, "c0.ping-timeout=soon"));
        assertEquals("--xlator-option \"top.bogus=1\": volume \"top\": unknown option \"bogus\" (this type takes no "
                + "options)", buildError(TREE, "top.bogus=1"));
    }

    @Test
    void overrideCanSupplyARequiredOption() throws Exception {
        Graph g = build("volume b\n type test/brick\nend-volume\n", "b.directory=/srv/b");
        assertEquals("/srv/b", g.top().options().get(TestXlators.DIRECTORY));
    }

    @Test
    void sharedChildIsBuiltOnceWithBothParents() throws Exception {
        Graph g = build("""
                volume shared
                  type test/leaf
                end-volume
                volume left
                  type test/pass
                  subvolumes shared
                end-volume
                volume right
                  type test/pass
                  subvolumes shared
                end-volume
                volume top
                  type test/pass
                  subvolumes left right
                end-volume
                """);
        Xlator shared = g.find("shared").orElseThrow();
        assertSame(shared, g.find("left").orElseThrow().children().get(0));
        assertSame(shared, g.find("right").orElseThrow().children().get(0));
        assertEquals(List.of("left", "right"), shared.parents().stream().map(Xlator::name).toList());
        assertEquals(4, g.xlators().size());
        assertEquals(1, Collections.frequency(g.xlators(), shared));
    }

    @Test
    void eventsFromTheBottomReachTheTop() throws Exception {
        Graph g = build(TREE);
        List<String> seen = new java.util.ArrayList<>();
        g.top().addListener((event, source) -> seen.add(event + " from " + source.name()));
        g.find("c1").orElseThrow().notify(Event.CHILD_UP, null);
        assertEquals(List.of("CHILD_UP from top"), seen);
    }
}
