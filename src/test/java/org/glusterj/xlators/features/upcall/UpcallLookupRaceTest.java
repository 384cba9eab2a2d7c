package org.glusterj.xlators.features.upcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.features.upcall.UpcallXlatorTest.FakeClient;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A lookup by name learns its object's gfid only from the reply: a change by another client
 * after the brick read the attributes but before the reply unwinds through features/upcall must
 * still reach the looking client, or its md-cache keeps the old attributes for md-cache-timeout.
 */
class UpcallLookupRaceTest {
    /** Between upcall and posix: lets posix answer a lookup at once but holds the reply back. */
    static final class Gate extends Xlator {
        private CompletableFuture<EntryReply> held;
        private EntryReply answered;

        Gate(Xlator child) {
            super(XlatorConfig.of("gate", "test/gate", Options.NONE, List.of(child)));
        }

        /** The next lookup is answered by posix now and unwound only at {@link #release}. */
        void holdNextLookup() {
            held = new CompletableFuture<>();
        }

        void release() {
            held.complete(answered);
        }

        @Override
        public CompletableFuture<EntryReply> lookup(Caller c, Loc loc, Xdata x) {
            if (held == null || held.isDone()) return firstChild().lookup(c, loc, x);
            answered = firstChild().lookup(c, loc, x).join();
            return held;
        }
    }

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final FakeClient a = new FakeClient("A");
    private final FakeClient b = new FakeClient("B");
    private Path dir;
    private PosixXlator posix;
    private Gate gate;
    private UpcallXlator up;

    @BeforeEach
    void setUp() throws IOException {
        Path base = Path.of("target", "test-bricks").toAbsolutePath();
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "upcall-race-");
        posix = new PosixXlator(XlatorConfig.of("posix", "storage/posix", Options.of("directory", dir.toString()), List.of()));
        gate = new Gate(posix);
        up = new UpcallXlator(XlatorConfig.of("up", UpcallXlator.TYPE.type(),
                Options.of("cache-invalidation", "on", "cache-invalidation-timeout", "60"), List.<Xlator>of(gate)), now::get);
    }

    @AfterEach
    void tearDown() throws IOException {
        posix.fini();
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Fd createOpen(FakeClient who, String name) {
        Gfid g = Gfid.random();
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), 2, 1);
        up.create(who.caller(), new Loc(g, Gfid.ROOT, name, null), 2, 0644, 0, fd, Xdata.EMPTY).join();
        return fd;
    }

    private void write(FakeClient who, Fd fd, int length, long offset) {
        up.writev(who.caller(), fd, Unpooled.wrappedBuffer(new byte[length]), offset, 0, Xdata.EMPTY).join();
    }

    /** b's lookup of "f" read the attributes (size 0); a writes; then the reply unwinds. */
    private EntryReply lookupRacingAWrite(Fd fd) {
        gate.holdNextLookup();
        CompletableFuture<EntryReply> reply = up.lookup(b.caller(), Loc.entry(Gfid.ROOT, "f", null), Xdata.EMPTY);
        write(a, fd, 4096, 0);
        gate.release();
        return reply.join();
    }

    @Test
    void aClientThatLearnsTheGfidFromAStaleReplyIsToldOfTheChange() {
        Fd fd = createOpen(a, "f");
        EntryReply stale = lookupRacingAWrite(fd);
        assertEquals(0, stale.attr().size(), "the brick read the attributes before the write");
        List<Upcall> got = b.about(fd.gfid());
        assertEquals(1, got.size(), "b got " + b.got);
        assertTrue(got.get(0).has(Upcall.DATA));
        up.release(fd);
    }

    @Test
    void aClientToldOnceAlreadyIsToldAgainWhenItsLookupRacedAnotherChange() {
        Fd fd = createOpen(a, "f");
        up.lookup(b.caller(), Loc.entry(Gfid.ROOT, "f", null), Xdata.EMPTY).join();
        write(a, fd, 10, 0);
        assertEquals(1, b.about(fd.gfid()).size(), "the first write is told");
        lookupRacingAWrite(fd);
        assertEquals(2, b.about(fd.gfid()).size(), "the write after b's lookup read the attributes: b got " + b.got);
        up.release(fd);
    }

    @Test
    void aLookupAfterTheChangeAndOurOwnChangesNeedNoNotice() {
        Fd fd = createOpen(a, "f");
        write(a, fd, 10, 0);
        up.lookup(b.caller(), Loc.entry(Gfid.ROOT, "f", null), Xdata.EMPTY).join();
        up.lookup(a.caller(), Loc.entry(Gfid.ROOT, "f", null), Xdata.EMPTY).join();
        assertEquals(List.of(), b.got);
        assertEquals(List.of(), a.got);
        gate.holdNextLookup();
        CompletableFuture<EntryReply> reply = up.lookup(a.caller(), Loc.entry(Gfid.ROOT, "f", null), Xdata.EMPTY);
        write(a, fd, 10, 10);
        gate.release();
        reply.join();
        assertEquals(List.of(), a.got, "a's own write raced its lookup: md-cache brackets its own changes");
        up.release(fd);
    }
}
