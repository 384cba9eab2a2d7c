package org.glusterj.xlators.cluster.dht;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.glusterj.core.Gfid;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.junit.jupiter.api.Test;

/** cluster/distribute passes every brick's upcalls up unchanged, whichever subvolume they come from. */
class DistributeUpcallTest {
    @Test
    void upcallsFromAnySubvolumeReachTheParentUnchanged() {
        Xlator a = new Xlator(XlatorConfig.of("c0", "test/leaf", Options.NONE, List.of())) { };
        Xlator b = new Xlator(XlatorConfig.of("c1", "test/leaf", Options.NONE, List.of())) { };
        DistributeXlator dht = new DistributeXlator(XlatorConfig.of("vol-dht", "cluster/distribute", Options.NONE,
                List.of(a, b)));
        List<Upcall> got = new ArrayList<>();
        List<Xlator> from = new ArrayList<>();
        new Xlator(XlatorConfig.of("above", "test/above", Options.NONE, List.of(dht))) {
            @Override
            public void upcall(Upcall upcall, Xlator source) {
                got.add(upcall);
                from.add(source);
            }
        };
        Upcall one = new Upcall(Gfid.random(), Upcall.ENTRIES | Upcall.ATTR, null);
        Upcall two = new Upcall(Gfid.random(), Upcall.DATA, null);
        a.upcall(one, a);
        b.upcall(two, b);
        b.upcall(Upcall.everything(), b);
        assertEquals(List.of(one, two, Upcall.everything()), got);
        assertSame(dht, from.get(0));
    }
}
