package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.glusterj.core.Event;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

class DistributeEventsTest {
    private final List<Event> seen = Collections.synchronizedList(new ArrayList<>());

    private static Xlator leaf(String name) {
        return new Xlator(XlatorConfig.of(name, "test/leaf", Options.NONE, List.of())) {
        };
    }

    private DistributeXlator dht(Xlator... children) {
        DistributeXlator d = new DistributeXlator(XlatorConfig.of("vol-dht", "cluster/distribute", Options.NONE,
                List.of(children)));
        d.addListener((e, src) -> seen.add(e));
        return d;
    }

    @Test
    void withholdsEventsUntilEverySubvolumeReported() {
        Xlator a = leaf("c0"), b = leaf("c1"), c = leaf("c2");
        DistributeXlator d = dht(a, b, c);
        d.notify(Event.CHILD_DOWN, a);
        d.notify(Event.CHILD_UP, b);
        assertEquals(List.of(), seen);
        d.notify(Event.CHILD_DOWN, c);
        assertEquals(List.of(Event.CHILD_UP), seen, "one subvolume up is enough");
    }

    @Test
    void reportsDownWhenNoneCameUp() {
        Xlator a = leaf("c0"), b = leaf("c1");
        DistributeXlator d = dht(a, b);
        d.notify(Event.CHILD_DOWN, a);
        d.notify(Event.CHILD_CONNECTING, b);
        assertEquals(List.of(Event.CHILD_DOWN), seen);
        d.notify(Event.CHILD_UP, b);
        assertEquals(List.of(Event.CHILD_DOWN, Event.CHILD_UP), seen);
    }

    @Test
    void aLaterDownIsChildDownOnlyWhenTheLastSubvolumeGoes() {
        Xlator a = leaf("c0"), b = leaf("c1");
        DistributeXlator d = dht(a, b);
        d.notify(Event.CHILD_UP, a);
        d.notify(Event.CHILD_UP, b);
        seen.clear();
        d.notify(Event.CHILD_DOWN, a);
        assertEquals(List.of(Event.SOME_DESCENDENT_DOWN), seen, "the volume stays up, but caches must hear of it");
        d.notify(Event.CHILD_DOWN, b);
        assertEquals(List.of(Event.SOME_DESCENDENT_DOWN, Event.CHILD_DOWN), seen);
        d.notify(Event.CHILD_UP, a);
        assertEquals(List.of(Event.SOME_DESCENDENT_DOWN, Event.CHILD_DOWN, Event.CHILD_UP), seen);
    }

    @Test
    void needsSubvolumesWithDistinctNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dht());
        assertTrue(e.getMessage().contains("at least one subvolume"), e.getMessage());
        Xlator a = leaf("same");
        Xlator b = leaf("same");
        e = assertThrows(IllegalArgumentException.class, () -> dht(a, b));
        assertTrue(e.getMessage().contains("\"same\" twice"), e.getMessage());
    }

    @Test
    void optionsUseGlusterfsNamesAndRejectBadValues() {
        Options ok = Options.of("min-free-disk", "15%", "lookup-unhashed", "auto", "rsync-hash-regex", "none",
                "force-migration", "off", "readdir-optimize", "on", "xattr-name", "trusted.glusterfs.dht");
        assertEquals(List.of(), ok.validate(DistributeXlator.OPTIONS));
        Options bad = Options.of("min-free-disk", "150%", "rsync-hash-regex", "^(x", "lookup-unhashed", "maybe");
        List<String> problems = bad.validate(DistributeXlator.OPTIONS);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("min-free-disk")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("rsync-hash-regex")), problems.toString());
        assertTrue(DistributeXlator.TYPE.answersTo("cluster/dht"));
        assertTrue(DistributeXlator.TYPE.answersTo("cluster/distribute"));
    }

    @Test
    void minFreeDiskTakesPercentOrSize() {
        DiskUsage pct = DiskUsage.of("10%", "5%");
        DiskUsage plain = DiskUsage.of("10", "5%");
        DiskUsage bytes = DiskUsage.of("1GB", "5%");
        org.glusterj.core.Statvfs ninePercentFree = new org.glusterj.core.Statvfs(4096, 4096, 1000, 90, 90,
                100, 50, 50, 0, 0, 255);
        assertTrue(pct.shortOfSpace(ninePercentFree));
        assertTrue(plain.shortOfSpace(ninePercentFree));
        assertTrue(bytes.shortOfSpace(ninePercentFree)); // 90 * 4096 bytes < 1 GB
        org.glusterj.core.Statvfs roomy = new org.glusterj.core.Statvfs(4096, 4096, 1000, 500, 500,
                100, 50, 50, 0, 0, 255);
        assertEquals(false, pct.shortOfSpace(roomy));
    }
}
