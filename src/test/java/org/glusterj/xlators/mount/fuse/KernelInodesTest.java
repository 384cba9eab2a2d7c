package org.glusterj.xlators.mount.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.glusterj.core.Gfid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Node ids are learnt only from requests that address the file itself, and invalidated for the other names. */
class KernelInodesTest {
    private static final int GETATTR = 3, LOOKUP = 1, WRITE = 16;
    private final KernelInodes k = new KernelInodes();
    private final List<Long> invalidated = new ArrayList<>();

    KernelInodesTest() {
        k.connect(invalidated::add);
    }

    @AfterEach
    void clear() {
        KernelInodes.served();
    }

    private void seenAs(int opcode, long node, Gfid g) {
        KernelInodes.serving(opcode, node);
        k.seen(g);
        KernelInodes.served();
    }

    @Test
    void aChangeInvalidatesTheOtherNamesOfTheFileButNotTheOneChanged() {
        Gfid file = Gfid.random();
        seenAs(GETATTR, 10, file);
        seenAs(WRITE, 11, file);
        seenAs(LOOKUP, 12, file); // a LOOKUP's node id is the parent directory's
        assertEquals(2, k.nodeCount());
        KernelInodes.serving(WRITE, 11);
        k.changed(file);
        assertEquals(List.of(10L), invalidated);
        KernelInodes.served();
        invalidated.clear();
        k.changed(file);
        assertEquals(List.of(10L, 11L), invalidated.stream().sorted().toList());
    }

    @Test
    void forgottenOrReusedNodesAreDropped() {
        Gfid a = Gfid.random(), b = Gfid.random();
        seenAs(GETATTR, 20, a);
        seenAs(GETATTR, 21, a);
        k.forget(20);
        seenAs(GETATTR, 21, b); // node 21 now shows another file
        k.changed(a);
        assertEquals(List.of(), invalidated);
        k.changed(b);
        assertEquals(List.of(21L), invalidated);
        k.changed(Gfid.random());
        assertEquals(1, invalidated.size());
    }
}
