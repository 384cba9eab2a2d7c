package org.glusterj.xlators.features.upcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.glusterj.core.Caller;
import org.glusterj.core.EntryReply;
import org.glusterj.core.Errno;
import org.glusterj.core.Fd;
import org.glusterj.core.FileType;
import org.glusterj.core.FopException;
import org.glusterj.core.Gfid;
import org.glusterj.core.Inode;
import org.glusterj.core.Loc;
import org.glusterj.core.SetAttr;
import org.glusterj.core.Upcall;
import org.glusterj.core.Xdata;
import org.glusterj.core.Xlator;
import org.glusterj.core.XlatorConfig;
import org.glusterj.options.Options;
import org.glusterj.xlators.storage.posix.PosixXlator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** features/upcall over a real storage/posix brick in a temporary directory, with recording clients. */
class UpcallXlatorTest {
    /** A client connection that records the upcalls sent to it. */
    static final class FakeClient implements Caller.Client {
        final String id;
        final List<Upcall> got = new CopyOnWriteArrayList<>();
        volatile boolean connected = true;

        FakeClient(String id) {
            this.id = id;
        }

        @Override public String id() { return id; }
        @Override public boolean isConnected() { return connected; }
        @Override public void upcall(Upcall u) { got.add(u); }

        Caller caller() {
            return Caller.of(0, 0, 1).withClient(this);
        }

        List<Upcall> about(Gfid g) {
            return got.stream().filter(u -> u.gfid().equals(g)).toList();
        }
    }

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final FakeClient a = new FakeClient("A");
    private final FakeClient b = new FakeClient("B");
    private final FakeClient c = new FakeClient("C");
    private Path dir;
    private PosixXlator posix;
    private UpcallXlator up;

    @BeforeEach
    void setUp() throws IOException {
        Path base = Path.of("target", "test-bricks").toAbsolutePath();
        Files.createDirectories(base);
        dir = Files.createTempDirectory(base, "upcall-");
        posix = new PosixXlator(XlatorConfig.of("posix", "storage/posix", Options.of("directory", dir.toString()), List.of()));
        up = upcall("cache-invalidation", "on", "cache-invalidation-timeout", "60");
    }

    private UpcallXlator upcall(String... options) {
        return new UpcallXlator(XlatorConfig.of("up", UpcallXlator.TYPE.type(), Options.of(options), List.<Xlator>of(posix)),
                now::get);
    }

    @AfterEach
    void tearDown() throws IOException {
        posix.fini();
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private Gfid create(FakeClient who, Gfid parent, String name) {
        Gfid g = Gfid.random();
        Fd fd = new Fd(new Inode(g, FileType.S_IFREG), 2, 1);
        up.create(who.caller(), new Loc(g, parent, name, null), 2, 0644, 0, fd, Xdata.EMPTY).join();
        up.release(fd);
        return g;
    }

    private EntryReply lookup(FakeClient who, Gfid parent, String name) {
        return up.lookup(who.caller(), Loc.entry(parent, name, null), Xdata.EMPTY).join();
    }

    private void chmod(FakeClient who, Gfid g, int mode) {
        up.setattr(who.caller(), Loc.of(g, null), new SetAttr(SetAttr.MODE, mode, 0, 0, 0, 0, 0, 0), Xdata.EMPTY).join();
    }

    @Test
    void aChangeNotifiesEveryOtherInterestedClientButNeverTheChanger() {
        Gfid f = create(a, Gfid.ROOT, "f");
        lookup(b, Gfid.ROOT, "f");
        up.stat(c.caller(), Loc.of(f, null), Xdata.EMPTY).join();

        chmod(a, f, 0600);

        assertEquals(List.of(), a.got, "the changer is never told about its own change");
        for (FakeClient other : List.of(b, c)) {
            List<Upcall> got = other.about(f);
            assertEquals(1, got.size(), other.id + " got " + other.got);
            assertTrue(got.get(0).has(Upcall.ATTR));
            assertEquals(0600, got.get(0).stat().mode() & 07777, "the upcall carries the new attributes");
        }
    }

    @Test
    void aClientThatNeverLookedIsNotTold() {
        Gfid f = create(a, Gfid.ROOT, "f");
        chmod(a, f, 0600);
        lookup(b, Gfid.ROOT, "f");
        chmod(a, f, 0640);
        assertEquals(1, b.about(f).size());
        assertEquals(List.of(), c.got);
    }

    @Test
    void aNegativeLookupMakesTheClientHearOfNewNamesInThatDirectory() {
        assertEquals(Errno.ENOENT, errno(() -> lookup(b, Gfid.ROOT, "later")));
        create(a, Gfid.ROOT, "later");
        List<Upcall> got = b.about(Gfid.ROOT);
        assertEquals(1, got.size(), "b got " + b.got);
        assertTrue(got.get(0).has(Upcall.ENTRIES));
    }

    @Test
    void unlinkTellsWatchersOfTheParentAndOfTheVictimThatItIsGone() {
        Gfid f = create(a, Gfid.ROOT, "f");
        lookup(b, Gfid.ROOT, "f");
        up.unlink(a.caller(), new Loc(f, Gfid.ROOT, "f", null), 0, Xdata.EMPTY).join();
        assertTrue(b.about(Gfid.ROOT).get(0).has(Upcall.ENTRIES));
        assertTrue(b.about(f).get(0).has(Upcall.GONE), "b got " + b.got);
        assertEquals(List.of(), a.got);
    }

    @Test
    void renameTellsBothParentsAndTheRenamedObject() {
        Gfid sub = Gfid.random();
        up.mkdir(a.caller(), new Loc(sub, Gfid.ROOT, "sub", null), 0755, 0, Xdata.EMPTY).join();
        Gfid f = create(a, Gfid.ROOT, "f");
        lookup(b, Gfid.ROOT, "f");
        lookup(b, Gfid.ROOT, "sub");
        up.rename(a.caller(), new Loc(f, Gfid.ROOT, "f", null), Loc.entry(sub, "g", null), Xdata.EMPTY).join();
        assertTrue(b.about(Gfid.ROOT).get(0).has(Upcall.ENTRIES));
        assertTrue(b.about(sub).get(0).has(Upcall.ENTRIES));
        assertTrue(b.about(f).get(0).has(Upcall.ATTR));
        assertEquals(List.of(), a.got);
    }

    @Test
    void aClientIsToldOnceUntilItLooksAgain() {
        Gfid f = create(a, Gfid.ROOT, "f");
        lookup(b, Gfid.ROOT, "f");
        Fd fd = new Fd(new Inode(f, FileType.S_IFREG), 2, 1);
        up.open(a.caller(), Loc.of(f, null), 2, fd, Xdata.EMPTY).join();
        for (int i = 0; i < 5; i++) {
            up.writev(a.caller(), fd, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), i * 3L, 0, Xdata.EMPTY).join();
        }
        assertEquals(1, b.about(f).size(), "its cache dropped the file at the first notice: " + b.got);
        assertTrue(b.about(f).get(0).has(Upcall.DATA));
        up.fstat(b.caller(), fd, Xdata.EMPTY).join();
        up.writev(a.caller(), fd, Unpooled.wrappedBuffer(new byte[] {4}), 15, 0, Xdata.EMPTY).join();
        assertEquals(2, b.about(f).size());
        assertEquals(16, b.about(f).get(1).stat().size());
        chmod(a, f, 0600); // a different kind of change is told even without a new look
        up.release(fd);
    }

    @Test
    void interestExpiresAfterTheTimeout() {
        Gfid f = create(a, Gfid.ROOT, "f");
        lookup(b, Gfid.ROOT, "f");
        now.addAndGet(TimeUnit.SECONDS.toNanos(61));
        chmod(a, f, 0600);
        assertEquals(List.of(), b.got);
        lookup(b, Gfid.ROOT, "f");
        chmod(a, f, 0640);
        assertEquals(1, b.about(f).size());
    }

    @Test
    void disconnectedClientsAreForgottenAndMemoryStaysBounded() {
        for (int i = 0; i < 50; i++) create(a, Gfid.ROOT, "f" + i);
        for (int i = 0; i < 50; i++) lookup(b, Gfid.ROOT, "f" + i);
        assertTrue(up.watchedInodes() >= 51);
        b.connected = false;
        a.connected = false;
        now.addAndGet(TimeUnit.SECONDS.toNanos(61));
        lookup(c, Gfid.ROOT, "f0"); // the next access after a timeout sweeps
        assertEquals(2, up.watchedInodes(), "only c's interests in root and f0 remain");
    }

    @Test
    void offByDefaultNothingIsRecordedOrSent() {
        up = upcall();
        Gfid f = create(a, Gfid.ROOT, "f");
        lookup(b, Gfid.ROOT, "f");
        chmod(a, f, 0600);
        assertEquals(List.of(), b.got);
        assertEquals(0, up.watchedInodes());
    }

    @Test
    void fopsWithoutAClientConnectionNotifyEveryWatcher() {
        Gfid f = create(a, Gfid.ROOT, "f");
        lookup(b, Gfid.ROOT, "f");
        up.setattr(Caller.ROOT, Loc.of(f, null), new SetAttr(SetAttr.MODE, 0600, 0, 0, 0, 0, 0, 0), Xdata.EMPTY).join();
        assertEquals(1, a.about(f).size());
        assertEquals(1, b.about(f).size());
    }

    private static Errno errno(Runnable r) {
        CompletionException e = assertThrows(CompletionException.class, r::run);
        return FopException.errnoOf(e);
    }
}
